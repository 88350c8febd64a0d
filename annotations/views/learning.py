"""The Models page: the project's trained models per kind, their evaluation on the held-out
gold, a learning curve, which one is live and why, and a manager's "Train now"
(annotations.learning.training). Reviewers read it; annotators do not see it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from annotations import tasks
from annotations.access import (
    MANAGER,
    REVIEWER_OR_MANAGER,
    get_project_for_user,
    trained_models_visible_to,
)
from annotations.learning.training import gold_approved_since_training
from annotations.models import Project, TrainedModel
from annotations.views.common import project_context, shows_refusals
from workbench.http import AuthenticatedHttpRequest


def curve_chart(points: list[dict[str, Any]]) -> dict[str, Any]:
    """A line chart of F1 (0 to 1) against the number of training gold articles (0 to the
    most), in the agreement page's style."""
    width, height, left, bottom_pad, top, right_pad = 480, 220, 50, 44, 14, 20
    right = width - right_pad
    bottom = height - bottom_pad
    most = max((p["articles"] for p in points), default=1) or 1

    def x(articles: float) -> float:
        return round(left + articles / most * (right - left), 1)

    def y(f1: float) -> float:
        return round(top + (1 - min(max(f1, 0.0), 1.0)) * (bottom - top), 1)

    drawn = [
        {"x": x(p["articles"]), "y": y(p["f1"]), "articles": p["articles"], "f1": p["f1"]}
        for p in points
        if p.get("f1") is not None
    ]
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": right,
        "top": top,
        "bottom": bottom,
        "points": drawn,
        "line": " ".join(f"{p['x']},{p['y']}" for p in drawn),
        "y_ticks": [{"y": y(v), "label": f"{v:g}"} for v in (0, 0.2, 0.4, 0.6, 0.8, 1.0)],
        "x_ticks": [{"x": x(p["articles"]), "label": p["articles"]} for p in points],
    }


def _labels(model: TrainedModel, order: list[str]) -> list[dict[str, Any]]:
    """The model's figures per label, level or type, in the project's order (a threat scale
    from low to high). A figure with nothing to measure is None ("n/a"): precision with
    nothing predicted, recall with nothing in gold."""
    labels = model.evaluation.get("labels", {})
    place = {name: index for index, name in enumerate(order)}
    rows = []
    for name in sorted(labels, key=lambda name: (place.get(name, len(place)), name)):
        figures = labels[name]
        predicted, support = figures.get("predicted", 0), figures.get("support", 0)
        rows.append(
            {
                **figures,
                "name": name,
                "precision": figures.get("precision") if predicted else None,
                "recall": figures.get("recall") if support else None,
                "f1": figures.get("f1") if predicted or support else None,
            }
        )
    return rows


def _order(project: Project, kind: str) -> list[str]:
    """The names of what a model of `kind` tells apart, in the project's order."""
    if kind == TrainedModel.Kind.THREAT:
        return list(project.threat_levels.order_by("rank").values_list("name", flat=True))
    if kind == TrainedModel.Kind.CLAIM_TYPE:
        return list(project.claim_types.order_by("position", "name").values_list("name", flat=True))
    return list(project.labels.values_list("name", flat=True))


@login_required
@require_GET
def model_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_project_for_user(request.user, slug, roles=REVIEWER_OR_MANAGER)
    models = list(trained_models_visible_to(access).select_related("requested_by"))
    kinds = []
    for kind, title in TrainedModel.Kind.choices:
        rows = [m for m in models if m.kind == kind]
        live = next((m for m in rows if m.is_live), None)
        shown = live or next((m for m in rows if m.status == TrainedModel.Status.READY), None)
        kinds.append(
            {
                "kind": kind,
                "title": title,
                "models": rows,
                "live": live,
                "shown": shown,
                "labels": _labels(shown, _order(access.project, kind)) if shown else [],
                "curve": curve_chart(shown.learning_curve) if shown else None,
            }
        )
    busy = any(
        m.status in {TrainedModel.Status.QUEUED, TrainedModel.Status.TRAINING} for m in models
    )
    return render(
        request,
        "annotations/models.html",
        project_context(
            access,
            kinds=kinds,
            busy=busy,
            may_train=access.holds(MANAGER),
            new_gold=gold_approved_since_training(access.project),
        ),
    )


@login_required
@require_POST
@shows_refusals
def models_train(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Queue a training of every model kind the gold allows (managers)."""
    access = get_project_for_user(request.user, slug, roles=MANAGER)  # managers train
    queued = tasks.training_start(project=access.project, user=request.user)
    names = ", ".join(f"{m.get_kind_display().lower()} v{m.version}" for m in queued)
    messages.success(request, f"Training queued: {names}.")
    return redirect("annotations:models", access.project.slug)
