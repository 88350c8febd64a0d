"""Reading an article with any one of its layers: reviewers and managers open every article
of their project read-only, switching between the annotators' sets and gold."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpResponse
from django.views.decorators.http import require_GET

from annotations.access import (
    REVIEWER_OR_MANAGER,
    annotation_sets_visible_to,
    get_article_for_user,
    get_project_for_user,
)
from annotations.annotate_html import article_body_html, segments_of
from annotations.models import ThreatAssessment
from annotations.views.common import project_context, render_page
from workbench.http import AuthenticatedHttpRequest


@login_required
@require_GET
def article_read(request: AuthenticatedHttpRequest, slug: str, article_id: int) -> HttpResponse:
    """The article with one layer (`?layer=<set id>`; gold, else the first set, by default)."""
    access = get_project_for_user(request.user, slug, roles=REVIEWER_OR_MANAGER)
    article = get_article_for_user(access, article_id)
    layers = list(
        annotation_sets_visible_to(access)
        .filter(article=article)
        .select_related("annotator", "guideline_version")
        .annotate(span_count=Count("spans"))
        .order_by("-is_gold", "annotator__username")
    )
    wanted = request.GET.get("layer", "")
    layer = next((s for s in layers if str(s.pk) == wanted), layers[0] if layers else None)
    spans, claims, assessment = [], [], None
    if layer is not None:
        spans = list(layer.spans.select_related("label", "actor").order_by("start", "end", "pk"))
        claims = list(
            layer.claims.select_related("claim_type", "claimant", "span")
            .prefetch_related("targets")
            .order_by("span__start", "pk")
        )
        assessment = (
            ThreatAssessment.objects.filter(annotation_set=layer)
            .select_related("level")
            .prefetch_related("claims")
            .first()
        )
    context = project_context(
        access,
        article=article,
        layers=layers,
        layer=layer,
        spans=spans,
        claims=claims,
        assessment=assessment,
        body_html=article_body_html(segments_of(article.body, spans)),
        labels=list(access.project.labels.all()),
        label_css_version="-".join(
            f"{pk}{colour[1:]}" for pk, colour in access.project.labels.values_list("pk", "colour")
        ),
    )
    return render_page(request, "annotations/article_read.html", context, partial="layer")
