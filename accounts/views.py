"""The personal API tokens page: create a token (its key is shown once) or revoke one; the page
a locked-out login gets."""

from __future__ import annotations

import datetime
import math
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import ApiToken
from accounts.services import api_token_create, api_token_revoke
from workbench.http import AuthenticatedHttpRequest


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="What the token is for, e.g. 'nightly export'."
    )
    expires_in_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=3650,
        label="Expires in (days)",
        help_text="Leave empty for a token that does not expire.",
    )


@login_required
def token_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["expires_in_days"]
        expires_at = timezone.now() + datetime.timedelta(days=days) if days else None
        try:
            _, new_key = api_token_create(
                owner=request.user, name=form.cleaned_data["name"], expires_at=expires_at
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            form = ApiTokenForm()
    tokens = ApiToken.objects.filter(owner=request.user)
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "tokens": tokens, "new_key": new_key},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def token_revoke(request: AuthenticatedHttpRequest, token_id: int) -> HttpResponse:
    token = ApiToken.objects.filter(owner=request.user, pk=token_id).first()
    if token is None:
        raise Http404("No such token.")
    api_token_revoke(token=token)
    return redirect("accounts:tokens")


def login_locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """What a login gets while its username is locked out from its address (django-axes calls
    this, on the site's login and the admin's): a page that says how long to wait, 429 with
    Retry-After. Every try while locked out starts the wait again, so the wait is the whole
    cool-off from now."""
    cool_off: datetime.timedelta = settings.AXES_COOLOFF_TIME
    seconds = max(1, math.ceil(cool_off.total_seconds()))
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    response = render(
        request,
        "registration/locked_out.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "username": username,
            "minutes": math.ceil(seconds / 60),
            "login_url": request.get_full_path(),
        },
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response
