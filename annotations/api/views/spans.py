"""The spans of an annotation set."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from annotations import services
from annotations.api import serializers as s
from annotations.api.views.common import SetScoped, actor_by_id, caller, label_by_name, validated
from annotations.models import Span


class SpanList(SetScoped, generics.ListAPIView):
    serializer_class = s.SpanOutput

    def get_queryset(self) -> QuerySet[Span]:
        return self.annotation_set().spans.select_related("label")

    @extend_schema(request=s.SpanInput, responses={201: s.SpanOutput})
    def post(self, request: Request, slug: str, set_id: int) -> Response:
        """Add a span. Offsets count Unicode code points; the quote must match the text."""
        annotation_set = self.annotation_set(for_edit=True)
        data = validated(s.SpanInput, request.data)
        project = self.project()
        span = services.span_create(
            annotation_set=annotation_set,
            start=data["start"],
            end=data["end"],
            quote=data["quote"],
            label=label_by_name(project, data["label"]),
            actor=actor_by_id(project, data["actor"], "actor"),
            note=data["note"],
            user=caller(request),
        )
        return Response(s.SpanOutput(span).data, status=status.HTTP_201_CREATED)


class SpanDetail(SetScoped):
    def _get_span(self, *, for_edit: bool = False) -> Span:
        annotation_set = self.annotation_set(for_edit=for_edit)
        span = (
            Span.objects.select_related("label", "annotation_set__article")
            .filter(annotation_set=annotation_set, pk=self.kwargs["span_id"])
            .first()
        )
        if span is None:
            raise Http404("No such span.")
        return span

    @extend_schema(responses={200: s.SpanOutput})
    def get(self, request: Request, slug: str, set_id: int, span_id: int) -> Response:
        return Response(s.SpanOutput(self._get_span()).data)

    @extend_schema(request=s.SpanUpdateInput, responses={200: s.SpanOutput})
    def patch(self, request: Request, slug: str, set_id: int, span_id: int) -> Response:
        """Relabel the span, link it to an actor (or null), or change its note."""
        span = self._get_span(for_edit=True)
        data = validated(s.SpanUpdateInput, request.data)
        project = self.project()
        changes: dict[str, Any] = {}
        if "label" in data:
            changes["label"] = label_by_name(project, data["label"])
        if "actor" in data:
            changes["actor"] = actor_by_id(project, data["actor"], "actor")
        if "note" in data:
            changes["note"] = data["note"]
        span = services.span_update(span=span, user=caller(request), **changes)
        return Response(s.SpanOutput(span).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, slug: str, set_id: int, span_id: int) -> Response:
        services.span_delete(span=self._get_span(for_edit=True), user=caller(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
