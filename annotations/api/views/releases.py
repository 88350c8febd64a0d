"""Dataset releases: defining one (built in the background), reading it, downloading its files."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response

from annotations import storage
from annotations.access import (
    MANAGER,
    get_release_file_for_user,
    get_release_for_user,
    releases_visible_to,
)
from annotations.api import serializers as s
from annotations.api.views.common import ProjectScoped, caller, validated
from annotations.models import Release
from annotations.releases import release_create, release_retry, releases_fail_stalled


class ReleaseList(ProjectScoped, generics.ListAPIView):
    """The project's releases you may read: gold releases for every member, releases of the
    annotators' own sets for managers and reviewers only."""

    serializer_class = s.ReleaseOutput

    def get_queryset(self) -> QuerySet[Release]:
        releases_fail_stalled(project=self.project())
        return releases_visible_to(self.access()).select_related("created_by")

    @extend_schema(request=s.ReleaseInput, responses={202: s.ReleaseDetailOutput})
    def post(self, request: Request, slug: str) -> Response:
        """Define a release (managers); it is built in the background: poll its status."""
        project = self.project(MANAGER)
        data = validated(s.ReleaseInput, request.data)
        release = release_create(
            project=project,
            user=caller(request),
            name=data["name"],
            formats=data["formats"],
            filter=data.get("filter"),
            split_seed=data["split_seed"],
            split_ratios=dict(data["split_ratios"]) if "split_ratios" in data else None,
        )
        release.refresh_from_db()
        return Response(s.ReleaseDetailOutput(release).data, status=202)


class ReleaseDetail(ProjectScoped, generics.RetrieveAPIView):
    """One release (404 for a release of annotators' sets unless you manage or review)."""

    serializer_class = s.ReleaseDetailOutput

    def get_object(self) -> Release:
        releases_fail_stalled(project=self.project())
        return get_release_for_user(self.access(), self.kwargs["version"])


class ReleaseRetry(ProjectScoped):
    @extend_schema(request=None, responses={202: s.ReleaseDetailOutput})
    def post(self, request: Request, slug: str, version: int) -> Response:
        """Build a failed release's definition again, as a new release with the next version
        (managers); 409 unless the release failed. The failed release keeps its reason."""
        access = self.access(MANAGER)
        release = release_retry(release=get_release_for_user(access, version), user=caller(request))
        release.refresh_from_db()
        return Response(s.ReleaseDetailOutput(release).data, status=202)


class ReleaseFileDownload(ProjectScoped):
    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
        }
    )
    def get(self, request: Request, slug: str, version: int, file_id: int) -> FileResponse:
        """Download one file of a ready release: of a gold release, any member; of a release of
        annotators' sets, managers and reviewers (annotators get 404)."""
        release_file = get_release_file_for_user(self.access(), version, file_id)
        return storage.file_response(release_file.path, filename=release_file.name)
