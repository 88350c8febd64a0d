"""The password hasher of benchmarks and load tests (bench/settings.py)."""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class BenchPasswordHasher(PBKDF2PasswordHasher):
    """PBKDF2 at 10,000 iterations instead of Django's 1.5 million (0.8 s of CPU per login on
    the machine the figures come from): the load test logs hundreds of annotators in before its
    clock starts, and logins are not what it measures."""

    algorithm = "pbkdf2_sha256_bench"
    iterations = 10_000
