"""The project's actor registry."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from annotations import services
from annotations.access import check_may_create_actors
from annotations.api import serializers as s
from annotations.api.views.common import ProjectScoped, actor_by_id, validated
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
