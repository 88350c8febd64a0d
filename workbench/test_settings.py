"""Overrides for the test suite only.

The variables below are forced, not defaulted: neither a developer's `.env` (which `make run`
writes with DEBUG on) nor an exported DEBUG, SECRET_KEY or HISTORY_KEYS changes what the tests
see.
DATABASE_URL still comes through: `DATABASE_URL=postgres://... make test`.
"""

import os

os.environ["ENV_FILE"] = ""  # read no .env; subprocesses the tests start inherit this
os.environ["DEBUG"] = "false"
os.environ["SECRET_KEY"] = "test-only-secret-key-with-enough-length-and-entropy-0123456789"
os.environ["SECURE_SSL_REDIRECT"] = "false"
os.environ["HISTORY_KEYS"] = "test1:test-only-history-key-distinct-from-the-secret-key"

from workbench.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Files go under MEDIA_ROOT as it is when they are written: each test has its own
# (tests/conftest.py), so no test reads another's history checkpoints or release files.
STORAGES["default"] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}  # noqa: F405
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
# The live server serves static files itself; WhiteNoise would want a collected STATIC_ROOT.
MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("whitenoise.")]  # noqa: F405
# The API's throttles stay on (their cache is exercised by every API test) at rates no test
# reaches; tests/api/test_throttling.py sets low ones.
API_THROTTLE_RATE = API_THROTTLE_ANON_RATE = "100000/minute"
