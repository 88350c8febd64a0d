"""The site's error pages (workbench.urls names them as Django's handlers): 403, 404 and 500
styled like every page, keeping the navigation and saying what to do next. A refused htmx
request gets its message in the page's #errors region instead (views.common.refusal), never an
error page swapped into a fragment."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django_htmx.http import reswap, retarget

from annotations.views.common import refusal

BAD_REQUEST = (
    "The request could not be read: it may hold too many fields or files at once. "
    "Send less at a time."
)
CSRF_FAILED = (
    "This form could not be accepted: the page it came from is out of date (you may have "
    "logged out or in again since). Reload the page and send it again."
)
NOT_FOUND = "There is nothing at this address."
FORBIDDEN = "You may not open this page."
SERVER_ERROR = (
    "Something went wrong on our side and what you asked for was not done. "
    "The error has been logged."
)


def _message(exception: Exception | None, default: str) -> str:
    """The message our own code raised with (`Http404("No such article.")`); the default for
    Django's own (a URL that matches no pattern carries the patterns tried, not a sentence)."""
    if isinstance(exception, Http404 | PermissionDenied) and exception.args:
        message = exception.args[0]
        if isinstance(message, str) and message:
            return message
    return default


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A request Django refuses before any view (too many fields or files, a bad host...)."""
    return refusal(request, BAD_REQUEST, 400)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its page's token (settings.CSRF_FAILURE_VIEW): most often a page
    left open across a log-out or a new log-in."""
    return refusal(request, CSRF_FAILED, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return refusal(request, _message(exception, NOT_FOUND), 404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return refusal(request, _message(exception, FORBIDDEN), 403)


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without the request's context: whatever failed (the database, a context
    processor) must not fail the error page too. No user, no project navigation, no query."""
    context = {"message": SERVER_ERROR, "status": 500, "back": "/"}
    if request.headers.get("HX-Request") == "true":
        html = loader.render_to_string("annotations/fragments/error.html", context)
        return reswap(retarget(HttpResponseServerError(html), "#errors"), "innerHTML")
    return HttpResponseServerError(loader.render_to_string("annotations/error.html", context))
