"""What gold keeps from adjudication: the links between items, two labels on one range, the
overridden values of every kind in the native export, and claims accepted before their span."""

import orjson
import pytest

from annotations import adjudication, services
from annotations.errors import Conflict
from annotations.exports.records import iter_records
from annotations.models import (
    AdjudicationDecision,
    AnnotationSet,
    HistoryRecord,
    ThreatAssessment,
)

SENTENCE = "Kremlin spokesperson Dmitry Peskov warned the US and NATO."


def _claim(annotation_set, project, *, grading=("B", 2), level="moderate", claimant_span=None):
    sentence = annotation_set.spans.get(quote=SENTENCE)
    claim = services.claim_create(
        annotation_set=annotation_set,
        span=sentence,
        claim_type=project.claim_types.get(name="warning"),
        claimant=project.actors.get(name="Dmitry Peskov"),
        claimant_span=claimant_span,
        targets=[project.actors.get(name="NATO")],
        reliability=grading[0],
        credibility=grading[1],
        user=annotation_set.annotator,
    )
    services.threat_assessment_set(
        annotation_set=annotation_set,
        level=project.threat_levels.get(name=level),
        claims=[claim],
        user=annotation_set.annotator,
    )
    return claim


@pytest.fixture
def marked(project, annotator, annotator2, two_sets, actors, mark):
    """Both annotators marked the sentence, Peskov (the claimant's span) and a claim resting
    under their threat assessment; they disagree on the claim's grading and the threat level."""
    anna, alex = two_sets[annotator], two_sets[annotator2]
    for annotation_set, grading, level in (
        (anna, ("B", 2), "moderate"),
        (alex, ("C", 3), "severe"),
    ):
        peskov = mark(annotation_set, "Dmitry Peskov", "actor", "Dmitry Peskov")
        mark(annotation_set, SENTENCE, "claim")
        _claim(annotation_set, project, grading=grading, level=level, claimant_span=peskov)
        services.annotation_set_submit(annotation_set=annotation_set, user=annotation_set.annotator)
    return anna, alex


def _decide(article, reviewer, key, source=None, **kwargs):
    return adjudication.adjudication_accept(
        article=article,
        user=reviewer,
        key=key,
        source_id=source.pk if source else None,
        expected_version=None,
        **kwargs,
    )


def _gold(article):
    return AnnotationSet.objects.get(article=article, is_gold=True)


def _native_gold(project):
    [record] = [orjson.loads(orjson.dumps(r)) for r in iter_records(project)]
    return record


def test_the_threat_decided_first_still_rests_on_the_claims_accepted_later(
    project, article, reviewer, marked
):
    anna, alex = marked
    _decide(article, reviewer, "threat", anna.threat_assessment, reason_code="guideline")
    assert list(_gold(article).threat_assessment.claims.all()) == []  # no gold claim yet
    claim_key = next(i.key for i in adjudication.merge(article).items if i.kind == "claim")
    _decide(article, reviewer, claim_key, anna.claims.get(), reason_code="guideline")

    gold = _gold(article)
    [claim] = gold.claims.all()
    assert list(gold.threat_assessment.claims.all()) == [claim]
    assert claim.span.quote == SENTENCE
    assert claim.claimant_span is None  # Peskov's span is not in gold yet
    start = article.body.index("Dmitry Peskov")
    _decide(article, reviewer, f"span:{start}-{start + 13}")
    claim.refresh_from_db()
    assert claim.claimant_span.quote == "Dmitry Peskov"
    assert claim.claimant_span.annotation_set_id == gold.pk

    gold_set_approve(article, reviewer)
    record = _native_gold(project)
    assert record["threat_assessment"]["claims"] == [0]
    [exported] = record["claims"]
    assert record["spans"][exported["claimant_span"]]["quote"] == "Dmitry Peskov"
    assert record["spans"][exported["span"]]["quote"] == SENTENCE


def gold_set_approve(article, reviewer):
    merged = adjudication.merge(article)
    for item in merged.undecided():
        adjudication.adjudication_reject(
            article=article, user=reviewer, key=item.key, reason_code="other", expected_version=None
        )
    adjudication.gold_set_approve(article=article, user=reviewer, expected_version=None)


def test_accepting_a_claim_before_its_span_accepts_the_span_in_the_same_step(
    project, article, reviewer, marked
):
    anna, _ = marked
    merged = adjudication.merge(article)
    claim_key = next(i.key for i in merged.items if i.kind == "claim")
    span_key = claim_key.replace("claim:", "span:")

    _decide(article, reviewer, claim_key, anna.claims.get(), reason_code="guideline")

    decisions = {d.key: d for d in _gold(article).decisions.all()}
    assert decisions[span_key].outcome == "accepted"
    assert decisions[span_key].note == "Accepted with the claim it states."
    assert decisions[claim_key].gold_claim.span == decisions[span_key].gold_span


def test_a_claim_whose_span_was_rejected_says_so_quoting_the_whole_span(
    project, article, reviewer, marked
):
    anna, _ = marked
    span_key = next(i.key for i in adjudication.merge(article).items if i.quote == SENTENCE)
    adjudication.adjudication_reject(
        article=article, user=reviewer, key=span_key, reason_code="other", expected_version=None
    )
    with pytest.raises(Conflict) as refused:
        _decide(article, reviewer, span_key.replace("span:", "claim:"), anna.claims.get())
    assert f"“{SENTENCE}”" in refused.value.message


def test_messages_shorten_long_quotes_with_an_ellipsis_not_mid_phrase():
    long = "word " * 40
    message = adjudication.quoted(long.strip())
    assert message.startswith("“word") and message.endswith("word”")
    assert " … " in message
    assert len(message) < len(long)
    assert adjudication.quoted("NATO") == "“NATO”"


def test_two_labels_on_one_range_are_two_items_and_gold_keeps_both(
    project, article, reviewer, annotator, annotator2, two_sets, actors, mark
):
    anna, alex = two_sets[annotator], two_sets[annotator2]
    for annotation_set in (anna, alex):
        mark(annotation_set, "NATO", "location")
        mark(annotation_set, "NATO", "actor", "NATO")
        services.annotation_set_submit(annotation_set=annotation_set, user=annotation_set.annotator)

    merged = adjudication.merge(article)
    assert len(merged.items) == 2
    assert all(item.unanimous for item in merged.items)
    assert {item.label.name for item in merged.items} == {"location", "actor"}
    adjudication.adjudication_accept_unanimous(
        article=article, user=reviewer, expected_version=None
    )
    adjudication.gold_set_approve(article=article, user=reviewer, expected_version=None)

    record = _native_gold(project)
    assert sorted((s["quote"], s["label"]) for s in record["spans"]) == [
        ("NATO", "actor"),
        ("NATO", "location"),
    ]


def test_overridden_claim_grading_and_threat_level_stay_in_the_native_export(
    project, article, reviewer, marked
):
    anna, alex = marked
    merged = adjudication.merge(article)
    claim_key = next(i.key for i in merged.items if i.kind == "claim")
    _decide(article, reviewer, claim_key, anna.claims.get(), reason_code="guideline", note="B2")
    _decide(article, reviewer, "threat", alex.threat_assessment, reason_code="other")
    adjudication.adjudication_accept_unanimous(
        article=article, user=reviewer, expected_version=None
    )
    adjudication.gold_set_approve(article=article, user=reviewer, expected_version=None)

    record = _native_gold(project)
    assert record["claims"][0]["grading"] == "B2"
    assert record["threat_assessment"]["level"] == "severe"
    overridden = [
        (r["kind"], r["annotator"], r.get("grading"), r.get("level")) for r in record["rejected"]
    ]
    assert overridden == [("claim", "alex", "C3", None), ("threat", "anna", None, "moderate")]
    claim = record["rejected"][0]
    assert (claim["reason_code"], claim["note"], claim["quote"]) == ("guideline", "B2", SENTENCE)


def test_a_changed_decision_and_an_undo_are_each_in_the_history(project, article, reviewer, marked):
    anna, alex = marked
    _decide(article, reviewer, "threat", anna.threat_assessment, reason_code="guideline")
    _decide(article, reviewer, "threat", alex.threat_assessment, reason_code="guideline")
    gold = _gold(article)
    assert gold.threat_assessment.level.name == "severe"

    withdrawn = adjudication.adjudication_undo(
        article=article, user=reviewer, expected_version=None
    )
    assert withdrawn.key == "threat"
    assert not gold.decisions.exists()
    assert not ThreatAssessment.objects.filter(annotation_set=gold).exists()
    decisions = HistoryRecord.objects.filter(annotation_set_id=gold.pk, object_type="decision")
    assert [r.action for r in decisions.order_by("sequence")] == ["create", "update", "delete"]
    with pytest.raises(Conflict, match="no decision"):
        adjudication.adjudication_undo(article=article, user=reviewer, expected_version=None)
    assert AdjudicationDecision.objects.count() == 0


def test_the_api_edits_a_span_moving_its_boundaries_and_undoes_it(
    project, article, reviewer, marked
):
    from tests.api.conftest import token_client

    rita = token_client(reviewer)
    base = f"/api/v1/projects/{project.slug}/articles/{article.pk}/adjudication/"
    start = article.body.index("Dmitry Peskov")
    edited = rita.post(
        base + "decisions/",
        {
            "key": f"span:{start}-{start + 13}",
            "outcome": "edited",
            "changes": {"start": start - len("spokesperson "), "label": "actor"},
            "reason_code": "boundary",
        },
        format="json",
    )
    assert edited.status_code == 201, edited.content
    assert edited.json()["outcome"] == "edited"
    [span] = _gold(article).spans.all()
    assert span.quote == "spokesperson Dmitry Peskov"
    assert span.actor.name == "Dmitry Peskov"  # kept from the chosen version

    refused = rita.post(
        base + "decisions/",
        {"key": "threat", "outcome": "edited", "changes": {"level": "apocalyptic"}},
        format="json",
    )
    assert refused.status_code == 400
    assert "apocalyptic" in refused.json()["level"]

    undone = rita.post(base + "undo/", {}, format="json")
    assert undone.status_code == 200, undone.content
    assert undone.json()["key"] == f"span:{start}-{start + 13}"
    assert not _gold(article).spans.exists()


def test_the_page_reads_a_fixed_number_of_queries_however_many_items(
    client, project, article, reviewer, marked
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import SpanFactory

    url = f"/projects/{project.slug}/review/articles/{article.pk}/"
    client.force_login(reviewer)

    def queries(**params) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, params).status_code == 200
        return len(captured)

    adjudication.adjudication_accept_unanimous(
        article=article, user=reviewer, expected_version=None
    )
    few = queries()
    # Three more items, each marked by both annotators, and decided.
    for text in ("Kremlin", "US", "NATO"):
        start = article.body.index(text)
        for annotation_set in marked:
            SpanFactory(
                annotation_set=annotation_set,
                start=start,
                end=start + len(text),
                quote=text,
                label=project.labels.get(name="location"),
            )
    decided = adjudication.adjudication_accept_unanimous(
        article=article, user=reviewer, expected_version=None
    )
    assert len(decided) == 3
    assert queries() == few
    assert queries(item="threat") == few


def test_an_edit_that_names_another_claimant_drops_the_old_claimant_span(
    project, article, reviewer, marked
):
    anna, _ = marked
    start = article.body.index("Dmitry Peskov")
    _decide(article, reviewer, f"span:{start}-{start + 13}")
    claim_key = next(i.key for i in adjudication.merge(article).items if i.kind == "claim")
    adjudication.adjudication_edit(
        article=article,
        user=reviewer,
        key=claim_key,
        source_id=anna.claims.get().pk,
        changes={"claimant": project.actors.get(name="Russia")},
        reason_code="wrong_actor",
        expected_version=None,
    )
    [claim] = _gold(article).claims.all()
    assert claim.claimant.name == "Russia"
    assert claim.claimant_span is None
    assert (claim.reliability, claim.credibility) == ("B", 2)  # the rest from anna's version
