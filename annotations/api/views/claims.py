"""The claims of an annotation set: who claims what against whom, Admiralty-graded."""

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
from annotations.api.views.common import (
    SetScoped,
    actor_by_id,
    actors_by_id,
    caller,
    claim_type_by_name,
    span_by_id,
    validated,
)
from annotations.models import AnnotationSet, Claim, Project


def _claim_fields(
    project: Project, annotation_set: AnnotationSet, data: dict[str, Any]
) -> dict[str, Any]:
    """The service's arguments for validated input: ids and names become the rows they name."""
    fields: dict[str, Any] = {}
    for name, value in data.items():
        if name == "span":
            fields[name] = span_by_id(annotation_set, value, "span")
        elif name == "claimant_span":
            fields[name] = span_by_id(annotation_set, value, "claimant_span")
        elif name == "claim_type":
            fields[name] = claim_type_by_name(project, value)
        elif name == "claimant":
            fields[name] = actor_by_id(project, value, "claimant")
        elif name == "targets":
            fields[name] = actors_by_id(project, value, "targets")
        else:
            fields[name] = value
    return fields


def _claims() -> QuerySet[Claim]:
    return Claim.objects.select_related("claim_type").prefetch_related("targets")


class ClaimList(SetScoped, generics.ListAPIView):
    serializer_class = s.ClaimOutput

    def get_queryset(self) -> QuerySet[Claim]:
        return _claims().filter(annotation_set=self.annotation_set())

    @extend_schema(request=s.ClaimInput, responses={201: s.ClaimOutput})
    def post(self, request: Request, slug: str, set_id: int) -> Response:
        """Record a claim stated by one of the set's spans, optionally Admiralty-graded."""
        annotation_set = self.annotation_set(for_edit=True)
        data = validated(s.ClaimInput, request.data)
        fields = _claim_fields(self.project(), annotation_set, data)
        claim = services.claim_create(annotation_set=annotation_set, user=caller(request), **fields)
        return Response(s.ClaimOutput(_claims().get(pk=claim.pk)).data, status=201)


class ClaimDetail(SetScoped):
    def _get_claim(self, *, for_edit: bool = False) -> Claim:
        annotation_set = self.annotation_set(for_edit=for_edit)
        claim = _claims().filter(annotation_set=annotation_set, pk=self.kwargs["claim_id"]).first()
        if claim is None:
            raise Http404("No such claim.")
        return claim

    @extend_schema(responses={200: s.ClaimOutput})
    def get(self, request: Request, slug: str, set_id: int, claim_id: int) -> Response:
        return Response(s.ClaimOutput(self._get_claim()).data)

    @extend_schema(request=s.ClaimUpdateInput, responses={200: s.ClaimOutput})
    def patch(self, request: Request, slug: str, set_id: int, claim_id: int) -> Response:
        claim = self._get_claim(for_edit=True)
        data = validated(s.ClaimUpdateInput, request.data)
        fields = _claim_fields(self.project(), claim.annotation_set, data)
        claim = services.claim_update(claim=claim, user=caller(request), **fields)
        return Response(s.ClaimOutput(_claims().get(pk=claim.pk)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, slug: str, set_id: int, claim_id: int) -> Response:
        services.claim_delete(claim=self._get_claim(for_edit=True), user=caller(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
