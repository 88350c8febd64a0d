"""The API's OpenAPI schema and interactive docs: for logged-in users unless API_DOCS_PUBLIC.

The schema lists every endpoint, field and filter: nothing of a project's data, but a map of the
attack surface that the people who use the API (all of them log in) do not need to share with
the world. `API_DOCS_PUBLIC=true` opens both to anonymous visitors (a public API, or a fuzzer run
such as .ci/schemathesis.sh). The setting is read on every request, so tests may change it.
Anonymous visitors of the docs page are sent to the login page; of the schema, answered 401 like
the rest of the API.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseBase
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView


class ApiDocsPermission(BasePermission):
    """Anyone when API_DOCS_PUBLIC is on; otherwise a logged-in user (session or token)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(settings.API_DOCS_PUBLIC or request.user.is_authenticated)


schema = SpectacularAPIView.as_view(permission_classes=[ApiDocsPermission])
_swagger = SpectacularSwaggerSplitView.as_view(
    url_name="api-schema",
    template_name="api/swagger_ui.html",
    permission_classes=[ApiDocsPermission],
)


def docs(request: HttpRequest) -> HttpResponseBase:
    """Swagger UI (and, with `?script`, its init script), or the login page first."""
    if not (settings.API_DOCS_PUBLIC or request.user.is_authenticated):
        return redirect_to_login(request.get_full_path())
    return _swagger(request)
