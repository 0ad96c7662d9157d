# Convenience wrappers around the README commands (run.sh checks system requirements).
.PHONY: demo test bench
demo:
	bash run.sh demo
test:
	bash run.sh test
bench:
	.venv/bin/python benchmarks/integrators.py
