"""The settings refuse to start unsafely; production settings pass Django's deploy checks."""

import os
import subprocess
import sys

from django.conf import settings

# Variables the test run itself sets, which a real deployment would not have.
LEAKY_VARIABLES = {
    "SECRET_KEY",
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "DATABASE_URL",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def run_manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in LEAKY_VARIABLES}
    environment.update(env)
    environment["DJANGO_SETTINGS_MODULE"] = "workbench.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = run_manage("check", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_it_starts_without_a_secret_key_in_debug():
    result = run_manage("check", DEBUG="true")
    assert result.returncode == 0, result.stderr


def test_production_settings_pass_the_deploy_checks(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="x7#kq!p2vZ" * 6,
        ALLOWED_HOSTS="workbench.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
