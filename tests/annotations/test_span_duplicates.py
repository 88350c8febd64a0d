"""The same label on the same characters twice is refused, whichever way it comes in."""

import pytest
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from annotations import services
from annotations.models import HistoryRecord, Span
from tests.api.conftest import token_client


@pytest.fixture
def peskov(annotation_set, project, annotator):
    return services.span_create(
        annotation_set=annotation_set,
        start=21,
        end=34,
        quote="Dmitry Peskov",
        label=project.labels.get(name="actor"),
        user=annotator,
    )


def test_it_refuses_the_same_label_on_the_same_range_twice(annotation_set, project, peskov):
    with pytest.raises(ValidationError, match="21–34 are already labelled 'actor'"):
        services.span_create(
            annotation_set=annotation_set,
            start=21,
            end=34,
            quote="Dmitry Peskov",
            label=project.labels.get(name="actor"),
        )
    assert Span.objects.count() == 1


def test_another_label_on_the_same_range_is_fine_but_relabelling_onto_a_twin_is_not(
    annotation_set, project, peskov
):
    other = services.span_create(
        annotation_set=annotation_set,
        start=21,
        end=34,
        quote="Dmitry Peskov",
        label=project.labels.get(name="claim"),
    )
    with pytest.raises(ValidationError, match="already labelled 'actor'"):
        services.span_update(span=other, label=project.labels.get(name="actor"))
    other.refresh_from_db()
    assert other.label.name == "claim"


def test_the_api_refuses_it_with_the_message(annotation_set, annotator, peskov):
    url = f"/api/v1/projects/demo/annotation-sets/{annotation_set.pk}/spans/"
    body = {"start": 21, "end": 34, "quote": "Dmitry Peskov", "label": "actor"}
    response = token_client(annotator).post(url, body, format="json")
    assert response.status_code == 400
    assert "already labelled 'actor'" in str(response.json())
    assert Span.objects.count() == 1


def test_the_annotate_page_refuses_it_with_the_message(
    client, annotation_set, annotator, project, peskov
):
    client.login(
        username=annotator.username, password="correct horse battery staple", request=HttpRequest()
    )
    url = f"/projects/demo/sets/{annotation_set.pk}/spans/"
    label = project.labels.get(name="actor")
    body = {"start": 21, "end": 34, "quote": "Dmitry Peskov", "label": label.pk}
    response = client.post(url, body, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert "already labelled" in response.text
    assert Span.objects.count() == 1


def test_many_spans_are_written_together_or_not_at_all(annotation_set, project, annotator, peskov):
    label = project.labels.get(name="actor")
    body = annotation_set.article.body
    before = HistoryRecord.objects.count()
    batch = [
        {"start": 0, "end": 7, "quote": "Kremlin", "label": label},
        {"start": 21, "end": 34, "quote": "Dmitry Peskov", "label": label},  # a twin
    ]
    with pytest.raises(ValidationError, match="already labelled"):
        services.span_create_many(annotation_set=annotation_set, spans=batch, user=annotator)
    assert Span.objects.count() == 1
    nato = body.index("NATO")
    created = services.span_create_many(
        annotation_set=annotation_set,
        spans=[batch[0], {"start": nato, "end": nato + 4, "quote": "NATO", "label": label}],
        user=annotator,
    )
    assert [span.quote for span in created] == ["Kremlin", "NATO"]
    assert HistoryRecord.objects.count() == before + 2
    annotation_set.refresh_from_db()
    assert annotation_set.version == 2  # one change of the set, however many spans
