"""API throttles: each token and each session on its own budget, anonymous callers by address.

The counts live in the default cache, which every web process shares (the database, or Redis:
see CACHES in the settings). Rates are read from the settings on every request (API_THROTTLE_RATE,
API_THROTTLE_ANON_RATE; None: no limit). Past the rate, DRF answers 429 with Retry-After.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import ApiToken
from workbench.http import client_ip

if TYPE_CHECKING:
    # For the annotations only: DRF imports this module while rest_framework.views is being
    # defined (APIView reads DEFAULT_THROTTLE_CLASSES as a class attribute).
    from rest_framework.request import Request
    from rest_framework.views import APIView


class CallerRateThrottle(SimpleRateThrottle):
    """A caller with credentials: keyed on the token when the request came with one (each token
    its own budget, apart from its owner's session), on the user otherwise."""

    scope = "caller"

    def get_rate(self) -> str | None:
        rate: str | None = settings.API_THROTTLE_RATE
        return rate

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AnonymousRateThrottle(SimpleRateThrottle):
    """A caller without credentials (most endpoints refuse them anyway), keyed on the address."""

    scope = "anonymous"

    def get_rate(self) -> str | None:
        rate: str | None = settings.API_THROTTLE_ANON_RATE
        return rate

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request._request)}
