"""Stagepool benchmarks (`python -m bench`, run by `make bench`); `bench.generator` makes synthetic regions."""
