"""The matching service's process: the service itself (its synthetic data for benchmarks is in adapters/)."""
