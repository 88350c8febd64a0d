"""Refusing text that cannot be stored before any view sees it.

Every query-string parameter, and every form field of a page's POST (names, values and uploaded
file names), is checked with ``annotations.text.text_problem``: a NUL character (which
PostgreSQL refuses, answering a 500 from deep inside a view) is answered 400 naming the field,
on the page's error region or error page. API request bodies are checked by the API's parsers
(``annotations.api.parsers``), which answer in the API's own error format; their query strings
are checked here and answered as the API answers. (Forms cannot carry a lone surrogate: Django
decodes them replacing what is not UTF-8.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from rest_framework.views import APIView

from annotations.text import fields_problem, file_names_problem
from annotations.views.common import refusal


def _is_api(view: Callable[..., Any]) -> bool:
    view_class = getattr(view, "cls", None)
    return isinstance(view_class, type) and issubclass(view_class, APIView)


def _form_problem(request: HttpRequest) -> str | None:
    return fields_problem(request.POST.lists(), "form field") or file_names_problem(request.FILES)


class RefuseUnstorableText:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        api = _is_api(view)
        problem = fields_problem(request.GET.lists(), "query-string parameter")
        if problem is None and request.method == "POST" and not api:
            problem = _form_problem(request)
        if problem is None:
            return None
        if api:
            return JsonResponse({"detail": problem}, status=400)
        return refusal(request, problem, 400)
