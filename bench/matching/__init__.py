"""Matching benchmark and evaluation harness: `python -m bench.matching --help`."""
