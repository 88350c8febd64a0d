"""Projects, their members and their vocabularies: labels, claim types and threat levels."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from annotations import services
from annotations.access import MANAGER, projects_visible_to
from annotations.api import serializers as s
from annotations.api.views.common import ProjectScoped, validated
from annotations.models import ClaimType, Label, Membership, Project, ThreatLevel


class ProjectList(generics.ListAPIView):
    """The projects you are a member of."""

    serializer_class = s.ProjectOutput

    def get_queryset(self) -> QuerySet[Project]:
        return projects_visible_to(self.request.user)


class ProjectDetail(ProjectScoped, generics.RetrieveAPIView):
    serializer_class = s.ProjectOutput

    def get_object(self) -> Project:
        return self.project()


class MembershipList(ProjectScoped, generics.ListAPIView):
    serializer_class = s.MembershipOutput

    def get_queryset(self) -> QuerySet[Membership]:
        return self.project().memberships.select_related("user")


class LabelList(ProjectScoped, generics.ListAPIView):
    serializer_class = s.LabelOutput

    def get_queryset(self) -> QuerySet[Label]:
        return Label.objects.filter(project=self.project())

    @extend_schema(request=s.LabelInput, responses={201: s.LabelOutput})
    def post(self, request: Request, slug: str) -> Response:
        """Add a label (managers only)."""
        project = self.project(MANAGER)
        data = validated(s.LabelInput, request.data)
        label = services.label_create(project=project, **data)
        return Response(s.LabelOutput(label).data, status=status.HTTP_201_CREATED)


class ClaimTypeList(ProjectScoped, generics.ListAPIView):
    serializer_class = s.ClaimTypeOutput

    def get_queryset(self) -> QuerySet[ClaimType]:
        return ClaimType.objects.filter(project=self.project())


class ThreatLevelList(ProjectScoped, generics.ListAPIView):
    serializer_class = s.ThreatLevelOutput

    def get_queryset(self) -> QuerySet[ThreatLevel]:
        return ThreatLevel.objects.filter(project=self.project())
