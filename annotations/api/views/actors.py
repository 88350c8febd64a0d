"""The project's actor registry, and its exchange as CSV or JSON files."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from annotations import services
from annotations.access import MANAGER, check_may_create_actors
from annotations.actor_registry import (
    CONTENT_TYPES,
    FORMATS,
    RegistryRejected,
    registry_export,
    registry_filename,
    registry_import,
)
from annotations.api import serializers as s
from annotations.api.parsers import FormParser, MultiPartParser
from annotations.api.views.common import ProjectScoped, actor_by_id, validated
from annotations.importing import ImportRejected, read_upload
from annotations.models import Actor


class ActorList(ProjectScoped, generics.ListAPIView):
    serializer_class = s.ActorOutput

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="Part of a canonical name or an alias.")]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Actor]:
        actors = Actor.objects.filter(project=self.project()).prefetch_related("aliases")
        query = self.request.query_params.get("q", "").replace("\x00", "")[:200]
        return actors.matching(query) if query else actors

    @extend_schema(request=s.ActorInput, responses={201: s.ActorOutput})
    def post(self, request: Request, slug: str) -> Response:
        """Add an actor to the registry (managers; annotators when the project allows it)."""
        project = self.project()
        check_may_create_actors(self.access())
        data = validated(s.ActorInput, request.data)
        data["affiliation"] = actor_by_id(project, data["affiliation"], "affiliation")
        actor = services.actor_save(project=project, **data)
        return Response(s.ActorOutput(actor).data, status=status.HTTP_201_CREATED)


class ActorDetail(ProjectScoped, generics.RetrieveAPIView):
    serializer_class = s.ActorOutput

    def get_object(self) -> Actor:
        return actor_by_id(self.project(), self.kwargs["actor_id"], "actor")


class ActorRegistryExport(ProjectScoped):
    @extend_schema(
        parameters=[
            OpenApiParameter("registry_format", str, OpenApiParameter.PATH, enum=list(FORMATS))
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, "application/json"): s.ActorRegistryEntry(many=True),
        },
    )
    def get(self, request: Request, slug: str, registry_format: str) -> HttpResponse:
        """The registry as a file, CSV or JSON (any member: every member reads the registry
        through the actor list already). The import takes the file back, here or in another
        project."""
        project = self.project()
        if registry_format not in FORMATS:
            raise Http404("No such format; choose csv or json.")
        response = HttpResponse(
            registry_export(project=project, format=registry_format),
            content_type=CONTENT_TYPES[registry_format],
        )
        filename = registry_filename(project, registry_format)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class ActorRegistryImport(ProjectScoped):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": s.ActorRegistryImportInput},
        responses={200: s.ActorRegistryImportOutput},
    )
    def post(self, request: Request, slug: str) -> Response:
        """Import a registry file, CSV or JSON (managers), all of it or nothing: 400 lists
        every problem under "file", each naming the line. An actor with the same external id
        or canonical name as one in the registry is that actor: the file's aliases are added
        and the fields the registry leaves empty filled; a line that contradicts the registry
        is refused."""
        project = self.project(MANAGER)
        data = validated(s.ActorRegistryImportInput, request.data)
        upload = data["file"]
        try:
            report = registry_import(
                project=project,
                filename=upload.name or "upload",
                data=read_upload(upload).read(),
                format=data.get("format"),
            )
        except ImportRejected as error:  # too large
            raise ValidationError({"file": [str(error)]}) from None
        except RegistryRejected as error:
            raise ValidationError({"file": error.messages}) from None
        return Response(s.ActorRegistryImportOutput(vars(report)).data)
