"""The project's agreement dashboard (reviewers and managers): figures drawn as SVG charts."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from annotations import agreement
from annotations.access import REVIEWER_OR_MANAGER, get_project_for_user
from annotations.views.common import project_context
from workbench.http import AuthenticatedHttpRequest

BAR_WIDTH = 300
ROW_HEIGHT = 24


def _bars(rows: list[dict], fields: list[str]) -> list[dict]:
    """Rows with the pixel width of each figure's bar (figures are 0-1, or None)."""
    for index, row in enumerate(rows):
        row["y"] = index * ROW_HEIGHT
        row["bars"] = [
            {
                "field": name,
                "value": row[name],
                "width": round(max(row[name] or 0, 0) * BAR_WIDTH),
            }
            for name in fields
        ]
    return rows


def _trend_points(trend: list[dict], *, width=600, height=160, pad=20) -> dict:
    values = [(i, row["exact_f1"]) for i, row in enumerate(trend) if row["exact_f1"] is not None]
    if not values:
        return {"points": "", "dots": [], "width": width, "height": height}
    step = (width - 2 * pad) / max(len(trend) - 1, 1)
    dots = [
        {
            "x": round(pad + i * step, 1),
            "y": round(height - pad - value * (height - 2 * pad), 1),
            "period": trend[i]["period"],
            "value": value,
        }
        for i, value in values
    ]
    return {
        "points": " ".join(f"{d['x']},{d['y']}" for d in dots),
        "dots": dots,
        "width": width,
        "height": height,
        "baseline": height - pad,
        "top": pad,
    }


def _heat(value: float | None) -> str:
    return "heat-none" if value is None else f"heat-{max(0, min(10, round(value * 10)))}"


@login_required
@require_GET
def agreement_dashboard(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_project_for_user(request.user, slug, roles=REVIEWER_OR_MANAGER)
    figures = agreement.project_agreement(access.project)
    annotators = figures["annotators"]
    by_pair = {tuple(p["annotator_ids"]): p for p in figures["pairs"]}
    matrix = []
    for a in annotators:
        cells = []
        for b in annotators:
            pair = by_pair.get((a["id"], b["id"])) or by_pair.get((b["id"], a["id"]))
            value = pair["exact_f1"] if pair and a != b else None
            cells.append({"self": a == b, "value": value, "heat": _heat(value), "pair": pair})
        matrix.append({"annotator": a, "cells": cells})
    return render(
        request,
        "annotations/agreement.html",
        project_context(
            access,
            figures=figures,
            matrix=matrix,
            labels=_bars(figures["labels"], ["exact_f1", "overlap_f1"]),
            bar_width=BAR_WIDTH,
            chart_width=BAR_WIDTH + 260,
            chart_height=len(figures["labels"]) * ROW_HEIGHT + 4,
            trend=_trend_points(figures["trend"]),
        ),
    )
