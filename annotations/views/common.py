"""What every browser view shares: the project pages' context, htmx-aware rendering, refusals
shown on the page, and whole numbers read from forms."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django_htmx.http import reswap, retarget

from annotations.access import ProjectAccess, get_project_for_user
from annotations.errors import Conflict
from workbench.http import AuthenticatedHttpRequest


def project_context(access: ProjectAccess, **context: object) -> dict[str, object]:
    """A project page's context: the project, the user's roles in it (the project navigation
    shows what they allow) and the page's own `context`."""
    return {"project": access.project, "roles": access.roles, **context}


def render_page(
    request: AuthenticatedHttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """The whole page, or only its `partial` when htmx asked for it."""
    name = f"{template}#{partial}" if partial and request.htmx else template
    return render(request, name, context, status=status)


def back_link(request: HttpRequest) -> str:
    """Where an error page's "Go back" leads: the page of the project the URL names, else the
    project list. Never the Referer header, which whoever sends the request chooses."""
    match = request.resolver_match
    slug = match.kwargs.get("slug") if match else None
    if isinstance(slug, str):
        return reverse("annotations:article-list", args=[slug])
    return reverse("annotations:project-list")


def _project_of(request: HttpRequest) -> dict[str, object]:
    """The project navigation's context for an error page, when the URL names a project the
    user is a member of (an outsider learns nothing: no navigation, as for no project)."""
    match = request.resolver_match
    slug = match.kwargs.get("slug") if match else None
    user = getattr(request, "user", None)
    if not isinstance(slug, str) or user is None:
        return {}
    try:
        return project_context(get_project_for_user(user, slug))
    except (Http404, PermissionDenied):
        return {}


def refusal(request: HttpRequest, message: str, status: int) -> HttpResponse:
    """A 4xx answer with its message: in the page's #errors region for htmx (never an error
    page swapped into a fragment), else as a page that keeps the navigation and says what to
    do next (templates/annotations/error.html)."""
    if getattr(request, "htmx", False):
        response = render(
            request, "annotations/fragments/error.html", {"message": message}, status=status
        )
        return reswap(retarget(response, "#errors"), "innerHTML")
    context = {"message": message, "status": status, "back": back_link(request)}
    return render(request, "annotations/error.html", context | _project_of(request), status=status)


def shows_refusals(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Bad input (ValidationError) answers 400, a refused state change (Conflict) 409."""

    @wraps(view)
    def wrapper(request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except ValidationError as error:
            return refusal(request, " ".join(error.messages), 400)
        except Conflict as error:
            return refusal(request, error.message, 409)
        except ProtectedError as error:
            used = len(error.protected_objects)
            return refusal(
                request, f"This is still used by {used} annotation(s); it cannot be deleted.", 409
            )

    return wrapper


def int_param(value: str | None, name: str) -> int:
    """A whole number from a form field; bad input is the user's error (400), not a crash."""
    if value is not None:
        try:
            return int(value)
        except ValueError:
            pass
    raise ValidationError(f"{name} must be a whole number, not {value!r}.")


def optional_int_param(value: str | None, name: str) -> int | None:
    return None if value in (None, "") else int_param(value, name)
