import pytest

from annotations.models import AnnotationSet, Claim, ThreatAssessment
from tests.factories import ActorFactory, AnnotationSetFactory, ArticleFactory, SpanFactory

ARABIC = "قال المتحدث باسم الكرملين إن روسيا ستتخذ إجراءات.\nوحذر حلف الناتو."
SPARE = "A quiet day: no annotations here.  Two  spaces and\ttabs.\n\n"


def add_span(annotation_set, quote, label_name, *, occurrence=0, actor=None, note=""):
    body = annotation_set.article.body
    start = -1
    for _ in range(occurrence + 1):
        start = body.index(quote, start + 1)
    label = annotation_set.article.project.labels.get(name=label_name)
    return SpanFactory(
        annotation_set=annotation_set,
        start=start,
        end=start + len(quote),
        label=label,
        actor=actor,
        note=note,
    )


def gold_set(article):
    return AnnotationSetFactory(
        article=article, annotator=None, is_gold=True, status=AnnotationSet.Status.APPROVED
    )


@pytest.fixture
def gold_project(project, article, annotator):
    """Gold sets on articles with emoji, a flag, CJK, a combining mark and Arabic, with
    overlapping spans, a span across a line break, an actor link, a claim and a threat."""
    russia = ActorFactory(project=project, name="Russia", kind="state", external_id="Q159")
    peskov = ActorFactory(project=project, name="Dmitry Peskov", kind="person")
    nato = ActorFactory(project=project, name="NATO", kind="international_organisation")
    gold = gold_set(article)
    add_span(gold, "Kremlin", "actor", actor=russia)
    speaker = add_span(gold, "Dmitry Peskov", "actor", actor=peskov)
    stated = add_span(gold, "Peskov warned the US and NATO", "claim", note="direct")
    add_span(gold, "NATO.\nZelensky", "event")
    add_span(gold, "🇺🇦", "location")
    add_span(gold, "北约", "actor", actor=nato)
    add_span(gold, "café\u0301", "location")
    add_span(gold, "مرحبا", "event")
    add_span(gold, "👩‍👩‍👧", "actor")
    claim = Claim.objects.create(
        annotation_set=gold,
        span=stated,
        claim_type=project.claim_types.get(name="warning"),
        claimant=peskov,
        claimant_span=speaker,
        reliability="B",
        credibility=2,
    )
    claim.targets.set([nato])
    assessment = ThreatAssessment.objects.create(
        annotation_set=gold, level=project.threat_levels.get(name="moderate"), rationale="words"
    )
    assessment.claims.set([claim])

    arabic = ArticleFactory(
        project=project, title="روسيا", body=ARABIC, url="https://example.org/a"
    )
    arabic_gold = gold_set(arabic)
    add_span(arabic_gold, "الكرملين", "actor", actor=russia)
    add_span(arabic_gold, "روسيا", "location")
    add_span(arabic_gold, "حلف الناتو", "actor", actor=nato)

    quiet = ArticleFactory(project=project, title="Quiet", body=SPARE)
    gold_set(quiet)

    # An annotator's own set: not in a gold export.
    own = AnnotationSetFactory(article=article, annotator=annotator, status="submitted")
    add_span(own, "Kremlin", "location")
    return project
