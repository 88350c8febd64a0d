"""A typed request for views (the user is ours and htmx details are present), and the client's
address as the site sees it behind its proxies."""

from django.conf import settings
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
    htmx: HtmxDetails


def client_ip(request: HttpRequest) -> str:
    """The client's address. With TRUSTED_PROXY_COUNT reverse proxies in front, each appending the
    address it was connected from to X-Forwarded-For, that many entries from the right (entries
    further left are whatever the client sent); with none, the connection's own address."""
    remote = str(request.META.get("REMOTE_ADDR") or "")
    count: int = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in str(forwarded).split(",") if hop.strip()]
    return hops[-count] if len(hops) >= count else (hops[0] if hops else remote)
