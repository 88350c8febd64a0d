"""Adjudication of one article (reviewers): the article text with the gold layer and each
annotator's layer side by side, the merged items beside it, and decisions made in place.

A decision posted by htmx answers with the next item's panel and, out of band, the item list,
the gold layer and the toolbar: no page load, the text and the list keep their scroll.
Without JavaScript every form posts and the page comes back whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Model, Prefetch, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from annotations import adjudicate_html, adjudication
from annotations.access import (
    REVIEWER,
    ProjectAccess,
    get_article_for_user,
    get_project_for_user,
    self_review_barred,
)
from annotations.errors import Conflict
from annotations.models import (
    Actor,
    AdjudicationDecision,
    Article,
    Claim,
    Credibility,
    Project,
    ReasonCode,
    Reliability,
    Span,
    ThreatAssessment,
)
from annotations.views.common import (
    int_param,
    optional_int_param,
    project_context,
    shows_refusals,
)
from workbench.http import AuthenticatedHttpRequest


@dataclass
class ShownVersion:
    """One way the annotators marked the current item, as its panel shows it."""

    version: adjudication.Version
    numbers: list[int]  # the annotators' keys that take it
    names: list[str]
    overrides: bool  # taking it overrides another annotator: a reason is asked
    chosen: bool  # the gold set holds this version


@dataclass
class Gold:
    """The gold set's rows, read once per page."""

    spans: list[Span]
    claims: dict[int, Claim]
    threat: ThreatAssessment | None


def _gold_rows(merged: adjudication.Merged) -> Gold:
    gold = merged.gold
    if gold is None:
        return Gold([], {}, None)
    spans = list(gold.spans.select_related("label", "actor"))
    claims = {
        c.pk: c
        for c in gold.claims.select_related("span", "claim_type", "claimant").prefetch_related(
            Prefetch("targets", queryset=Actor.objects.order_by("name"))
        )
    }
    threat = ThreatAssessment.objects.filter(annotation_set=gold).select_related("level").first()
    return Gold(spans, claims, threat)


def _gold_value(item: adjudication.Item, gold: Gold) -> adjudication.Value | None:
    decision = item.decision
    if decision is None or decision.outcome == AdjudicationDecision.Outcome.REJECTED:
        return None
    if item.kind == "span":
        span = next((s for s in gold.spans if s.pk == decision.gold_span_id), None)
        return adjudication.span_value(span) if span else None
    if item.kind == "claim":
        claim = gold.claims.get(decision.gold_claim_id or 0)
        return adjudication.claim_value(claim) if claim else None
    return (gold.threat.level_id,) if gold.threat else None


def _numbers(merged: adjudication.Merged) -> dict[int, int]:
    """Each annotator's key on the page: 1..k in the order of their sets."""
    return {annotator_id: n for n, annotator_id in enumerate(merged.annotator_ids, start=1)}


def _shown_versions(
    merged: adjudication.Merged, item: adjudication.Item, gold: Gold
) -> list[ShownVersion]:
    numbers = _numbers(merged)
    won = _gold_value(item, gold)
    shown = []
    for version in item.versions:
        keys = sorted(numbers[a] for a in version.annotator_ids)
        shown.append(
            ShownVersion(
                version=version,
                numbers=keys,
                names=version.annotators,
                overrides=len(version.annotator_ids) < item.total,
                chosen=won is not None and version.value == won,
            )
        )
    return shown


def _detail_context(
    access: ProjectAccess,
    merged: adjudication.Merged,
    gold: Gold,
    key: str | None,
    source_id: int | None = None,
) -> dict[str, object]:
    """The panel of the current item: its versions, its decision, and the edit form's values
    (those of the version `source_id`, else the chosen one, else the first)."""
    item = merged.find(key) if key else None
    if item is None:
        undecided = adjudicate_html.in_text_order(merged.undecided())
        item = undecided[0] if undecided else next(iter(_ordered(merged)), None)
    if item is None:
        return {"item": None}
    versions = _shown_versions(merged, item, gold)
    numbers = _numbers(merged)
    marked = {n for v in versions for n in v.numbers}
    absent = [
        (n, s.annotator.get_username() if s.annotator else "?")
        for s, n in zip(merged.sets, numbers.values(), strict=False)
        if n not in marked
    ]
    chosen = next((v for v in versions if v.chosen), None)
    start_from = next((v for v in versions if v.version.first.pk == source_id), None)
    start_from = start_from or chosen or (versions[0] if versions else None)
    project = access.project
    return {
        "item": item,
        "state": adjudicate_html.item_state(item),
        "state_words": adjudicate_html.STATE_WORDS[adjudicate_html.item_state(item)],
        "versions": versions,
        "absent": absent,
        "chosen": chosen,
        "start_from": start_from,
        "edit_row": start_from.version.first if start_from else None,
        "edit_span": _edit_span(item, gold),
        "sentence": adjudicate_html.sentence_html(merged.article.body, item),
        "labels": project.labels.all(),
        "actors": list(Actor.objects.filter(project=project).order_by("name")),
        "claim_types": project.claim_types.all(),
        "threat_levels": project.threat_levels.all(),
        "reliabilities": Reliability.choices,
        "credibilities": Credibility.choices,
    }


def _edit_span(item: adjudication.Item, gold: Gold) -> tuple[int | None, int | None]:
    """The boundaries the edit form starts from: gold's when an edit moved them."""
    decision = item.decision
    if item.kind == "span" and decision is not None and decision.gold_span_id:
        span = next((s for s in gold.spans if s.pk == decision.gold_span_id), None)
        if span is not None:
            return span.start, span.end
    return item.start, item.end


def _ordered(merged: adjudication.Merged) -> list[adjudication.Item]:
    return adjudicate_html.in_text_order(merged.items)


def _context(
    request: AuthenticatedHttpRequest,
    access: ProjectAccess,
    article: Article,
    *,
    key: str | None = None,
    source_id: int | None = None,
    advance: bool = False,
) -> dict[str, object]:
    """The page's context, its panel on the item `key` (or on the next undecided one after
    it, when `advance`: a decision moves the reviewer on)."""
    merged = adjudication.merge(article)
    if advance:
        key = _next_key(merged, key)
    gold = _gold_rows(merged)
    detail = _detail_context(access, merged, gold, key, source_id)
    current = detail["item"]
    items = _ordered(merged)
    undecided = len(merged.undecided())
    approved = bool(merged.gold and merged.gold.is_adjudicated)
    layers = adjudicate_html.layers(merged, gold.spans)
    return project_context(
        access,
        article=article,
        merged=merged,
        items=items,
        item_list=adjudicate_html.item_list_html(
            items, current.key if isinstance(current, adjudication.Item) else None
        ),
        layers=layers,
        layer_columns=len(layers),
        annotator_keys=[layer for layer in layers if layer.number is not None],
        gold_version=merged.gold.version if merged.gold else 0,
        reason_codes=ReasonCode.choices,
        undecided=undecided,
        unanimous_undecided=sum(1 for i in merged.undecided() if i.unanimous),
        gold_approved=approved,
        may_decide=merged.ready and not approved,
        own_work=self_review_barred(access, [s.annotator_id for s in merged.sets]),
        url=reverse("annotations:adjudicate", args=[access.project.slug, article.pk]),
        **detail,
    )


def _chosen[M: Model](rows: QuerySet[M], value: str | None, name: str) -> M | None:
    """The row among `rows` whose id a form field sent (None when it sent none)."""
    pk = optional_int_param(value, name)
    return None if pk is None else rows.filter(pk=pk).first()


def _actor(project: Project, value: str | None, name: str) -> Actor | None:
    actor_id = optional_int_param(value, name)
    if actor_id is None:
        return None
    actor = Actor.objects.filter(project=project, pk=actor_id).first()
    if actor is None:
        raise ValidationError(f"{name}: choose one of the project's actors.")
    return actor


def _edit_changes(request: AuthenticatedHttpRequest, project: Project, kind: str) -> dict[str, Any]:
    """The edited values a form sent, as the service takes them."""
    post = request.POST
    if kind == "span":
        label = _chosen(project.labels.all(), post.get("label"), "The label")
        if label is None:
            raise ValidationError("Choose a label for the edited span.")
        changes: dict[str, Any] = {
            "label": label,
            "actor": _actor(project, post.get("actor"), "The actor"),
        }
        for bound in ("start", "end"):
            value = optional_int_param(post.get(bound), f"The {bound}")
            if value is not None:
                changes[bound] = value
        return changes
    if kind == "claim":
        claim_type = _chosen(project.claim_types.all(), post.get("claim_type"), "The claim type")
        if claim_type is None:
            raise ValidationError("Choose a claim type for the edited claim.")
        targets = [_actor(project, t, "A target") for t in post.getlist("targets") if t]
        credibility = optional_int_param(post.get("credibility"), "The credibility")
        return {
            "claim_type": claim_type,
            "claimant": _actor(project, post.get("claimant"), "The claimant"),
            "targets": targets,
            "reliability": post.get("reliability", ""),
            "credibility": credibility,
            "note": post.get("claim_note", ""),
        }
    level = _chosen(project.threat_levels.all(), post.get("level"), "The threat level")
    if level is None:
        raise ValidationError("Choose a threat level.")
    return {"level": level, "rationale": post.get("rationale", "")}


def _adjudicate_post(
    request: AuthenticatedHttpRequest, project: Project, article: Article
) -> tuple[str, str | None]:
    """Carry out the posted decision: what to tell the reviewer, and the item it touched."""
    post = request.POST
    source_id = optional_int_param(post.get("source"), "The version")
    action = post.get("action") or ("accept" if source_id is not None else "")
    version = int_param(post.get("version"), "The version")
    common: dict[str, Any] = {"article": article, "user": request.user, "expected_version": version}
    decision: dict[str, Any] = {
        "reason_code": post.get("reason_code", ""),
        "note": post.get("note", ""),
    }
    key = post.get("key", "")
    if action == "accept_unanimous":
        accepted = adjudication.adjudication_accept_unanimous(**common)
        return f"Accepted {len(accepted)} unanimous item(s).", None
    if action == "approve":
        adjudication.gold_set_approve(**common)
        return "Gold set approved; adjudication is closed.", None
    if action == "undo":
        withdrawn = adjudication.adjudication_undo(**common)
        return f"Undone: the decision on {_item_name(withdrawn.key)}; it is undecided again.", (
            withdrawn.key
        )
    if action == "accept":
        adjudication.adjudication_accept(key=key, source_id=source_id, **common, **decision)
    elif action == "reject":
        adjudication.adjudication_reject(key=key, **common, **decision)
    elif action == "edit":
        kind = key.split(":")[0]
        adjudication.adjudication_edit(
            key=key,
            source_id=source_id,
            changes=_edit_changes(request, project, kind),
            **common,
            **decision,
        )
    else:
        raise ValidationError("Unknown action.")
    return "Decision saved.", key


def _item_name(key: str) -> str:
    kind = key.split(":")[0]
    where = key.partition(":")[2]
    return {"span": "the span", "claim": "the claim", "threat": "the threat level"}.get(
        kind, "the item"
    ) + (f" at {where.split(':')[0]}" if where else "")


def _next_key(merged: adjudication.Merged, key: str | None) -> str | None:
    """The undecided item after `key` in text order (from the top again at the end)."""
    items = _ordered(merged)
    keys = [i.key for i in items]
    after = keys.index(key) + 1 if key in keys else 0
    for item in items[after:] + items[:after]:
        if item.decision is None:
            return item.key
    return key


@login_required
@require_http_methods(["GET", "POST"])
@shows_refusals
def adjudicate(request: AuthenticatedHttpRequest, slug: str, article_id: int) -> HttpResponse:
    access = get_project_for_user(request.user, slug, roles=REVIEWER)
    article = get_article_for_user(access, article_id)
    template = "annotations/adjudicate.html"
    if request.method == "GET":
        key = request.GET.get("item")
        source_id = optional_int_param(request.GET.get("from"), "The version")
        context = _context(request, access, article, key=key, source_id=source_id)
        if request.htmx:
            return render(request, f"{template}#detail", context)
        return render(request, template, context)
    key = request.POST.get("key") or None
    try:
        message, touched = _adjudicate_post(request, access.project, article)
    except (Conflict, ValidationError) as error:
        text = error.message if isinstance(error, Conflict) else " ".join(error.messages)
        status = 409 if isinstance(error, Conflict) else 400
        context = _context(request, access, article, key=key)
        context["error"] = text
        if request.htmx:
            return render(request, f"{template}#update", context, status=status)
        return render(request, template, context, status=status)
    if request.htmx:
        undo = request.POST.get("action") == "undo"
        context = _context(request, access, article, key=touched, advance=not undo)
        context["message"] = message
        return render(request, f"{template}#update", context)
    messages.success(request, message)
    return redirect("annotations:adjudicate", slug=slug, article_id=article.pk)
