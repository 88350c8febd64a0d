"""Domain errors as HTTP: ValidationError -> 400 naming the field, Conflict -> 409."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from annotations.errors import Conflict


def validation_detail(error: DjangoValidationError) -> dict[str, list[str]]:
    """A ValidationError as {"field": [messages]}; errors tied to no field go under "detail"."""
    if hasattr(error, "error_dict"):
        detail: dict[str, list[str]] = {}
        for field, messages in error.message_dict.items():
            key = "detail" if field == "__all__" else field
            detail.setdefault(key, []).extend(messages)
        return detail
    return {"detail": error.messages}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        return Response(validation_detail(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Conflict):
        return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)
