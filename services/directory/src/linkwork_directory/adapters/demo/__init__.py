"""A realistic synthetic directory for demos and benchmarks: `python -m linkwork_directory.entrypoints.demo`."""
