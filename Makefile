# The two commands (see README): each installs what it needs, then runs.
.PHONY: demo test setup

demo:
	bash scripts/setup.sh
	bash scripts/demo.sh

test:
	bash scripts/setup.sh test
	bash scripts/test.sh
