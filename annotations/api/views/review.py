"""Review: assigning articles, approving annotation sets or sending them back, comments, and
the project's agreement figures."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response

from annotations import agreement, assignment, reviewing
from annotations.access import MANAGER, REVIEWER_OR_MANAGER, get_article_for_user
from annotations.api import serializers as s
from annotations.api.views.common import (
    ProjectScoped,
    SetScoped,
    caller,
    member_by_username,
    span_by_id,
    validated,
)
from annotations.models import Claim, Comment, ThreatAssessment


class AssignmentCreate(ProjectScoped):
    @extend_schema(request=s.AssignmentInput, responses={201: s.AnnotationSetOutput})
    def post(self, request: Request, slug: str, article_id: int) -> Response:
        """Assign the article to an annotator (managers only)."""
        access = self.access(MANAGER)
        article = get_article_for_user(access, article_id)
        data = validated(s.AssignmentInput, request.data)
        annotator = member_by_username(access.project, data["annotator"])
        annotation_set = assignment.assignment_create(
            article=article, annotator=annotator, user=caller(request)
        )
        return Response(s.AnnotationSetOutput(annotation_set).data, status=201)


class AnnotationSetApprove(SetScoped):
    @extend_schema(request=None, responses={200: s.AnnotationSetOutput})
    def post(self, request: Request, slug: str, set_id: int) -> Response:
        """Approve a submitted set (reviewers)."""
        annotation_set = reviewing.annotation_set_approve(
            annotation_set=self.annotation_set(), user=caller(request)
        )
        return Response(s.AnnotationSetOutput(annotation_set).data)


class AnnotationSetRequestChanges(SetScoped):
    @extend_schema(request=s.RequestChangesInput, responses={200: s.AnnotationSetOutput})
    def post(self, request: Request, slug: str, set_id: int) -> Response:
        """Send a submitted set back to its annotator with a comment (reviewers)."""
        data = validated(s.RequestChangesInput, request.data)
        annotation_set = reviewing.annotation_set_request_changes(
            annotation_set=self.annotation_set(), user=caller(request), comment=data["comment"]
        )
        return Response(s.AnnotationSetOutput(annotation_set).data)


class CommentList(SetScoped, generics.ListAPIView):
    serializer_class = s.CommentOutput

    def get_queryset(self) -> QuerySet[Comment]:
        return Comment.objects.filter(annotation_set=self.annotation_set()).select_related("author")

    @extend_schema(request=s.CommentInput, responses={201: s.CommentOutput})
    def post(self, request: Request, slug: str, set_id: int) -> Response:
        """Comment on the set, or on one of its spans or claims or its threat assessment."""
        annotation_set = self.annotation_set()
        data = validated(s.CommentInput, request.data)
        claim = None
        if data["claim"] is not None:
            claim = Claim.objects.filter(annotation_set=annotation_set, pk=data["claim"]).first()
            if claim is None:
                raise ValidationError({"claim": f"No claim {data['claim']} in this set."})
        assessment = None
        if data["threat_assessment"]:
            assessment = ThreatAssessment.objects.filter(annotation_set=annotation_set).first()
            if assessment is None:
                raise ValidationError({"threat_assessment": "This set has no threat assessment."})
        comment = reviewing.comment_create(
            annotation_set=annotation_set,
            user=caller(request),
            body=data["body"],
            span=span_by_id(annotation_set, data["span"], "span"),
            claim=claim,
            threat_assessment=assessment,
        )
        return Response(s.CommentOutput(comment).data, status=201)


class Agreement(ProjectScoped):
    @extend_schema(
        responses={200: {"type": "object", "additionalProperties": True}},
        description="Inter-annotator agreement figures (reviewers and managers).",
    )
    def get(self, request: Request, slug: str) -> Response:
        project = self.project(REVIEWER_OR_MANAGER)
        return Response(agreement.project_agreement(project))
