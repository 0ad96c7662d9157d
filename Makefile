# Convenience wrappers around the README commands (run.sh checks system requirements).
.PHONY: atlas demo test bench notebooks
atlas:
	bash run.sh atlas
notebooks:
	.venv/bin/python tutorials/build.py
demo:
	bash run.sh demo
test:
	bash run.sh test
bench:
	.venv/bin/python benchmarks/integrators.py
