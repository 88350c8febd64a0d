"""The keys that sign the history chain and its anchors, from the HISTORY_KEYS setting.

HISTORY_KEYS lives in the environment, never in the database, and is not the SECRET_KEY: it
is {key id: secret}, in order. The first key signs everything written now; every key listed
verifies what it signed once, so a rotated-out key stays listed (after the new one) for as
long as records it signed exist. docs/history.md describes a rotation step by step.

A signature is HMAC-SHA256 over a message that starts with what is signed ("record" or
"anchor"), so that a signature of one kind can never pass for the other.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


class UnknownKey(LookupError):
    """A key id that HISTORY_KEYS does not (or no longer) holds."""

    def __init__(self, key_id: str) -> None:
        super().__init__(key_id)
        self.key_id = key_id

    def __str__(self) -> str:
        if not self.key_id:
            return "it carries no key id"
        return f"it is signed with the key id {self.key_id!r}, which HISTORY_KEYS does not hold"


def signing_key_id() -> str:
    """The id of the key that signs what is written now: the first of HISTORY_KEYS."""
    return next(iter(settings.HISTORY_KEYS))


def sign(kind: str, message: bytes, *, key_id: str) -> str:
    """HMAC-SHA256 (hex) of a `kind` message ("record" or "anchor") with the key `key_id`."""
    secret = settings.HISTORY_KEYS.get(key_id) if key_id else None
    if secret is None:
        raise UnknownKey(key_id)
    return hmac.new(secret.encode(), kind.encode() + b"\n" + message, hashlib.sha256).hexdigest()


def is_signed(kind: str, message: bytes, *, key_id: str, signature: str) -> bool:
    """Whether `signature` is the one `key_id` makes; raises UnknownKey for a key not held."""
    return hmac.compare_digest(sign(kind, message, key_id=key_id), signature)
