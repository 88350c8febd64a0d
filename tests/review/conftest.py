import pytest

from annotations import assignment, services


@pytest.fixture
def mark():
    """Mark the first occurrence of `text` in the set's article as its annotator would."""

    def mark(annotation_set, text, label, actor=None):
        body = annotation_set.article.body
        start = body.index(text)
        project = annotation_set.article.project
        return services.span_create(
            annotation_set=annotation_set,
            start=start,
            end=start + len(text),
            quote=text,
            label=project.labels.get(name=label),
            actor=project.actors.get(name=actor) if actor else None,
            user=annotation_set.annotator,
        )

    return mark


@pytest.fixture
def actors(project):
    from tests.factories import ActorFactory

    return {
        name: ActorFactory(project=project, name=name)
        for name in ("Dmitry Peskov", "Russia", "United States", "NATO")
    }


@pytest.fixture
def two_sets(project, article, manager, annotator, annotator2):
    """The article assigned to both annotators (k=2)."""
    sets = assignment.assignments_auto(project=project, user=manager)
    return {s.annotator: s for s in sets}
