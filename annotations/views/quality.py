"""Quality control pages: annotators' scores against gold (a project table, a page per
annotator, a CSV export), the differences of a control item from gold (training mode), and the
managers' quality settings with the control items. Who sees whose scores: annotations.access."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from annotations import services
from annotations.access import (
    MANAGER,
    ProjectAccess,
    get_article_for_user,
    get_control_attempt_for_user,
    get_project_for_user,
    gold_scores_visible_to,
    may_see_scores_of,
    sees_every_score,
)
from annotations.agreement import claims_by_range, iso_week
from annotations.errors import Conflict
from annotations.forms import QualitySettingsForm
from annotations.learning.effect import suggestion_effect
from annotations.models import AnnotationSet, Article, GoldScore, Span, ThreatAssessment
from annotations.scoring import summarise
from annotations.views.agreement import trend_chart
from annotations.views.common import project_context
from workbench.http import AuthenticatedHttpRequest


def _labels(access: ProjectAccess) -> dict[int, str]:
    return dict(access.project.labels.values_list("pk", "name"))


def _table(access: ProjectAccess) -> list[dict[str, Any]]:
    """One row per annotator whose scores the user may see: their summed scores."""
    rows: dict[int, list[dict[str, float]]] = defaultdict(list)
    controls: dict[int, int] = defaultdict(int)
    for annotator_id, stats, is_control in gold_scores_visible_to(access).values_list(
        "annotator_id", "stats", "is_control"
    ):
        rows[annotator_id].append(stats)
        controls[annotator_id] += is_control
    names = dict(get_user_model().objects.filter(pk__in=rows).values_list("pk", "username"))
    labels = _labels(access)
    return [
        {
            "annotator_id": pk,
            "username": names.get(pk, str(pk)),
            "controls": controls[pk],
            **summarise(stats, labels),
        }
        for pk, stats in sorted(rows.items(), key=lambda item: names.get(item[0], ""))
    ]


def _effect(access: ProjectAccess) -> dict[str, Any]:
    """Work with and without suggestions compared (annotations.learning.effect): every
    annotator's sets at once, so only for those who see every score."""
    if not sees_every_score(access):
        raise PermissionDenied("Only those who see every annotator's scores see this comparison.")
    stats = GoldScore.objects.filter(project=access.project).values_list("stats", flat=True)
    return suggestion_effect(stats)


@login_required
@require_GET
def score_table(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_project_for_user(request.user, slug)
    sees_all = sees_every_score(access)
    return render(
        request,
        "annotations/scores.html",
        project_context(
            access,
            rows=_table(access),
            sees_all=sees_all,
            effect=_effect(access) if sees_all else None,
        ),
    )


EFFECT_FIGURES = [
    ("exact_f1", "spans_exact_f1"),
    ("overlap_f1", "spans_overlap_f1"),
    ("median_seconds", "median_seconds_to_submit"),
    ("accepted_kept_exact", "accepted_spans_kept_exact"),
    ("accepted_kept_overlap", "accepted_spans_kept_overlap"),
    ("hand_kept_exact", "hand_spans_kept_exact"),
    ("hand_kept_overlap", "hand_spans_kept_overlap"),
]


@login_required
@require_GET
def suggestion_effect_csv(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The comparison with and without suggestions as CSV: one row per group and figure (the
    difference as a group of its own), with its interval or why it is undefined."""
    access = get_project_for_user(request.user, slug)
    effect = _effect(access)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"{access.project.slug}-suggestions-effect.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(["group", "sets", "figure", "value", "ci_low", "ci_high", "n_a_reason"])
    if effect["reason"]:
        writer.writerow(["", 0, "", "", "", "", effect["reason"]])
    for group in effect["groups"]:
        for key, column in EFFECT_FIGURES:
            figure = group[key]
            writer.writerow(
                [group["key"], group["sets"], column]
                + [figure["value"], figure["low"], figure["high"], figure["reason"]]
            )
        for key, column in [
            ("p25_seconds", "p25_seconds_to_submit"),
            ("p75_seconds", "p75_seconds_to_submit"),
            ("timed", "sets_timed"),
            ("accepted", "accepted_spans"),
            ("hand", "hand_spans"),
        ]:
            writer.writerow([group["key"], group["sets"], column, group[key], "", "", ""])
    for key, column in EFFECT_FIGURES[:3]:
        figure = effect["difference"][key]
        writer.writerow(
            ["with_minus_without", effect["drawn"], column]
            + [figure["value"], figure["low"], figure["high"], figure["reason"]]
        )
    return response


def _csv_cell(value: object) -> object:
    """A cell a spreadsheet will not run as a formula."""
    if isinstance(value, str) and value[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + value
    return "" if value is None else value


@login_required
@require_GET
def score_table_csv(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_project_for_user(request.user, slug)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{access.project.slug}-scores.csv"'
    writer = csv.writer(response)
    fields = ["type", "claimant", "targets", "reliability", "credibility"]
    writer.writerow(
        [
            "annotator",
            "sets_scored",
            "control_items",
            "label",
            "exact_precision",
            "exact_recall",
            "exact_f1",
            "overlap_precision",
            "overlap_recall",
            "overlap_f1",
            "actor_link_accuracy",
            *(f"claim_{f}_accuracy" for f in fields),
            "threat_level_mean_distance",
        ]
    )
    for row in _table(access):
        common = [row["actor_links"], *(row["claims"][f] for f in fields), row["threat_distance"]]
        for label, spans in [("(all)", row["spans"])] + [(r["label"], r) for r in row["labels"]]:
            writer.writerow(
                [
                    _csv_cell(value)
                    for value in [
                        row["username"],
                        row["sets"],
                        row["controls"],
                        label,
                        spans["exact"]["precision"],
                        spans["exact"]["recall"],
                        spans["exact"]["f1"],
                        spans["overlap"]["precision"],
                        spans["overlap"]["recall"],
                        spans["overlap"]["f1"],
                        *common,
                    ]
                ]
            )
    return response


@login_required
@require_GET
def annotator_scores(request: AuthenticatedHttpRequest, slug: str, user_id: int) -> HttpResponse:
    access = get_project_for_user(request.user, slug)
    annotator = get_user_model().objects.filter(pk=user_id).first()
    if annotator is None or not may_see_scores_of(access, user_id):
        raise Http404("No such annotator.")
    scores = list(
        gold_scores_visible_to(access)
        .filter(annotator_id=user_id)
        .select_related("article")
        .order_by("handed_in_at", "pk")
    )
    labels = _labels(access)
    by_week: dict[str, list[dict[str, float]]] = defaultdict(list)
    for score in scores:
        week = iso_week(score.handed_in_at) if score.handed_in_at else "not handed in"
        by_week[week].append(score.stats)
    trend = []
    for week, rows in sorted(by_week.items()):
        summary = summarise(rows, labels)
        f1 = summary["spans"]["overlap"]["f1"]
        trend.append(
            {
                "period": week,
                "articles": len(rows),
                "overlap_f1": {"value": f1, "low": None, "high": None, "reason": "no spans"},
            }
        )
    own = user_id == access.user.pk
    controls = [
        s
        for s in scores
        if s.is_control and (sees_every_score(access) or (own and access.project.training_mode))
    ]
    return render(
        request,
        "annotations/annotator_scores.html",
        project_context(
            access,
            annotator=annotator,
            summary=summarise([s.stats for s in scores], labels),
            trend=trend_chart(trend, "overlap_f1"),
            trend_rows=trend,
            controls=controls,
        ),
    )


def guideline_passage(text: str, label: str) -> str:
    """The section of the guidelines whose Markdown heading names the label, or ""."""
    sections = re.split(r"(?m)^(?=#{1,6} )", text)
    pattern = re.compile(rf"\b{re.escape(label)}\b", re.IGNORECASE)
    for section in sections:
        heading = section.split("\n", 1)[0]
        if heading.startswith("#") and pattern.search(heading):
            return section.strip()
    return ""


def _spans(annotation_set: AnnotationSet) -> list[Span]:
    return list(annotation_set.spans.select_related("label", "actor").order_by("start", "end"))


def differences(attempt: AnnotationSet, gold: AnnotationSet) -> dict[str, Any]:
    """How a control attempt differs from gold: span by span, claims, the threat level."""
    mine, theirs = _spans(attempt), _spans(gold)
    rows = []
    for g in theirs:
        same = [m for m in mine if m.label_id == g.label_id and m.start < g.end and g.start < m.end]
        exact = next((m for m in same if (m.start, m.end) == (g.start, g.end)), None)
        other = [
            m for m in mine if (m.start, m.end) == (g.start, g.end) and m.label_id != g.label_id
        ]
        if exact is not None:
            verdict = "correct" if exact.actor_id == g.actor_id else "other actor"
            yours = exact
        elif same:
            verdict, yours = "boundaries differ", same[0]
        elif other:
            verdict, yours = "other label", other[0]
        else:
            verdict, yours = "missed", None
        rows.append({"gold": g, "yours": yours, "verdict": verdict, "label": g.label})
    for m in mine:
        if not any(m.start < g.end and g.start < m.end for g in theirs):
            rows.append({"gold": None, "yours": m, "verdict": "not in gold", "label": m.label})
    claims = claims_by_range([attempt.pk, gold.pk])
    claim_rows = []
    for stating, gold_claims in claims.get(gold.pk, {}).items():
        my_claims = claims.get(attempt.pk, {}).get(stating, [])
        for claim in gold_claims:
            wrong = [f for f in claim if not any(c[f] == claim[f] for c in my_claims)]
            claim_rows.append(
                {
                    "quote": attempt.article.body[stating[0] : stating[1]],
                    "missed": not my_claims,
                    "wrong": wrong,
                }
            )
    levels = {
        assessment.annotation_set_id: assessment.level
        for assessment in ThreatAssessment.objects.filter(
            annotation_set__in=[attempt, gold]
        ).select_related("level")
    }
    return {
        "spans": sorted(rows, key=lambda row: (row["gold"] or row["yours"]).start),
        "claims": claim_rows,
        "your_level": levels.get(attempt.pk),
        "gold_level": levels.get(gold.pk),
    }


@login_required
@require_GET
def control_feedback(request: AuthenticatedHttpRequest, slug: str, set_id: int) -> HttpResponse:
    access = get_project_for_user(request.user, slug)
    attempt = get_control_attempt_for_user(access, set_id)
    gold = AnnotationSet.objects.adjudicated().filter(article=attempt.article).first()
    if gold is None:
        raise Http404("This control item has no gold set any more.")
    diff = differences(attempt, gold)
    guideline = attempt.guideline_version or access.project.current_guideline()
    passages = {}
    if guideline is not None:
        for row in diff["spans"]:
            if row["verdict"] != "correct" and row["label"].name not in passages:
                passages[row["label"].name] = guideline_passage(guideline.text, row["label"].name)
    return render(
        request,
        "annotations/control_feedback.html",
        project_context(
            access,
            attempt=attempt,
            article=attempt.article,
            diff=diff,
            passages={k: v for k, v in passages.items() if v},
            guideline=guideline,
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def quality_settings(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_project_for_user(request.user, slug, roles=MANAGER)
    project = access.project
    form = QualitySettingsForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        services.quality_settings_update(project=project, user=request.user, **form.cleaned_data)
        messages.success(request, "Quality settings saved.")
        return redirect("annotations:quality-settings", slug)
    candidates = (
        Article.objects.filter(project=project).adjudicated().only("id", "title", "is_control")
    )
    return render(
        request,
        "annotations/quality_settings.html",
        project_context(access, form=form, candidates=candidates),
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def control_item(request: AuthenticatedHttpRequest, slug: str, article_id: int) -> HttpResponse:
    access = get_project_for_user(request.user, slug, roles=MANAGER)
    article = get_article_for_user(access, article_id)
    try:
        services.control_item_set(
            article=article, is_control=request.POST.get("is_control") == "1", user=request.user
        )
    except (Conflict, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        state = "is now a control item" if article.is_control else "is no longer a control item"
        messages.success(request, f"“{article.title}” {state}.")
    return redirect("annotations:quality-settings", slug)
