import pytest
from django.core.exceptions import ValidationError

from annotations import services
from annotations.errors import Conflict
from annotations.models import Span


def test_it_creates_a_span_and_starts_the_work(annotation_set, project):
    label = project.labels.get(name="actor")
    span = services.span_create(
        annotation_set=annotation_set, start=21, end=34, quote="Dmitry Peskov", label=label
    )
    annotation_set.refresh_from_db()
    assert span.quote == "Dmitry Peskov"
    assert annotation_set.status == "in_progress"
    assert annotation_set.version == 1


def test_it_refuses_a_span_whose_quote_does_not_match(annotation_set, project):
    label = project.labels.get(name="actor")
    with pytest.raises(ValidationError, match="does not match"):
        services.span_create(
            annotation_set=annotation_set, start=21, end=34, quote="Dmitry Peskoff", label=label
        )
    assert not Span.objects.exists()


def test_it_refuses_changes_to_a_submitted_set(annotation_set, project):
    services.annotation_set_submit(annotation_set=annotation_set)
    with pytest.raises(Conflict, match="submitted"):
        services.span_create(
            annotation_set=annotation_set,
            start=21,
            end=34,
            quote="Dmitry Peskov",
            label=project.labels.get(name="actor"),
        )
    assert not Span.objects.exists()


@pytest.mark.parametrize(
    ("grading", "message"),
    [
        ({"reliability": "G"}, "reliability must be one of A-F, not 'G'"),
        ({"credibility": 7}, "credibility must be 1-6, not 7"),
    ],
)
def test_it_names_the_admiralty_grades_when_refusing_one(annotation_set, project, grading, message):
    span = services.span_create(
        annotation_set=annotation_set,
        start=21,
        end=34,
        quote="Dmitry Peskov",
        label=project.labels.get(name="actor"),
    )
    with pytest.raises(ValidationError, match=message):
        services.claim_create(
            annotation_set=annotation_set,
            span=span,
            claim_type=project.claim_types.first(),
            **grading,
        )
