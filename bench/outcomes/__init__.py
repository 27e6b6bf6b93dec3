"""Outcomes service benchmarks: projection rebuild from Kafka history, and report latency at scale."""
