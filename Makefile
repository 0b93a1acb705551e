# The two commands (see README): each installs what it needs, then runs.
.PHONY: demo test setup soak

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
