"""The server is the source of truth: bad spans, claims and assessments are refused with a
message the page shows, and nothing is stored."""

import pytest
from django.urls import reverse

from annotations.models import (
    Actor,
    AnnotationSet,
    Claim,
    ClaimType,
    Span,
    ThreatAssessment,
)
from tests.factories import AnnotationSetFactory, ArticleFactory, SpanFactory

HX = {"HX-Request": "true"}
BODY_PESKOV = (21, 34, "Dmitry Peskov")


@pytest.fixture
def post(client, annotator, annotation_set, project):
    client.force_login(annotator)

    def send(name, data, *args, set_id=None):
        url = reverse(
            f"annotations:{name}", args=[project.slug, set_id or annotation_set.pk, *args]
        )
        return client.post(url, data, headers=HX)

    return send


def span_data(project, start=21, end=34, quote="Dmitry Peskov", **more):
    label = project.labels.get(name="actor")
    return {"start": start, "end": end, "quote": quote, "label": label.pk, **more}


def nothing_stored(annotation_set):
    annotation_set.refresh_from_db()
    return (
        not Span.objects.exists()
        and annotation_set.version == 0
        and annotation_set.status == AnnotationSet.Status.ASSIGNED
    )


def test_it_stores_a_span_whose_quote_matches_the_text(post, project, annotation_set):
    response = post("span-create", span_data(project))
    assert response.status_code == 200
    span = Span.objects.get()
    assert (span.start, span.end, span.quote) == BODY_PESKOV
    assert "Dmitry Peskov" in response.text
    annotation_set.refresh_from_db()
    assert annotation_set.status == AnnotationSet.Status.IN_PROGRESS


def test_it_stores_offsets_after_astral_characters_as_code_points(
    post, project, annotation_set, article
):
    # "👩‍👩‍👧" at the end is 5 code points (8 UTF-16 units); "مرحبا" is right before it.
    start = article.body.index("مرحبا")
    response = post("span-create", span_data(project, start, start + 5, "مرحبا"))
    assert response.status_code == 200
    start = article.body.index("👩")
    response = post("span-create", span_data(project, start, len(article.body), "👩‍👩‍👧"))
    assert response.status_code == 200
    assert [s.quote for s in Span.objects.order_by("start")] == ["مرحبا", "👩‍👩‍👧"]


def test_it_accepts_a_quote_across_a_line_break_sent_as_crlf(post, project, article):
    start = article.body.index("NATO.")
    end = article.body.index(" 🇺🇦")
    response = post("span-create", span_data(project, start, end, "NATO.\r\nZelensky"))
    assert response.status_code == 200
    assert Span.objects.get().quote == "NATO.\nZelensky"


@pytest.mark.parametrize(
    ("start", "end", "quote", "message"),
    [
        (21, 999, "Dmitry Peskov", "beyond the text"),
        (-1, 12, "Dmitry Peskov", "negative"),
        (34, 21, "Dmitry Peskov", "must be before"),
        (21, 34, "Dmitri Peskov", "does not match"),
        (22, 35, "Dmitry Peskov", "does not match"),
        ("x", 34, "Dmitry Peskov", "start"),
    ],
)
def test_it_refuses_bad_offsets_and_quotes_and_stores_nothing(
    post, project, annotation_set, start, end, quote, message
):
    response = post("span-create", span_data(project, start, end, quote))
    assert response.status_code == 400
    assert message in response.text
    assert response["HX-Retarget"] == "#errors"
    assert nothing_stored(annotation_set)


def test_it_refuses_a_label_from_another_project(post, project, other_project, annotation_set):
    label = other_project.labels.get(name="actor")
    response = post("span-create", {**span_data(project), "label": label.pk})
    assert response.status_code == 400
    assert "label" in response.text
    assert nothing_stored(annotation_set)


def test_it_refuses_an_actor_from_another_project(post, project, other_project, annotation_set):
    actor = Actor.objects.create(project=other_project, name="Dmitry Peskov")
    response = post("span-create", span_data(project, actor=actor.pk))
    assert response.status_code == 400
    assert "actor" in response.text
    assert nothing_stored(annotation_set)


def test_it_refuses_linking_a_span_to_an_actor_from_another_project(
    post, project, other_project, annotation_set
):
    span = SpanFactory(annotation_set=annotation_set, start=21, end=34)
    actor = Actor.objects.create(project=other_project, name="Dmitry Peskov")
    response = post("span-update", {"actor": actor.pk}, span.pk)
    assert response.status_code == 400
    span.refresh_from_db()
    assert span.actor is None


def test_it_refuses_another_users_set(post, project, article, annotator2):
    theirs = AnnotationSetFactory(article=article, annotator=annotator2)
    response = post("span-create", span_data(project), set_id=theirs.pk)
    assert response.status_code == 404
    assert not Span.objects.exists()


def test_it_refuses_changes_to_a_submitted_set_and_stores_nothing(post, project, annotation_set):
    span = SpanFactory(annotation_set=annotation_set, start=0, end=7)
    AnnotationSet.objects.filter(pk=annotation_set.pk).update(status=AnnotationSet.Status.SUBMITTED)
    label = project.labels.get(name="location")
    level = project.threat_levels.first()
    attempts = [
        ("span-create", span_data(project), ()),
        ("span-update", {"label": label.pk}, (span.pk,)),
        ("span-delete", {}, (span.pk,)),
        ("threat-set", {"level": level.pk}, ()),
        ("submit", {}, ()),
        (
            "claim-create",
            {"span": span.pk, "claim_type": ClaimType.objects.first().pk},
            (),
        ),
    ]
    for name, data, args in attempts:
        response = post(name, data, *args)
        assert response.status_code == 409, name
        assert "can no longer be changed" in response.text
    span.refresh_from_db()
    assert span.label.name != "location"
    assert Span.objects.count() == 1
    assert not Claim.objects.exists()
    assert not ThreatAssessment.objects.exists()


def test_it_refuses_deleting_a_span_that_states_a_claim(post, project, annotation_set):
    span = SpanFactory(annotation_set=annotation_set, start=0, end=7)
    Claim.objects.create(
        annotation_set=annotation_set, span=span, claim_type=ClaimType.objects.first()
    )
    response = post("span-delete", {}, span.pk)
    assert response.status_code == 409
    assert "delete the claim" in response.text
    assert Span.objects.filter(pk=span.pk).exists()


def test_it_creates_a_claim_with_claimant_span_targets_and_grading(post, project, annotation_set):
    peskov = Actor.objects.create(project=project, name="Dmitry Peskov")
    us = Actor.objects.create(project=project, name="United States")
    nato = Actor.objects.create(project=project, name="NATO")
    claimant_span = SpanFactory(annotation_set=annotation_set, start=21, end=34, actor=peskov)
    span = SpanFactory(annotation_set=annotation_set, start=35, end=59)
    warning = project.claim_types.get(name="warning")
    response = post(
        "claim-create",
        {
            "span": span.pk,
            "claim_type": warning.pk,
            "claimant_span": claimant_span.pk,
            "targets": [us.pk, nato.pk],
            "reliability": "B",
            "credibility": "2",
        },
    )
    assert response.status_code == 200
    claim = Claim.objects.get()
    assert (claim.claimant, claim.claimant_span, claim.grading) == (peskov, claimant_span, "B2")
    assert set(claim.targets.all()) == {us, nato}


def test_it_refuses_a_claim_with_a_target_from_another_project(
    post, project, other_project, annotation_set
):
    span = SpanFactory(annotation_set=annotation_set, start=35, end=59)
    foreign = Actor.objects.create(project=other_project, name="NATO")
    response = post(
        "claim-create",
        {"span": span.pk, "claim_type": project.claim_types.first().pk, "targets": [foreign.pk]},
    )
    assert response.status_code == 400
    assert "Targets" in response.text
    assert not Claim.objects.exists()


def test_it_refuses_a_claim_on_a_span_of_another_set(
    post, project, article, annotator2, annotation_set
):
    theirs = SpanFactory(
        annotation_set=AnnotationSetFactory(article=article, annotator=annotator2),
        start=0,
        end=7,
    )
    response = post(
        "claim-create", {"span": theirs.pk, "claim_type": project.claim_types.first().pk}
    )
    assert response.status_code == 400
    assert not Claim.objects.exists()


def test_it_sets_and_replaces_the_threat_assessment(post, project, annotation_set):
    span = SpanFactory(annotation_set=annotation_set, start=35, end=59)
    claim = Claim.objects.create(
        annotation_set=annotation_set, span=span, claim_type=project.claim_types.first()
    )
    low, severe = project.threat_levels.get(rank=0), project.threat_levels.get(rank=3)
    assert post("threat-set", {"level": low.pk}).status_code == 200
    response = post("threat-set", {"level": severe.pk, "rationale": "why", "claims": [claim.pk]})
    assert response.status_code == 200
    assessment = ThreatAssessment.objects.get()
    assert (assessment.level, assessment.rationale) == (severe, "why")
    assert list(assessment.claims.all()) == [claim]


def test_it_refuses_a_threat_level_from_another_project(
    post, project, other_project, annotation_set
):
    response = post("threat-set", {"level": other_project.threat_levels.first().pk})
    assert response.status_code == 400
    assert "Threat level" in response.text
    assert not ThreatAssessment.objects.exists()


def test_it_submits_and_locks_the_set(post, client, project, annotation_set):
    response = post("submit", {})
    assert response.status_code == 200
    assert response["HX-Redirect"].endswith(f"/articles/{annotation_set.article_id}/")
    annotation_set.refresh_from_db()
    assert annotation_set.status == AnnotationSet.Status.SUBMITTED
    page = client.get(response["HX-Redirect"])
    assert "can no longer be changed" in page.text
    assert 'data-editable="true"' not in page.text


def test_it_suggests_unlabelled_alias_occurrences_with_the_longest_name_winning(
    client, annotator, project, annotation_set
):
    peskov = Actor.objects.create(project=project, name="Dmitry Peskov")
    peskov.aliases.create(name="Peskov")
    Actor.objects.create(project=project, name="NATO")
    client.force_login(annotator)
    url = reverse("annotations:suggestions", args=[project.slug, annotation_set.pk])
    response = client.get(url, headers=HX)
    keys = response.context["suggestions"]
    assert [(s.quote, s.actor) for s in keys] == [
        ("Dmitry Peskov", peskov),
        ("NATO", Actor.objects.get(name="NATO")),
    ]


@pytest.fixture
def kremlin_set(project, annotator):
    """A set on an article that names the Kremlin in several cases and spacings."""
    article = ArticleFactory(
        project=project,
        body="Officials at the kremlin said nothing. KREMLIN sources disagreed.\n"
        "The  Kremlin\nspoke. Die STRASSE und die Straße.",
    )
    return AnnotationSetFactory(article=article, annotator=annotator)


def test_it_suggests_names_and_aliases_in_any_case_and_spacing(
    client, annotator, project, kremlin_set
):
    kremlin = Actor.objects.create(project=project, name="Kremlin")
    kremlin.aliases.create(name="the Kremlin")
    street = Actor.objects.create(project=project, name="Straße")
    client.force_login(annotator)
    url = reverse("annotations:suggestions", args=[project.slug, kremlin_set.pk])
    response = client.get(url, headers=HX)
    assert [(s.quote, s.actor) for s in response.context["suggestions"]] == [
        ("the kremlin", kremlin),
        ("KREMLIN", kremlin),
        ("The  Kremlin", kremlin),
        ("STRASSE", street),
        ("Straße", street),
    ]
    body = kremlin_set.article.body
    assert all(body[s.start : s.end] == s.quote for s in response.context["suggestions"])


def test_it_accepts_only_a_suggestion_still_offered_with_its_provenance(
    client, annotator, project, kremlin_set
):
    kremlin = Actor.objects.create(project=project, name="Kremlin")
    kremlin.aliases.create(name="the Kremlin")
    nato = Actor.objects.create(project=project, name="NATO")
    label = project.labels.get(name="actor")
    client.force_login(annotator)
    url = reverse("annotations:suggestions-accept", args=[project.slug, kremlin_set.pk])
    body = kremlin_set.article.body
    start = body.index("KREMLIN")
    for refused in (
        f"{start}-{start + 7}-{label.pk}-{nato.pk}",  # another actor's name
        f"{start - 1}-{start + 7}-{label.pk}-{kremlin.pk}",  # a space, then the name
        f"{start}-{start + 6}-{label.pk}-{kremlin.pk}",  # part of the name
        f"{start}-{start + 7}-{kremlin.pk}",  # not a key
    ):
        response = client.post(url, {"suggestion": refused}, headers=HX)
        assert response.status_code == 400
        assert "is not offered to this set, or no longer" in response.text
        assert not Span.objects.exists()
    at = body.index("the kremlin")
    keys = [
        f"{start}-{start + 7}-{label.pk}-{kremlin.pk}",
        f"{at}-{at + 11}-{label.pk}-{kremlin.pk}",
    ]
    assert client.post(url, {"suggestion": keys}, headers=HX).status_code == 200
    spans = Span.objects.order_by("start")
    assert [(s.quote, s.actor) for s in spans] == [("the kremlin", kremlin), ("KREMLIN", kremlin)]
    assert [s.provenance["suggester"] for s in spans] == ["gazetteer", "gazetteer"]
    assert [s.provenance["score"] for s in spans] == [0.9, 1.0]  # an alias, the name


@pytest.mark.parametrize("quote", ["the kremlin", "KREMLIN", "The  Kremlin"])
def test_it_offers_to_link_a_span_to_the_actor_named_like_it_in_any_case_and_spacing(
    client, annotator, project, kremlin_set, quote
):
    kremlin = Actor.objects.create(project=project, name="Kremlin")
    kremlin.aliases.create(name="the Kremlin")
    Actor.objects.create(project=project, name="Kremlin Palace Guard")
    start = kremlin_set.article.body.index(quote)
    span = SpanFactory(annotation_set=kremlin_set, start=start, end=start + len(quote))
    client.force_login(annotator)
    page = reverse("annotations:annotate", args=[project.slug, kremlin_set.article.pk])
    response = client.get(page, {"span": span.pk})
    assert response.context["suggested_actors"] == [kremlin]
    search = reverse("annotations:actor-search", args=[project.slug, kremlin_set.pk, span.pk])
    response = client.get(search, headers=HX)
    assert response.context["options"] == [kremlin]
    assert response.context["named_ids"] == {kremlin.pk}


def test_it_refuses_accepting_a_suggestion_that_is_not_an_alias_occurrence(
    post, project, annotation_set
):
    nato = Actor.objects.create(project=project, name="NATO")
    label = project.labels.get(name="actor")
    response = post("suggestions-accept", {"suggestion": f"0-7-{label.pk}-{nato.pk}"})
    assert response.status_code == 400
    assert nothing_stored(annotation_set)


def test_it_offers_the_actor_named_like_the_span_first(client, annotator, project, annotation_set):
    peskov = Actor.objects.create(project=project, name="Dmitry Peskov")
    Actor.objects.create(project=project, name="Dmitry Medvedev")
    span = SpanFactory(annotation_set=annotation_set, start=21, end=34)
    client.force_login(annotator)
    url = reverse("annotations:actor-search", args=[project.slug, annotation_set.pk, span.pk])
    response = client.get(url, {"q": "Dmitry"}, headers=HX)
    assert [actor.name for actor in response.context["options"]] == [
        peskov.name,
        "Dmitry Medvedev",
    ]


def test_it_creates_an_actor_inline_with_the_span_text_as_alias(
    client, annotator, project, annotation_set
):
    project.annotators_can_create_actors = True
    project.save()
    span = SpanFactory(annotation_set=annotation_set, start=0, end=7)
    client.force_login(annotator)
    url = reverse(
        "annotations:actor-create-inline", args=[project.slug, annotation_set.pk, span.pk]
    )
    response = client.post(url, {"name": "the Kremlin", "kind": "government_body"}, headers=HX)
    assert response.status_code == 200
    actor = Actor.objects.get(name="the Kremlin")
    assert [alias.name for alias in actor.aliases.all()] == ["Kremlin"]
    span.refresh_from_db()
    assert span.actor == actor
