"""Benchmarks and the load test: `make bench`, `make loadtest`."""


class Unavailable(Exception):
    """The feature a measurement needs is not built (yet), or the project is not the size it
    is measured at. It lives here, not in bench.suite, because the suite runs as `__main__`
    (`python -m bench.suite`): a class defined there would be a second class to the
    measurements that import it."""
