"""Editing a claim from the annotate page: type, claimant, targets, grading and note change
through the claim_update service; bad input is refused with a message and changes nothing."""

import pytest
from django.urls import reverse

from annotations.models import Actor, AnnotationSet, Claim, ClaimType
from tests.factories import SpanFactory

HX = {"HX-Request": "true"}


@pytest.fixture
def claim(project, annotation_set):
    label = project.labels.get(name="actor")
    kremlin = Actor.objects.create(project=project, name="the Kremlin")
    peskov = Actor.objects.create(project=project, name="Dmitry Peskov", affiliation=kremlin)
    Actor.objects.create(project=project, name="NATO")
    Actor.objects.create(project=project, name="United States")
    statement = SpanFactory(
        annotation_set=annotation_set, start=0, end=58, label=project.labels.get(name="claim")
    )
    SpanFactory(annotation_set=annotation_set, start=21, end=34, label=label, actor=peskov)
    claim = Claim.objects.create(
        annotation_set=annotation_set,
        span=statement,
        claim_type=project.claim_types.get(name="warning"),
        claimant=kremlin,
        reliability="B",
        credibility=2,
        note="first reading",
    )
    claim.targets.set([Actor.objects.get(name="NATO")])
    return claim


def _url(project, claim):
    return reverse(
        "annotations:claim-update", args=[project.slug, claim.annotation_set_id, claim.pk]
    )


def _state(claim):
    claim = Claim.objects.get(pk=claim.pk)
    targets = sorted(a.name for a in claim.targets.all())
    return (
        claim.claim_type.name,
        claim.claimant.name if claim.claimant else None,
        claim.claimant_span_id,
        targets,
        claim.grading,
        claim.note,
    )


def test_it_changes_every_field_of_a_claim_and_swaps_the_workspace(
    client, annotator, project, claim
):
    client.force_login(annotator)
    peskov_span = claim.annotation_set.spans.get(start=21)
    data = {
        "claim_type": project.claim_types.get(name="threat").pk,
        "claimant": "",
        "claimant_span": peskov_span.pk,
        "targets": [a.pk for a in Actor.objects.filter(name__in=["NATO", "United States"])],
        "reliability": "C",
        "credibility": "3",
        "note": "re-read: a threat <b>not</b> a warning",
    }
    response = client.post(_url(project, claim), data, headers=HX)
    assert response.status_code == 200
    assert 'id="workspace"' in response.text
    assert "<html" not in response.text
    assert "re-read: a threat &lt;b&gt;not&lt;/b&gt; a warning" in response.text
    assert _state(claim) == (
        "threat",
        "Dmitry Peskov",  # the claimant span's actor
        peskov_span.pk,
        ["NATO", "United States"],
        "C3",
        "re-read: a threat <b>not</b> a warning",
    )
    assert AnnotationSet.objects.get(pk=claim.annotation_set_id).version > 0


def test_it_clears_the_grading_and_targets(client, annotator, project, claim):
    client.force_login(annotator)
    data = {"claim_type": claim.claim_type_id, "claimant": claim.claimant_id, "reliability": ""}
    assert client.post(_url(project, claim), data, headers=HX).status_code == 200
    assert _state(claim) == ("warning", "the Kremlin", None, [], "", "")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"reliability": "Z"}, "Source reliability: Select a valid choice."),
        ({"credibility": "9"}, "Information credibility: Select a valid choice."),
        ({"claim_type": ""}, "Claim type: This field is required."),
        ({"claim_type": "999999"}, "Claim type: Select a valid choice."),
        ({"claimant_span": "999999"}, "Claimant&#x27;s span: Select a valid choice."),
    ],
)
def test_it_refuses_bad_input_with_a_message_and_changes_nothing(
    client, annotator, project, claim, change, message
):
    before = _state(claim)
    client.force_login(annotator)
    data = {"claim_type": claim.claim_type_id, "claimant": claim.claimant_id, **change}
    response = client.post(_url(project, claim), data, headers=HX)
    assert response.status_code == 400
    assert message in response.text
    assert response["HX-Retarget"] == "#errors"
    assert _state(claim) == before


def test_it_refuses_an_actor_or_claim_type_from_another_project(
    client, annotator, project, other_project, claim
):
    before = _state(claim)
    foreign = Actor.objects.create(project=other_project, name="Foreign actor")
    foreign_type = ClaimType.objects.filter(project=other_project).first()
    client.force_login(annotator)
    for change in (
        {"claimant": foreign.pk},
        {"targets": [foreign.pk]},
        {"claim_type": foreign_type.pk},
    ):
        data = {"claim_type": claim.claim_type_id, **change}
        response = client.post(_url(project, claim), data, headers=HX)
        assert response.status_code == 400
        assert "Select a valid choice" in response.text
    assert _state(claim) == before


def test_it_refuses_a_claimant_span_of_another_set(
    client, annotator, annotator2, project, article, claim
):
    from tests.factories import AnnotationSetFactory

    theirs = AnnotationSetFactory(article=article, annotator=annotator2)
    actor = Actor.objects.get(name="NATO")
    other_span = SpanFactory(
        annotation_set=theirs, start=49, end=53, label=project.labels.first(), actor=actor
    )
    before = _state(claim)
    client.force_login(annotator)
    data = {"claim_type": claim.claim_type_id, "claimant_span": other_span.pk}
    response = client.post(_url(project, claim), data, headers=HX)
    assert response.status_code == 400
    assert _state(claim) == before


def test_it_refuses_editing_a_claim_of_a_submitted_set(client, annotator, project, claim):
    AnnotationSet.objects.filter(pk=claim.annotation_set_id).update(
        status=AnnotationSet.Status.SUBMITTED
    )
    before = _state(claim)
    client.force_login(annotator)
    data = {"claim_type": project.claim_types.get(name="threat").pk, "reliability": "F"}
    response = client.post(_url(project, claim), data, headers=HX)
    assert response.status_code == 409
    assert "can no longer be changed" in response.text
    assert _state(claim) == before


def test_it_offers_the_edit_form_prefilled_only_while_the_set_is_editable(
    client, annotator, project, claim
):
    client.force_login(annotator)
    page_url = reverse("annotations:annotate", args=[project.slug, claim.annotation_set.article_id])
    html = client.get(page_url).text
    assert f'hx-post="{_url(project, claim)}"' in html
    assert '<option value="B" selected>' in html
    assert f'<option value="{claim.claim_type_id}" selected>warning</option>' in html
    AnnotationSet.objects.filter(pk=claim.annotation_set_id).update(
        status=AnnotationSet.Status.SUBMITTED
    )
    assert _url(project, claim) not in client.get(page_url).text


@pytest.mark.parametrize(
    ("visitor", "expected"),
    [
        ("manager", 403),
        ("reviewer", 403),
        ("annotator2", 404),
        ("outsider", 404),
        ("other_project_member", 404),
        ("annotator", 200),
    ],
)
def test_it_lets_only_the_sets_annotator_edit_a_claim(
    client, roles, project, claim, visitor, expected
):
    before = _state(claim)
    client.force_login(roles[visitor])
    data = {"claim_type": project.claim_types.get(name="denial").pk, "claimant": ""}
    response = client.post(_url(project, claim), data, headers=HX)
    assert response.status_code == expected
    assert (_state(claim) == before) == (expected != 200)


def test_it_sends_anonymous_visitors_to_log_in(client, project, claim):
    response = client.post(_url(project, claim), {"claim_type": claim.claim_type_id})
    assert response.status_code == 302
    assert Claim.objects.get(pk=claim.pk).claim_type.name == "warning"
