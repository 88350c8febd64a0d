"""The API's request parsers: DRF's, with the checks every request body gets.

A JSON body is read through ``annotations.json_input`` (no deeper than its MAX_DEPTH, finite
numbers, and no string or key that ``annotations.text.text_problem`` refuses: NUL, lone
surrogates) and no larger than DATA_UPLOAD_MAX_MEMORY_SIZE; form and multipart bodies get the
same text check on every field name, value and uploaded file name. What fails is answered 400
(413 for size) naming the problem, before any view or serializer sees it. They are the
project's default parsers (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from rest_framework import parsers, renderers, status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.permissions import BasePermission

from annotations.json_input import JsonRefused, parse_json
from annotations.text import fields_problem, file_names_problem

if TYPE_CHECKING:  # DRF imports this module (a default permission class) from its views module
    from rest_framework.request import Request
    from rest_framework.views import APIView


class RequestBodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"


class JsonParser(parsers.BaseParser):
    """JSON, refused with 400 when malformed, too deep or holding text that cannot be stored."""

    media_type = "application/json"
    renderer_class = renderers.JSONRenderer

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        encoding = (parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        data = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(data) > limit:
            raise RequestBodyTooLarge(
                f"The request body is larger than {limit:,} bytes "
                "(DATA_UPLOAD_MAX_MEMORY_SIZE); send less at a time."
            )
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as error:
            raise ParseError(
                f"The request body is not valid {encoding} (byte {error.start})."
            ) from None
        except LookupError:  # not a text encoding (bz2_codec, say) or none at all
            raise ParseError(f"Unsupported charset {encoding!r} in the Content-Type.") from None
        try:
            return parse_json(text)
        except JsonRefused as error:
            raise ParseError(f"The request body was refused: {error.reason}") from None


def _check_fields(data: QueryDict, files: MultiValueDict[str, Any] | None = None) -> None:
    problem = fields_problem(data.lists(), "form field")
    if problem is None and files is not None:
        problem = file_names_problem(files)
    if problem:
        raise ParseError(problem)


class FormParser(parsers.FormParser):
    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        data = super().parse(stream, media_type, parser_context)
        _check_fields(data)
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> parsers.DataAndFiles:
        result = super().parse(stream, media_type, parser_context)
        _check_fields(result.data, result.files)
        return result


class RequestBodyRead(BasePermission):
    """Reads every request body, so that one the parsers above refuse is answered 400 whether
    or not the view reads it (DRF parses a body only when a view asks for ``request.data``).

    A permission class because DRF runs those after authentication and before the view, for
    every endpoint: listed after IsAuthenticated, an anonymous caller still gets 401 first.
    """

    def has_permission(self, request: Request, view: APIView) -> bool:
        request.data  # noqa: B018 - parsing is the check; a refusal raises ParseError
        return True
