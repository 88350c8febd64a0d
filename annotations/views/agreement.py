"""The project's agreement page (reviewers and managers): the stored figures (see
annotations.agreement), drawn as server-rendered SVG charts with axes, and tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from annotations import agreement
from annotations.access import REVIEWER_OR_MANAGER, get_project_for_user, sees_every_score
from annotations.views.common import project_context
from workbench.http import AuthenticatedHttpRequest

# What each overall figure is, in the page's words.
OVERALL = [
    ("unitizing_alpha", "Spans, unitizing α (code points, partial overlap counts)"),
    ("unitizing_alpha_u", "Spans, Krippendorff's uα (boundaries; mean over articles)"),
    ("exact_f1", "Spans, exact-match F1"),
    ("overlap_f1", "Spans, overlap F1"),
    ("label_alpha", "Labels of the same range, Krippendorff's α"),
    ("label_ac1", "Labels of the same range, Gwet's AC1"),
    ("claim_type_alpha", "Claims: type, α"),
    ("claim_claimant_alpha", "Claims: claimant, α"),
    ("claim_targets_alpha", "Claims: targets, α"),
    ("claim_reliability_alpha", "Claims: source reliability (A–F), α"),
    ("claim_credibility_alpha", "Claims: information credibility (1–6), α"),
    ("threat_level_alpha", "Threat level, α ordinal"),
    ("threat_level_interval_alpha", "Threat level, α interval"),
    ("threat_level_ac2", "Threat level, Gwet's AC2 (quadratic weights)"),
]

LEFT, PLOT, ROW = 350, 360, 26  # forest chart: label column, plot width, row height (px)
LOW, HIGH = -0.2, 1.0  # the coefficient axis


def _x(value: float) -> float:
    clamped = min(max(value, LOW), HIGH)
    return round(LEFT + (clamped - LOW) / (HIGH - LOW) * PLOT, 1)


def _ticks() -> list[dict[str, Any]]:
    return [{"x": _x(v), "label": f"{v:g}"} for v in (-0.2, 0, 0.2, 0.4, 0.6, 0.8, 1.0)]


def forest(rows: list[tuple[str, dict]]) -> dict[str, Any]:
    """A forest chart: one row per (name, figure), a dot at the value and a line over the 95%
    interval; undefined figures say "n/a" and why."""
    drawn = []
    for index, (name, figure) in enumerate(rows):
        y = 20 + index * ROW
        row: dict[str, Any] = {"name": name, "y": y, "figure": figure}
        if figure["value"] is not None:
            row["x"] = _x(figure["value"])
            if figure["low"] is not None:
                row["x1"], row["x2"] = _x(figure["low"]), _x(figure["high"])
        drawn.append(row)
    height = 20 + len(rows) * ROW + 36
    return {
        "rows": drawn,
        "width": LEFT + PLOT + 170,
        "height": height,
        "axis_y": height - 30,
        "left": LEFT,
        "right": LEFT + PLOT,
        "zero": _x(0),
        "ticks": _ticks(),
        "text_x": LEFT + PLOT + 10,
    }


def trend_chart(trend: list[dict], field: str) -> dict[str, Any]:
    """A line chart of `field` per period, with each point's 95% interval."""
    width, height, pad_left, pad_bottom, top = 720, 240, 50, 50, 16
    plot_h = height - pad_bottom - top
    step = (width - pad_left - 50) / max(len(trend) - 1, 1)

    def y(value: float) -> float:
        clamped = min(max(value, LOW), HIGH)
        return round(top + (HIGH - clamped) / (HIGH - LOW) * plot_h, 1)

    points = []
    for index, row in enumerate(trend):
        figure = row[field]
        point = {"x": round(pad_left + index * step, 1), "period": row["period"], "row": row}
        if figure["value"] is not None:
            point["y"] = y(figure["value"])
            if figure["low"] is not None:
                point["y1"], point["y2"] = y(figure["high"]), y(figure["low"])
        points.append(point)
    return {
        "width": width,
        "height": height,
        "left": pad_left,
        "right": width - 10,
        "top": top,
        "bottom": height - pad_bottom,
        "points": points,
        "line": " ".join(f"{p['x']},{p['y']}" for p in points if "y" in p),
        "ticks": [{"y": y(v), "label": f"{v:g}"} for v in (0, 0.2, 0.4, 0.6, 0.8, 1.0)],
        "label_every": max(1, len(trend) // 8),
    }


def _heat(value: float | None) -> str:
    return "heat-none" if value is None else f"heat-{max(0, min(10, round(value * 10)))}"


@login_required
@require_GET
def agreement_dashboard(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = get_project_for_user(request.user, slug, roles=REVIEWER_OR_MANAGER)
    figures = agreement.project_agreement(access.project)
    overall = figures["overall"]
    annotators = figures["annotators"]
    by_pair = {tuple(p["annotator_ids"]): p for p in figures["pairs"]}
    matrix = []
    for a in annotators:
        cells = []
        for b in annotators:
            pair = by_pair.get((a["id"], b["id"])) or by_pair.get((b["id"], a["id"]))
            figure = pair["overlap_f1"] if pair else None
            value = figure["value"] if figure and a != b else None
            cells.append({"self": a == b, "value": value, "heat": _heat(value), "pair": pair})
        matrix.append({"annotator": a, "cells": cells})
    label_rows = []
    for row in figures["labels"]:
        label_rows.append((f"{row['label']}: unitizing α", row["unitizing_alpha"]))
        label_rows.append((f"{row['label']}: uα", row["unitizing_alpha_u"]))
        label_rows.append((f"{row['label']}: overlap F1", row["overlap_f1"]))
    pair_rows = [
        (" · ".join(p["annotators"]) + ": labels κ", p["label_kappa"]) for p in figures["pairs"]
    ]
    return render(
        request,
        "annotations/agreement.html",
        project_context(
            access,
            figures=figures,
            computed_at=datetime.fromisoformat(figures["computed_at"]),
            intervals_at=(
                datetime.fromisoformat(figures["intervals_at"]) if figures["intervals_at"] else None
            ),
            overall=forest([(text, overall[key]) for key, text in OVERALL if key in overall]),
            labels=forest(label_rows),
            pair_chart=forest(pair_rows),
            matrix=matrix,
            trend=trend_chart(figures["trend"], "unitizing_alpha"),
            sees_all_scores=sees_every_score(access),
        ),
    )
