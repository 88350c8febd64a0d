"""Logging for production: a line per request, and JSON lines when LOG_FORMAT=json.

Background tasks need nothing here: django.tasks logs a line when a task starts and one when it
finishes or fails (with the traceback), from receivers of its own task_started and task_finished
signals, on the `django.tasks` logger; the settings route every logger through one handler and
one format (workbench.settings.LOGGING).
"""

import json
import logging
import logging.config
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponseBase

request_logger = logging.getLogger("workbench.requests")

# The attributes every LogRecord has; anything else on a record came through `extra=`.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", logging.INFO, "", 0, "", None, None))) | {
    "message",
    "asctime",
}


def configure(config: dict[str, Any]) -> None:
    """LOGGING_CONFIG: Django's dictConfig, and Python's warnings through logging as well, so
    that with LOG_FORMAT=json every line the process writes to stderr is JSON."""
    logging.config.dictConfig(config)
    logging.captureWarnings(True)


class RequestLogMiddleware:
    """One line per request: method, path, status, duration and the user's id (`-`: anonymous).

    First in MIDDLEWARE, so the duration covers the whole stack. The query string is left out:
    it may carry search terms or tokens.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        user = getattr(request, "user", None)  # absent if a middleware answered before auth
        user_id = user.pk if user is not None and user.is_authenticated else None
        request_logger.info(
            "%s %s %s %.1fms user=%s",
            request.method,
            request.path,
            response.status_code,
            duration_ms,
            "-" if user_id is None else user_id,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "user_id": user_id,
            },
        )
        return response


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, the fields a call passed
    through `extra=`, and the traceback if there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(
            (key, value)
            for key, value in vars(record).items()
            if key not in _RECORD_ATTRIBUTES and key not in entry
        )
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)
