# The two commands (see README): each installs what it needs, then runs.
.PHONY: demo test setup soak net wheel pack

demo:
	bash scripts/setup.sh
	bash scripts/demo.sh

# make test REPEAT=5: the test stage five times, stopping at the first failure.
REPEAT ?= 1

test:
	bash scripts/setup.sh test
	REPEAT="$(REPEAT)" bash scripts/test.sh

# 1000 connect -> media + data -> close cycles per language, resources sampled (CI runs it
# inside make test).
soak:
	bash scripts/setup.sh test
	bash scripts/soak.sh

# The network tests: two homes behind NATs and a coturn, in namespaces the tests build (root;
# CI runs them inside make test).
net:
	bash scripts/setup.sh test
	bash scripts/net.sh

# The Python wheel (manylinux_2_28, abi3) and sdist in dist/python; the npm tarballs in
# dist/npm (the JS package and linux-x64-gnu's binary).
wheel:
	bash scripts/setup.sh
	bash scripts/wheel.sh

pack:
	bash scripts/setup.sh
	npm run pack
