"""What a set is offered, from every suggester at once: merged, filtered for the set, accepted
and rejected by key or in bulk above a score, with each accepted span's provenance in the
span, its history and the native export."""

import json

import pytest
from django.urls import reverse

from annotations.exports import export
from annotations.exports.records import Selection
from annotations.importing import ImportRejected, import_articles
from annotations.learning import Proposal, suggesters
from annotations.learning.suggesters import proposals_for_set
from annotations.models import (
    Actor,
    HistoryRecord,
    Prediction,
    PredictionSource,
    RejectedSuggestion,
    Span,
    TrainedModel,
)
from annotations.services import project_add_defaults
from tests.factories import MembershipFactory, ProjectFactory, SpanFactory

HX = {"HX-Request": "true"}
# The article (tests/conftest.py): "Kremlin spokesperson Dmitry Peskov warned the US and NATO..."
PESKOV = (21, 34)
NATO = (53, 57)


class Fixed:
    """A suggester that proposes what it is given."""

    def __init__(self, name, version, proposals):
        self.name, self.version, self.proposals = name, version, proposals

    def suggest(self, article):
        return [
            Proposal(suggester=self.name, version=self.version, **fields)
            for fields in self.proposals
        ]


@pytest.fixture
def source(project, article, manager):
    """An imported prediction source that predicts Peskov (0.87) and NATO (0.4) as actors."""
    label = project.labels.get(name="actor")
    source = PredictionSource.objects.create(
        project=project, name="spancat", version="v3", sha256="0" * 64, created_by=manager
    )
    for (start, end), score in ((PESKOV, 0.87), (NATO, 0.4)):
        Prediction.objects.create(
            source=source, article=article, start=start, end=end, label=label, score=score
        )
    return source


@pytest.fixture
def accept(client, annotator, project, annotation_set):
    client.force_login(annotator)
    url = reverse("annotations:suggestions-accept", args=[project.slug, annotation_set.pk])
    return lambda data: client.post(url, data, headers=HX)


def key(project, start, end, actor=None):
    label = project.labels.get(name="actor")
    return f"{start}-{end}-{label.pk}-{actor.pk if actor else 0}"


def test_it_merges_what_several_suggesters_propose_keeping_the_best_score(
    project, annotation_set, source
):
    peskov = Actor.objects.create(project=project, name="Dmitry Peskov")
    found = proposals_for_set(annotation_set)
    assert [(s.quote, s.score, s.sources[0].split()[0]) for s in found] == [
        ("Dmitry Peskov", 1.0, "registry"),
        ("NATO", 0.4, "spancat"),
    ]
    merged = found[0]
    assert merged.actor == peskov  # the registry names whom the model's span means
    assert merged.sources[1] == "spancat v3"
    assert found[1].source_text == "0.40 · spancat v3"


def test_it_offers_a_withheld_set_nothing(project, annotation_set, source):
    Actor.objects.create(project=project, name="NATO")
    annotation_set.suggestions_withheld = True
    annotation_set.save()
    assert proposals_for_set(annotation_set) == []


def test_it_skips_what_the_set_holds_and_regions_not_to_annotate(
    project, article, annotation_set, source
):
    label = project.labels.get(name="actor")
    SpanFactory(annotation_set=annotation_set, start=NATO[0], end=NATO[1], label=label)
    assert [s.quote for s in proposals_for_set(annotation_set)] == ["Dmitry Peskov"]
    article.not_to_annotate = [[0, 40]]
    article.save()
    annotation_set.refresh_from_db()
    assert proposals_for_set(annotation_set) == []


def test_it_drops_a_threat_level_already_chosen_and_claim_types_of_spans_with_claims(
    project, annotation_set
):
    level = project.threat_levels.first()
    claim_type = project.claim_types.first()
    fixed = Fixed(
        "classifier",
        "2",
        [
            {"kind": "threat", "score": 0.81, "threat_level_id": level.pk},
            {
                "kind": "claim_type",
                "score": 0.6,
                "start": 0,
                "end": 7,
                "claim_type_id": claim_type.pk,
            },
        ],
    )
    found = proposals_for_set(annotation_set, [fixed])
    assert [(s.kind, s.key) for s in found] == [
        ("claim_type", f"claim-0-7-{claim_type.pk}"),
        ("threat", f"threat-{level.pk}"),
    ]


def test_it_accepts_every_suggestion_scoring_at_least_the_threshold_in_one_step(
    project, annotation_set, source, accept
):
    response = accept({"above": "0.5"})
    assert response.status_code == 200
    span = Span.objects.get()
    assert (span.start, span.end) == PESKOV
    assert span.provenance == {"suggester": "spancat", "version": "v3", "score": 0.87}
    annotation_set.refresh_from_db()
    assert annotation_set.version == 1  # one step, undone at once
    assert "0.40 · spancat v3" in response.text  # NATO remains offered


@pytest.mark.parametrize("above", ["high", "1.5", "-0.1"])
def test_it_refuses_a_threshold_that_is_not_a_score(annotation_set, source, accept, above):
    response = accept({"above": above})
    assert response.status_code == 400
    assert "is not a score" in response.text
    assert not Span.objects.exists()


def test_it_keeps_the_provenance_in_the_history_and_the_native_export_and_import(
    project, annotation_set, source, accept, manager, tmp_path
):
    assert accept({"suggestion": key(project, *PESKOV)}).status_code == 200
    record = HistoryRecord.objects.get(object_type="span")
    provenance = {"suggester": "spancat", "version": "v3", "score": 0.87}
    assert record.after["provenance"] == provenance
    selection = Selection(sets="annotators")
    [path] = export(project=project, format="native", stem=tmp_path / "all", selection=selection)
    [line] = [json.loads(text) for text in path.read_bytes().splitlines()]
    assert [(s["quote"], s["provenance"]) for s in line["spans"]] == [("Dmitry Peskov", provenance)]
    # Read back by the native import, into a copy of the project.
    copy = ProjectFactory(slug="copy")
    project_add_defaults(project=copy)
    MembershipFactory(project=copy, user=annotation_set.annotator, role="annotator")
    import_articles(
        project=copy, filename="all.jsonl", data=path.read_bytes(), format="native", user=manager
    )
    assert Span.objects.get(annotation_set__article__project=copy).provenance == provenance


def test_it_remembers_a_rejection_with_its_label_and_suggester(
    client, project, annotator, annotation_set, source
):
    client.force_login(annotator)
    url = reverse("annotations:suggestion-reject", args=[project.slug, annotation_set.pk])
    response = client.post(url, {"suggestion": key(project, *NATO)}, headers=HX)
    assert response.status_code == 200
    rejected = RejectedSuggestion.objects.get()
    assert (rejected.start, rejected.end, rejected.label.name) == (*NATO, "actor")
    assert (rejected.actor, rejected.suggester) == (None, "spancat")
    assert [s.quote for s in proposals_for_set(annotation_set)] == ["Dmitry Peskov"]
    # The registry now names NATO too: the rejected span is still not offered.
    Actor.objects.create(project=project, name="NATO")
    assert [s.quote for s in proposals_for_set(annotation_set)] == ["Dmitry Peskov"]


def test_it_remembers_the_actor_of_a_rejected_registry_mention(
    client, project, annotator, annotation_set
):
    nato = Actor.objects.create(project=project, name="NATO")
    client.force_login(annotator)
    url = reverse("annotations:suggestion-reject", args=[project.slug, annotation_set.pk])
    response = client.post(url, {"suggestion": key(project, *NATO, nato)}, headers=HX)
    assert response.status_code == 200
    rejected = RejectedSuggestion.objects.get()
    assert (rejected.actor, rejected.label.name, rejected.suggester) == (nato, "actor", "gazetteer")
    assert proposals_for_set(annotation_set) == []
    again = client.post(url, {"suggestion": key(project, *NATO, nato)}, headers=HX)
    assert again.status_code == 400  # no longer offered
    assert RejectedSuggestion.objects.count() == 1


def test_it_records_an_accepted_threat_level_and_claim_type_with_provenance(
    client, project, annotator, annotation_set, monkeypatch
):
    level = project.threat_levels.last()
    claim_type = project.claim_types.last()
    label = project.labels.get(name="actor")
    span = SpanFactory(annotation_set=annotation_set, start=PESKOV[0], end=PESKOV[1], label=label)
    fixed = Fixed(
        "tfidf",
        "4",
        [
            {"kind": "threat", "score": 0.81, "threat_level_id": level.pk},
            {
                "kind": "claim_type",
                "score": 0.7,
                "start": span.start,
                "end": span.end,
                "claim_type_id": claim_type.pk,
            },
        ],
    )
    monkeypatch.setattr(suggesters.trained, "live_suggesters", lambda project, kinds=None: [fixed])
    TrainedModel.objects.create(
        project=project, kind="threat", version=4, status="ready", is_live=True
    )
    client.force_login(annotator)
    page = reverse("annotations:annotate", args=[project.slug, annotation_set.article_id])
    response = client.get(page, {"span": span.pk})
    assert "Suggested: <strong>" + level.name in response.text
    assert "0.81 · tfidf 4" in response.text
    assert f"{claim_type.name} (suggested)" in response.text
    args = [project.slug, annotation_set.pk]
    threat = client.post(
        reverse("annotations:threat-set", args=args),
        {"rationale": "as suggested", "suggestion": f"threat-{level.pk}"},
        headers=HX,
    )
    assert threat.status_code == 200
    annotation_set.threat_assessment.refresh_from_db()
    assessment = annotation_set.threat_assessment
    assert (assessment.level, assessment.rationale) == (level, "as suggested")
    assert assessment.provenance == {"suggester": "tfidf", "version": "4", "score": 0.81}
    claim_key = f"claim-{span.start}-{span.end}-{claim_type.pk}"
    claim = client.post(
        reverse("annotations:claim-create", args=args),
        {"span": span.pk, "claim_type": claim_type.pk, "suggestion": claim_key},
        headers=HX,
    )
    assert claim.status_code == 200
    assert span.claims.get().provenance == {"suggester": "tfidf", "version": "4", "score": 0.7}
    record = HistoryRecord.objects.filter(object_type="claim").get()
    assert record.after["provenance"]["suggester"] == "tfidf"


def test_it_records_no_provenance_when_the_annotator_chooses_another_claim_type(
    client, project, annotator, annotation_set, monkeypatch
):
    first, other = project.claim_types.all()[:2]
    span = SpanFactory(annotation_set=annotation_set, start=0, end=7)
    proposal = {"kind": "claim_type", "score": 0.7, "start": 0, "end": 7, "claim_type_id": first.pk}
    monkeypatch.setattr(
        suggesters.trained,
        "live_suggesters",
        lambda project, kinds=None: [Fixed("m", "1", [proposal])],
    )
    client.force_login(annotator)
    url = reverse("annotations:claim-create", args=[project.slug, annotation_set.pk])
    data = {"span": span.pk, "claim_type": other.pk, "suggestion": f"claim-0-7-{first.pk}"}
    assert client.post(url, data, headers=HX).status_code == 200
    assert span.claims.get().provenance is None


@pytest.mark.parametrize(
    "provenance",
    [{"suggester": "m", "version": "1", "score": 2}, {"score": 0.5}, "spancat", {"suggester": 3}],
)
def test_it_refuses_a_native_line_whose_provenance_is_not_one(
    project, manager, annotator, provenance
):
    line = {
        "text": "NATO met.",
        "title": "t",
        "gold": False,
        "annotator": annotator.username,
        "spans": [{"start": 0, "end": 4, "label": "actor", "provenance": provenance}],
    }
    with pytest.raises(ImportRejected, match=r"line 1: span 1: 'provenance' must be"):
        import_articles(
            project=project,
            filename="x.jsonl",
            data=json.dumps(line).encode(),
            format="native",
            user=manager,
        )
    assert not Span.objects.exists()


def test_a_claim_type_suggestion_gone_meanwhile_does_not_refuse_the_claim(
    client, project, annotator, annotation_set
):
    """The claim form carries the key of the type suggested when it was drawn; a newer model
    (or another tab) may no longer offer it. The annotator's choice stands, without
    provenance."""
    claim_type = project.claim_types.first()
    span = SpanFactory(annotation_set=annotation_set, start=0, end=7)
    client.force_login(annotator)
    url = reverse("annotations:claim-create", args=[project.slug, annotation_set.pk])
    data = {
        "span": span.pk,
        "claim_type": claim_type.pk,
        "suggestion": f"claim-0-7-{claim_type.pk}",
    }
    assert client.post(url, data, headers=HX).status_code == 200
    assert span.claims.get().provenance is None


def test_the_annotate_page_asks_the_live_models_only_for_what_it_shows(
    client, project, annotator, annotation_set, monkeypatch
):
    """Without the suggestions panel the page shows a suggested threat level, and a claim type
    for the chosen span: the span model (a whole-article tagging) is not run for them."""
    TrainedModel.objects.create(
        project=project, kind=TrainedModel.Kind.SPANS, version=1, status="ready", is_live=True
    )
    asked = []
    monkeypatch.setattr(
        suggesters.trained,
        "live_suggesters",
        lambda project, kinds=None: asked.append(sorted(kinds or ["every kind"])) or [],
    )
    span = SpanFactory(annotation_set=annotation_set, start=0, end=7)
    client.force_login(annotator)
    page = reverse("annotations:annotate", args=[project.slug, annotation_set.article_id])
    assert client.get(page).status_code == 200
    editor = reverse("annotations:span-detail", args=[project.slug, annotation_set.pk, span.pk])
    assert client.get(editor, headers=HX).status_code == 200
    assert asked == [["threat"], ["claim_type", "threat"]]
