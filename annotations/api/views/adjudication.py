"""Adjudication of an article (reviewers): decisions on its merged items make its gold set."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from annotations import adjudication
from annotations.access import get_article_for_user
from annotations.api import serializers as s
from annotations.api.views.common import ProjectScoped, caller, validated


class AdjudicationDecide(ProjectScoped):
    @extend_schema(
        request=s.AdjudicationDecisionInput, responses={201: s.AdjudicationDecisionOutput}
    )
    def post(self, request: Request, slug: str, article_id: int) -> Response:
        """Accept an annotator's version of a merged item into the gold set, or reject it
        (reviewers). Overriding an annotator needs a reason code."""
        article = get_article_for_user(self.access(), article_id)
        data = validated(s.AdjudicationDecisionInput, request.data)
        common = {
            "article": article,
            "user": caller(request),
            "key": data["key"],
            "reason_code": data["reason_code"],
            "note": data["note"],
            "expected_version": data["expected_version"],
        }
        if data["outcome"] == "accepted":
            decision = adjudication.adjudication_accept(source_id=data["source_id"], **common)
        else:
            decision = adjudication.adjudication_reject(**common)
        return Response(s.AdjudicationDecisionOutput(decision).data, status=201)


class AdjudicationAcceptUnanimous(ProjectScoped):
    @extend_schema(
        request=s.AdjudicationInput, responses={200: s.AdjudicationDecisionOutput(many=True)}
    )
    def post(self, request: Request, slug: str, article_id: int) -> Response:
        """Accept every item all annotators marked the same way (reviewers)."""
        article = get_article_for_user(self.access(), article_id)
        data = validated(s.AdjudicationInput, request.data)
        decisions = adjudication.adjudication_accept_unanimous(
            article=article, user=caller(request), expected_version=data["expected_version"]
        )
        return Response(s.AdjudicationDecisionOutput(decisions, many=True).data)


class GoldSetApprove(ProjectScoped):
    @extend_schema(request=s.AdjudicationInput, responses={200: s.AnnotationSetOutput})
    def post(self, request: Request, slug: str, article_id: int) -> Response:
        """Close adjudication: approve the article's gold set (reviewers)."""
        article = get_article_for_user(self.access(), article_id)
        data = validated(s.AdjudicationInput, request.data)
        gold = adjudication.gold_set_approve(
            article=article, user=caller(request), expected_version=data["expected_version"]
        )
        return Response(s.AnnotationSetOutput(gold).data)
