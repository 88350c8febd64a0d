"""A native export of gold comes back as gold: its spans, claims and threat, the decisions
behind its rejected items, and its provenance; only a reviewer may bring it in."""

import orjson
import pytest
from django.core.management import CommandError, call_command

from annotations import adjudication
from annotations.exports.records import Selection
from annotations.importing import ImportRejected, import_articles
from annotations.models import (
    AdjudicationDecision,
    AnnotationSet,
    Claim,
    HistoryRecord,
    Membership,
    ThreatAssessment,
)
from annotations.services import annotation_set_submit
from tests.exports.conftest import add_span
from tests.exports.test_round_trip import ANNOTATORS, exported, new_project
from tests.factories import AnnotationSetFactory

GOLD = Selection()  # the approved gold sets
STATED = "Peskov warned the US and NATO"


def annotate(annotation_set, *, label, grading, level):
    """Kremlin as `label`, Peskov's warning graded `grading`, and the threat at `level`."""
    project = annotation_set.article.project
    add_span(annotation_set, "Kremlin", label)
    stated = add_span(annotation_set, STATED, "claim")
    claim = Claim.objects.create(
        annotation_set=annotation_set,
        span=stated,
        claim_type=project.claim_types.get(name="warning"),
        reliability=grading[0],
        credibility=int(grading[1]),
    )
    assessment = ThreatAssessment.objects.create(
        annotation_set=annotation_set, level=project.threat_levels.get(name=level)
    )
    assessment.claims.set([claim])
    annotation_set_submit(annotation_set=annotation_set, user=annotation_set.annotator)
    return claim, assessment


@pytest.fixture
def adjudicated(project, article, annotator, annotator2, reviewer):
    """anna and alex disagree on a label, a grading and the threat level; rita sides with anna
    each time, giving a reason, and approves the gold set."""
    anna = AnnotationSetFactory(article=article, annotator=annotator)
    alex = AnnotationSetFactory(article=article, annotator=annotator2)
    claim, assessment = annotate(anna, label="actor", grading="B2", level="moderate")
    annotate(alex, label="location", grading="C3", level="severe")
    start = article.body.index(STATED)
    stated = f"{start}-{start + len(STATED)}"
    for key, source, reason in [
        ("span:0-7", anna.spans.get(start=0), "wrong_label"),
        (f"span:{stated}", claim.span, ""),
        (f"claim:{stated}", claim, "guideline"),
        ("threat", assessment, "other"),
    ]:
        adjudication.adjudication_accept(
            article=article,
            user=reviewer,
            key=key,
            source_id=source.pk,
            reason_code=reason,
            note=f"{reason} <b>note</b>" if reason else "",
            expected_version=None,
        )
    adjudication.gold_set_approve(article=article, user=reviewer, expected_version=None)
    return project


@pytest.fixture
def copy(adjudicated, annotator, annotator2, reviewer):
    """A fresh project with the same vocabulary, annotators and reviewer."""
    copy = new_project(adjudicated, "copy", annotator, reviewer=reviewer)
    Membership.objects.create(project=copy, user=annotator2, role="annotator")
    return copy


def lines(data):
    return [orjson.loads(line) for line in data.splitlines()]


def test_a_reviewer_restores_gold_its_decisions_and_the_annotators_sets(
    adjudicated, copy, reviewer, tmp_path
):
    gold = exported(adjudicated, "native", tmp_path / "gold", GOLD)
    sets = exported(adjudicated, "native", tmp_path / "sets", ANNOTATORS)
    [record] = lines(gold)
    assert record["provenance"]["annotators"] == ["alex", "anna"]
    assert record["provenance"]["reviewer"] == "rita"
    assert {(r["kind"], r["annotator"], r["reason_code"]) for r in record["rejected"]} == {
        ("span", "alex", "wrong_label"),
        ("claim", "alex", "guideline"),
        ("threat", "alex", "other"),
    }

    # Gold first: the decisions still find the annotators' sets stored after it.
    report = import_articles(
        project=copy, filename="all.jsonl", data=gold + sets, format="native", user=reviewer
    )
    assert (report.imported, report.added_sets, report.gold_sets) == (1, 2, 1)
    restored = AnnotationSet.objects.get(article__project=copy, is_gold=True)
    assert restored.status == AnnotationSet.Status.APPROVED
    assert AdjudicationDecision.objects.filter(gold_set=restored).count() == 3
    assert exported(copy, "native", tmp_path / "gold2", GOLD) == gold
    assert exported(copy, "native", tmp_path / "sets2", ANNOTATORS) == sets
    call_command("verify_history", "--project", "copy")

    # The adjudication page reads the restored decisions as its own.
    merged = adjudication.merge(restored.article)
    assert {item.key for item in merged.items if item.decision} == {
        d.key for d in restored.decisions.all()
    }


def test_gold_alone_keeps_its_provenance_as_recorded_data(adjudicated, copy, reviewer, tmp_path):
    gold = exported(adjudicated, "native", tmp_path / "gold", GOLD)
    import_articles(project=copy, filename="gold.jsonl", data=gold, format="native", user=reviewer)
    [before] = lines(gold)
    [after] = lines(exported(copy, "native", tmp_path / "again", GOLD))
    assert after["gold"] is True
    for key in ("text", "spans", "claims", "threat_assessment"):
        assert after[key] == before[key]
    # Without the annotators' sets nothing links the rejected items to a row: the history
    # keeps them, and the provenance, as the file gave them.
    assert (after["rejected"], after["provenance"]["reviewer"]) == ([], None)
    entry = HistoryRecord.objects.get(
        project=copy, object_type="annotation_set", action="create", after__gold=True
    )
    assert entry.username == "rita"
    assert entry.after["import"]["provenance"] == before["provenance"]
    assert entry.after["import"]["rejected"] == before["rejected"]
    call_command("verify_history", "--project", "copy")


@pytest.mark.parametrize("who", ["manager", "annotator", None])
def test_only_a_reviewer_may_import_gold(adjudicated, copy, manager, annotator, tmp_path, who):
    Membership.objects.create(project=copy, user=manager, role="manager")
    user = {"manager": manager, "annotator": annotator, None: None}[who]
    gold = exported(adjudicated, "native", tmp_path / "gold", GOLD)
    sets = exported(adjudicated, "native", tmp_path / "sets", ANNOTATORS)
    with pytest.raises(ImportRejected) as caught:
        import_articles(
            project=copy, filename="all.jsonl", data=sets + gold, format="native", user=user
        )
    assert caught.value.line == 3
    assert "only the project's reviewers may import gold" in caught.value.reason
    assert not copy.articles.exists()


def test_a_reviewer_who_annotated_the_article_may_not_import_its_gold(
    adjudicated, copy, annotator, tmp_path
):
    Membership.objects.create(project=copy, user=annotator, role="reviewer")
    gold = exported(adjudicated, "native", tmp_path / "gold", GOLD)
    with pytest.raises(ImportRejected) as caught:
        import_articles(
            project=copy, filename="g.jsonl", data=gold, format="native", user=annotator
        )
    assert "you annotated this article" in caught.value.reason


def rejected_item(kind, record):
    return next(r for r in record["rejected"] if r["kind"] == kind)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            lambda r: r["provenance"]["annotators"].append("mallory"),
            "provenance: 'mallory' is not an annotator of the project",
        ),
        (
            lambda r: rejected_item("span", r).update(annotator="mallory"),
            "rejected item 1: its annotator 'mallory' is not among the provenance's",
        ),
        (
            lambda r: rejected_item("span", r).update(end=10**6, quote=None),
            "rejected item 1:",
        ),
        (
            lambda r: rejected_item("claim", r).update(start=-3),
            "rejected item 2:",
        ),
        (
            lambda r: rejected_item("span", r).update(label="weapon"),
            "rejected item 1: unknown label 'weapon'",
        ),
        (
            lambda r: rejected_item("threat", r).update(level="apocalyptic"),
            "rejected item 3: unknown threat level 'apocalyptic'",
        ),
        (
            lambda r: rejected_item("span", r).update(reason_code="because"),
            "'reason_code' must be one of",
        ),
        (
            lambda r: r["provenance"].update(reviewer="anna"),
            "the reviewer 'anna' is not a reviewer of the project",
        ),
        (
            lambda r: r["provenance"].update(reviewer=None),
            "the provenance names no reviewer",
        ),
        (
            lambda r: r["provenance"].update(adjudicated_at="last Tuesday"),
            "'adjudicated_at' 'last Tuesday' is not a date and time",
        ),
        (lambda r: r.update(annotator="anna"), "a gold set has no annotator"),
        (lambda r: r.update(gold="yes"), "'gold' must be true or false"),
        (lambda r: r.update(rejected={"kind": "span"}), "'rejected' must be a list"),
        # The annotators' sets are in the file, but alex marked nothing on this range.
        (
            lambda r: rejected_item("span", r).update(start=8, end=20, quote=None),
            "rejected item 1 points at alex's span at 8-20 (location), which alex's "
            "annotation set here does not hold",
        ),
    ],
)
def test_a_hostile_gold_line_is_refused_naming_it(
    adjudicated, copy, reviewer, tmp_path, change, reason
):
    [record] = lines(exported(adjudicated, "native", tmp_path / "gold", GOLD))
    change(record)
    sets = exported(adjudicated, "native", tmp_path / "sets", ANNOTATORS)
    with pytest.raises(ImportRejected) as caught:
        import_articles(
            project=copy,
            filename="bad.jsonl",
            data=sets + orjson.dumps(record),
            format="native",
            user=reviewer,
        )
    assert caught.value.line == 3
    assert reason in caught.value.reason
    assert not copy.articles.exists()
    assert not HistoryRecord.objects.filter(project=copy).exists()


def test_a_second_gold_line_for_the_same_text_is_a_duplicate(adjudicated, copy, reviewer, tmp_path):
    gold = exported(adjudicated, "native", tmp_path / "gold", GOLD)
    report = import_articles(
        project=copy, filename="g.jsonl", data=gold + gold, format="native", user=reviewer
    )
    assert (report.gold_sets, [d.line for d in report.duplicates]) == (1, [2])
    again = import_articles(
        project=copy, filename="g.jsonl", data=gold, format="native", user=reviewer
    )
    assert (again.gold_sets, len(again.duplicates)) == (0, 1)
    assert AnnotationSet.objects.filter(article__project=copy, is_gold=True).count() == 1


def test_the_command_imports_gold_as_the_reviewer_it_names(adjudicated, copy, tmp_path, capsys):
    path = tmp_path / "gold.jsonl"
    path.write_bytes(exported(adjudicated, "native", tmp_path / "gold", GOLD))
    with pytest.raises(CommandError):
        call_command(
            "import_articles", str(path), project="copy", format="native", no_progress=True
        )
    assert "only the project's reviewers may import gold" in capsys.readouterr().err
    call_command(
        "import_articles", str(path), project="copy", format="native", user="rita", no_progress=True
    )
    assert "restored 1 gold set(s)" in capsys.readouterr().out
    assert AnnotationSet.objects.filter(article__project=copy, is_gold=True).exists()


def test_a_gold_line_read_as_plain_jsonl_is_refused_not_demoted(
    adjudicated, copy, annotator, tmp_path
):
    gold = exported(adjudicated, "native", tmp_path / "gold", GOLD)
    with pytest.raises(ImportRejected) as caught:
        import_articles(
            project=copy, filename="gold.jsonl", data=gold, user=annotator, annotator=annotator
        )
    assert caught.value.line == 1
    assert "import the file with the native format" in caught.value.reason
    assert not copy.articles.exists()


def test_the_api_says_how_many_gold_sets_it_restored(adjudicated, copy, reviewer, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.api.conftest import token_client

    Membership.objects.create(project=copy, user=reviewer, role="manager")  # uploads
    gold = exported(adjudicated, "native", tmp_path / "gold", GOLD)
    response = token_client(reviewer).post(
        "/api/v1/projects/copy/articles/import/",
        {"file": SimpleUploadedFile("gold.jsonl", gold), "format": "native"},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["imported"], response.json()["gold_sets"]) == (1, 1)
