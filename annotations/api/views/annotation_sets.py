"""Annotation sets (an annotator's work on an article, or its gold set), and handing one in."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response

from annotations import services
from annotations.access import annotation_sets_visible_to
from annotations.api import serializers as s
from annotations.api.views.common import ProjectScoped, SetScoped, caller, validated
from annotations.models import AnnotationSet, Claim, Span


class AnnotationSetList(ProjectScoped, generics.ListAPIView):
    """Annotation sets you may see; annotators see only their own."""

    serializer_class = s.AnnotationSetOutput
    gold_only = False

    @extend_schema(parameters=[s.AnnotationSetFilter])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[AnnotationSet]:
        sets = annotation_sets_visible_to(self.access()).select_related(
            "annotator", "guideline_version"
        )
        filters = validated(s.AnnotationSetFilter, self.request.query_params)
        if self.gold_only:
            filters["is_gold"] = True
        if "status" in filters:
            sets = sets.filter(status=filters["status"])
        if "annotator" in filters:
            sets = sets.filter(annotator__username=filters["annotator"])
        if "label" in filters:
            sets = sets.filter(
                pk__in=Span.objects.filter(label__name=filters["label"]).values("annotation_set_id")
            )
        if "updated_since" in filters:
            sets = sets.filter(updated_at__gte=filters["updated_since"])
        if "article" in filters:
            sets = sets.filter(article_id=filters["article"])
        if filters.get("is_gold") is not None:
            sets = sets.filter(is_gold=filters["is_gold"])
        return sets


class GoldSetList(AnnotationSetList):
    """The project's gold sets (adjudicated or approved reference annotations)."""

    gold_only = True

    @extend_schema(parameters=[s.AnnotationSetFilter(partial=True)])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class AnnotationSetDetail(SetScoped, generics.RetrieveAPIView):
    """One annotation set with its spans, claims and threat assessment."""

    serializer_class = s.AnnotationSetDetailOutput

    def get_object(self) -> AnnotationSet:
        return (
            AnnotationSet.objects.select_related("annotator", "guideline_version")
            .prefetch_related(
                Prefetch("spans", queryset=Span.objects.select_related("label")),
                Prefetch(
                    "claims",
                    queryset=Claim.objects.select_related("claim_type").prefetch_related("targets"),
                ),
            )
            .get(pk=self.annotation_set().pk)
        )


class AnnotationSetSubmit(SetScoped):
    @extend_schema(request=None, responses={200: s.AnnotationSetOutput})
    def post(self, request: Request, slug: str, set_id: int) -> Response:
        """Hand your annotation set in for review; it is locked from then on."""
        annotation_set = services.annotation_set_submit(
            annotation_set=self.annotation_set(for_edit=True), user=caller(request)
        )
        return Response(s.AnnotationSetOutput(annotation_set).data)
