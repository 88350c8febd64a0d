import pytest

from annotations import services
from annotations.models import AnnotationSet
from tests.factories import ArticleFactory, MembershipFactory


@pytest.fixture
def annotator3(project):
    return MembershipFactory(project=project, role="annotator", user__username="ali").user


@pytest.fixture
def gold_article(project, django_capture_on_commit_callbacks):
    """An adjudicated article whose gold set marks "Russia" as an actor (linked to the actor
    Russia) and "NATO" as an actor, with a threat level of rank 1."""
    article = ArticleFactory(project=project, body="Russia warned NATO on Tuesday.")
    gold = AnnotationSet.objects.create(article=article, is_gold=True)
    actor = project.actors.create(name="Russia")
    label = project.labels.get(name="actor")
    with services.adjudicating(gold):
        for text, linked in (("Russia", actor), ("NATO", None)):
            start = article.body.index(text)
            services.span_create(
                annotation_set=gold,
                start=start,
                end=start + len(text),
                quote=text,
                label=label,
                actor=linked,
            )
        services.threat_assessment_set(annotation_set=gold, level=project.threat_levels.get(rank=1))
    gold.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.annotation_set_transition(gold, to=AnnotationSet.Status.APPROVED, user=None)
    return article


@pytest.fixture
def hand_in(django_capture_on_commit_callbacks):
    """Mark spans (text -> label name) in a set and submit it, running the background tasks."""

    def hand_in(annotation_set, marks, level=None):
        article = annotation_set.article
        project = article.project
        for text, label in marks.items():
            start = article.body.index(text)
            services.span_create(
                annotation_set=annotation_set,
                start=start,
                end=start + len(text),
                quote=text,
                label=project.labels.get(name=label),
            )
        if level is not None:
            services.threat_assessment_set(
                annotation_set=annotation_set, level=project.threat_levels.get(rank=level)
            )
        with django_capture_on_commit_callbacks(execute=True):
            services.annotation_set_submit(annotation_set=annotation_set)

    return hand_in
