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


@pytest.fixture
def five_records(annotation_set, mark, project):
    """A project whose history has five records: two spans marked, one relabelled, one deleted."""
    span = mark(annotation_set, "Kremlin", "actor")
    services.span_update(
        span=span, label=project.labels.get(name="location"), user=annotation_set.annotator
    )
    mark(annotation_set, "NATO", "actor")
    services.span_delete(span=span, user=annotation_set.annotator)
    return project
