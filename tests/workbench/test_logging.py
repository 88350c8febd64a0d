"""Production logging: a line per request and per background task; JSON lines on request."""

import json
import logging
import os
import subprocess
import sys

import pytest
from django.conf import settings

from workbench.logs import JsonFormatter


def test_a_request_logs_one_line_with_method_path_status_duration_and_user(
    client, django_user_model, caplog
):
    user = django_user_model.objects.create_user(username="alice", password="x")
    client.force_login(user)
    with caplog.at_level(logging.INFO, logger="workbench.requests"):
        client.get("/healthz?probe=1")

    [record] = [r for r in caplog.records if r.name == "workbench.requests"]
    assert record.method == "GET"
    assert record.path == "/healthz"  # never the query string
    assert record.status == 200
    assert record.duration_ms >= 0
    assert record.user_id == user.pk
    assert record.getMessage().startswith("GET /healthz 200 ")
    assert record.getMessage().endswith(f"ms user={user.pk}")


@pytest.mark.django_db
def test_an_anonymous_request_logs_no_user(client, caplog):
    with caplog.at_level(logging.INFO, logger="workbench.requests"):
        client.get("/accounts/login/")
    [record] = [r for r in caplog.records if r.name == "workbench.requests"]
    assert record.user_id is None
    assert record.getMessage().endswith("user=-")


def test_the_json_formatter_writes_one_parseable_object_with_the_extra_fields():
    try:
        raise ValueError("broken")
    except ValueError:
        record = logging.getLogger("x").makeRecord(
            "x", logging.ERROR, __file__, 1, "failed %s", ("here",), sys.exc_info(),
            extra={"status": 500, "when": object()},
        )  # fmt: skip
    line = JsonFormatter().format(record)

    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "x"
    assert entry["message"] == "failed here"
    assert entry["status"] == 500
    assert entry["when"].startswith("<object object")
    assert "ValueError: broken" in entry["exception"]
    assert entry["time"].endswith("+00:00")


# End to end: the settings as production loads them, in a process of their own.

REQUEST = "from django.test import Client; Client().get('/api/v1/projects/')"
WARNING = "import warnings; warnings.warn('careful')"
TASKS = "from tests.workbench.sample_tasks import add, fail; add.enqueue(1, 2); fail.enqueue()"


def run_shell(code, tmp_path, **env):
    environment = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "LOG_FORMAT"}},
        "DJANGO_SETTINGS_MODULE": "workbench.settings",
        "ENV_FILE": "",
        "DEBUG": "false",
        "SECRET_KEY": "logging-test-key-" + "x" * 40,
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "TASKS_BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
        **env,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stderr.splitlines()


def test_requests_log_plain_text_lines_by_default(tmp_path):
    lines = run_shell(REQUEST, tmp_path)
    [line] = [line for line in lines if "workbench.requests" in line]
    assert " INFO workbench.requests: GET /api/v1/projects/ 401 " in line


def test_log_format_json_writes_a_json_object_per_line(tmp_path):
    lines = run_shell(f"{REQUEST}; {WARNING}", tmp_path, LOG_FORMAT="json")
    entries = [json.loads(line) for line in lines]  # every line parses, warnings' too
    assert any("careful" in e["message"] for e in entries if e["logger"] == "py.warnings")
    [entry] = [e for e in entries if e["logger"] == "workbench.requests"]
    assert entry["method"] == "GET"
    assert entry["path"] == "/api/v1/projects/"
    assert entry["status"] == 401
    assert entry["user_id"] is None


def test_background_tasks_log_their_start_finish_and_failure_as_json(tmp_path):
    lines = run_shell(TASKS, tmp_path, LOG_FORMAT="json")
    entries = [json.loads(line) for line in lines]
    tasks = [e for e in entries if e["logger"] == "django.tasks"]
    add = [e for e in tasks if "sample_tasks.add" in e["message"]]
    fail = [e for e in tasks if "sample_tasks.fail" in e["message"]]
    assert [e["level"] for e in add] == ["INFO", "INFO"]
    assert "RUNNING" in add[0]["message"] and "SUCCESSFUL" in add[1]["message"]
    assert [e["level"] for e in fail] == ["INFO", "ERROR"]
    assert "FAILED" in fail[1]["message"]
    assert "RuntimeError: this task always fails" in fail[1]["exception"]


def test_an_unknown_log_format_stops_the_start(tmp_path):
    environment = {**os.environ, "ENV_FILE": "", "DEBUG": "true", "LOG_FORMAT": "xml"}
    environment["DJANGO_SETTINGS_MODULE"] = "workbench.settings"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "LOG_FORMAT must be 'text' or 'json'" in result.stderr
