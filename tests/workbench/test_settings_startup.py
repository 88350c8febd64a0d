"""The settings refuse to start unsafely; production settings pass Django's deploy checks."""

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from workbench.settings import history_keys

# Variables the test run itself sets, which a real deployment would not have.
LEAKY_VARIABLES = {
    "SECRET_KEY",
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "DATABASE_URL",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "HISTORY_KEYS",
}
PRINT_SETTINGS = "from django.conf import settings; print(settings.DEBUG, settings.SECRET_KEY)"


def run_manage(*args, settings_module="workbench.settings", **env):
    environment = {k: v for k, v in os.environ.items() if k not in LEAKY_VARIABLES}
    # A developer's .env (`make run` writes one with DEBUG on) is not read unless a test says so.
    environment["ENV_FILE"] = ""
    environment.update(env)
    environment["DJANGO_SETTINGS_MODULE"] = settings_module
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


def test_it_refuses_to_start_without_a_history_key_when_debug_is_off():
    result = run_manage("check", DEBUG="false", SECRET_KEY="x7#kq!p2vZ" * 6)
    assert result.returncode != 0
    assert "HISTORY_KEYS is not set" in result.stderr


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("no-colon-here", "write each key as ID:SECRET"),
        ("k1:" + "s" * 31, "'k1'): the secret must be at least 32 characters"),
        ("k1:" + "s" * 40 + ",k1:" + "t" * 40, "key 2: the key id 'k1' is used twice"),
        ("k1:" + settings.SECRET_KEY, "'k1'): it must differ from SECRET_KEY"),
    ],
)
def test_it_refuses_a_history_key_it_cannot_trust(value, message):
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        history_keys(value)


def test_it_reads_history_keys_in_order_the_first_signing():
    keys = history_keys(" 2027a:" + "n" * 32 + " , 2026a:" + "o" * 32 + ",")
    assert list(keys) == ["2027a", "2026a"]
    assert keys["2026a"] == "o" * 32


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
        HISTORY_KEYS="2026a:" + "h1$Lm9@qW" * 5,
        ALLOWED_HOSTS="workbench.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_reads_the_secret_key_and_debug_from_an_env_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(
        "DEBUG=false\nSECRET_KEY=from-the-file-" + "k" * 50 + "\nHISTORY_KEYS=f1:" + "h" * 32 + "\n"
    )
    result = run_manage("shell", "-v", "0", "-c", PRINT_SETTINGS, ENV_FILE=str(env_file))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "from-the-file-" + "k" * 50]


def test_the_environment_wins_over_the_env_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=false\nSECRET_KEY=from-the-file\n")
    result = run_manage(
        "shell", "-v", "0", "-c", PRINT_SETTINGS, ENV_FILE=str(env_file), DEBUG="true"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "from-the-file"]


def test_it_refuses_an_env_file_that_does_not_exist(tmp_path):
    result = run_manage("check", ENV_FILE=str(tmp_path / "missing.env"), DEBUG="true")
    assert result.returncode != 0
    assert "ENV_FILE names" in result.stderr


def test_the_test_settings_ignore_a_developers_env_file_and_exported_debug(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=true\nSECRET_KEY=a-developers-key\nSECURE_SSL_REDIRECT=true\n")
    result = run_manage(
        "shell",
        "-v",
        "0",
        "-c",
        PRINT_SETTINGS,
        settings_module="workbench.test_settings",
        ENV_FILE=str(env_file),
        DEBUG="true",
        SECRET_KEY="an-exported-key",
    )
    assert result.returncode == 0, result.stderr
    debug, secret_key = result.stdout.split()
    assert debug == "False"
    assert secret_key.startswith("test-only-secret-key")


def test_it_refuses_a_negative_number_of_release_processes():
    result = run_manage("check", DEBUG="true", RELEASE_BUILD_PROCESSES="-2")
    assert result.returncode != 0
    assert "RELEASE_BUILD_PROCESSES is -2: give 0 (one process per CPU)" in result.stderr
