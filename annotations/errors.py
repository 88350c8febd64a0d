"""Refusals the domain raises. Bad input is django's ValidationError (HTTP 400); these are
refusals of a state change (HTTP 409): the request was well formed but the object's state
does not allow it, or someone else changed it first."""


class Conflict(Exception):
    """The object's state does not allow this change (a submitted set, a stale version...)."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)
