"""Personal API tokens: created and revoked by their owner; the key is shown once."""

from __future__ import annotations

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import ApiToken, User


def api_token_create(
    *, owner: User, name: str, expires_at: datetime.datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token and its key. The key is not stored anywhere; show it to the owner once."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the token a name saying what it is for."})
    if len(name) > 100:
        raise ValidationError({"name": "A token's name is at most 100 characters."})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": "The expiry must be in the future."})
    key = ApiToken.KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        owner=owner,
        name=name,
        prefix=key[: len(ApiToken.KEY_PREFIX) + 6],
        key_hash=ApiToken.hash_key(key),
        expires_at=expires_at,
    )
    return token, key


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke the token from now on (revoking twice changes nothing)."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(key: str) -> ApiToken | None:
    """The active token with this key, or None. Records when it was last used."""
    token = (
        ApiToken.objects.active()
        .select_related("owner")
        .filter(key_hash=ApiToken.hash_key(key))
        .first()
    )
    if token is None or not token.owner.is_active:
        return None
    now = timezone.now()
    # Write at most once a minute per token, not on every request.
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
