"""The threat assessment of an annotation set: a level on the project's scale, a rationale and
the claims it rests on."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from annotations import services
from annotations.api import serializers as s
from annotations.api.views.common import SetScoped, caller, validated
from annotations.models import Claim, ThreatAssessment, ThreatLevel


class ThreatAssessmentDetail(SetScoped):
    @extend_schema(responses={200: s.ThreatAssessmentOutput})
    def get(self, request: Request, slug: str, set_id: int) -> Response:
        annotation_set = self.annotation_set()
        assessment = ThreatAssessment.objects.filter(annotation_set=annotation_set).first()
        if assessment is None:
            raise Http404("This annotation set has no threat assessment.")
        return Response(s.ThreatAssessmentOutput(assessment).data)

    @extend_schema(request=s.ThreatAssessmentInput, responses={200: s.ThreatAssessmentOutput})
    def put(self, request: Request, slug: str, set_id: int) -> Response:
        """Create or replace the set's threat assessment."""
        annotation_set = self.annotation_set(for_edit=True)
        data = validated(s.ThreatAssessmentInput, request.data)
        project = self.project()
        level = ThreatLevel.objects.filter(project=project, name=data["level"]).first()
        if level is None:
            names = list(project.threat_levels.values_list("name", flat=True))
            raise ValidationError(
                {"level": f"No threat level named {data['level']!r}; the levels are {names}."}
            )
        claims = list(Claim.objects.filter(annotation_set=annotation_set, pk__in=data["claims"]))
        missing = sorted(set(data["claims"]) - {claim.pk for claim in claims})
        if missing:
            raise ValidationError({"claims": f"No claim(s) {missing} in this annotation set."})
        assessment = services.threat_assessment_set(
            annotation_set=annotation_set,
            level=level,
            rationale=data["rationale"],
            claims=claims,
            user=caller(request),
        )
        return Response(s.ThreatAssessmentOutput(assessment).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, slug: str, set_id: int) -> Response:
        services.threat_assessment_delete(
            annotation_set=self.annotation_set(for_edit=True), user=caller(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
