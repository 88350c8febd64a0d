"""Benchmarks and the load test: `make bench`, `make loadtest`."""
