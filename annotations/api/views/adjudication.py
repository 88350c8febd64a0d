"""Adjudication of an article (reviewers): decisions on its merged items make its gold set."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from annotations import adjudication
from annotations.access import get_article_for_user
from annotations.api import serializers as s
from annotations.api.views.common import (
    ProjectScoped,
    actor_by_id,
    actors_by_id,
    caller,
    claim_type_by_name,
    label_by_name,
    validated,
)
from annotations.models import Project


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
        elif data["outcome"] == "edited":
            changes = _changes(article.project, data["changes"])
            decision = adjudication.adjudication_edit(
                source_id=data["source_id"], changes=changes, **common
            )
        else:
            decision = adjudication.adjudication_reject(**common)
        return Response(s.AdjudicationDecisionOutput(decision).data, status=201)


def _changes(project: Project, data: dict[str, Any]) -> dict[str, Any]:
    """The service's changes for validated input: names and ids become the rows they name."""
    changes: dict[str, Any] = {}
    for name, value in data.items():
        if name == "label":
            changes[name] = label_by_name(project, value)
        elif name in {"actor", "claimant"}:
            changes[name] = actor_by_id(project, value, name)
        elif name == "targets":
            changes[name] = actors_by_id(project, value, name)
        elif name == "claim_type":
            changes[name] = claim_type_by_name(project, value)
        elif name == "level":
            level = project.threat_levels.filter(name=value).first()
            if level is None:
                names = list(project.threat_levels.values_list("name", flat=True))
                raise ValidationError(
                    {"level": f"No threat level named {value!r}; the levels are {names}."}
                )
            changes[name] = level
        else:
            changes[name] = value
    return changes


class AdjudicationUndo(ProjectScoped):
    @extend_schema(request=s.AdjudicationInput, responses={200: s.AdjudicationDecisionOutput})
    def post(self, request: Request, slug: str, article_id: int) -> Response:
        """Withdraw your most recent decision on the article: its item is undecided again
        (reviewers). The history keeps the withdrawn decision."""
        article = get_article_for_user(self.access(), article_id)
        data = validated(s.AdjudicationInput, request.data)
        withdrawn = adjudication.adjudication_undo(
            article=article, user=caller(request), expected_version=data["expected_version"]
        )
        return Response({"key": withdrawn.key, "kind": withdrawn.kind, "undone": withdrawn.outcome})


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
