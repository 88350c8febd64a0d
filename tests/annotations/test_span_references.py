"""Span's references are kept by its writers, not by foreign keys in the database (issue 16):
a write that refers to a label or actor deleted meanwhile is refused and stores nothing."""

import json

import pytest
from django.core.exceptions import ValidationError

from annotations import services
from annotations.models import Label, Span
from tests.factories import ActorFactory, LabelFactory


@pytest.fixture
def fresh_label(project):
    return LabelFactory(project=project, name="fresh")


def _create(annotation_set, label, actor=None):
    body = annotation_set.article.body
    start = body.index("Kremlin")
    return services.span_create(
        annotation_set=annotation_set,
        start=start,
        end=start + 7,
        quote="Kremlin",
        label=label,
        actor=actor,
        user=annotation_set.annotator,
    )


def test_a_span_with_a_label_deleted_meanwhile_is_refused(annotation_set, fresh_label):
    Label.objects.filter(pk=fresh_label.pk).delete()

    with pytest.raises(ValidationError, match="The label was deleted meanwhile"):
        _create(annotation_set, fresh_label)
    assert not Span.objects.filter(annotation_set=annotation_set).exists()


def test_a_span_with_an_actor_deleted_meanwhile_is_refused(annotation_set, project):
    actor = ActorFactory(project=project, name="Gone")
    type(actor).objects.filter(pk=actor.pk).delete()

    with pytest.raises(ValidationError, match="The actor was deleted meanwhile"):
        _create(annotation_set, project.labels.get(name="actor"), actor)
    assert not Span.objects.filter(annotation_set=annotation_set).exists()


def test_relabelling_to_a_label_deleted_meanwhile_is_refused(annotation_set, fresh_label):
    span = _create(annotation_set, annotation_set.article.project.labels.get(name="actor"))
    Label.objects.filter(pk=fresh_label.pk).delete()

    with pytest.raises(ValidationError, match="The label was deleted meanwhile"):
        services.span_update(span=span, label=fresh_label, user=annotation_set.annotator)
    span.refresh_from_db()
    assert span.label.name == "actor"


@pytest.mark.parametrize("gone", ["label", "actor", "set"])
def test_verify_history_names_a_span_whose_reference_was_deleted_behind_the_writers(
    annotation_set, fresh_label, project, gone, capsys
):
    """What the database no longer refuses, raw SQL deleting a row that spans refer to, is found.
    (The set's history records still refer to it: the test's transaction never commits.)"""
    from django.core.management import CommandError, call_command
    from django.db import connection

    actor = ActorFactory(project=project, name="Gone")
    kept = _create(annotation_set, project.labels.get(name="actor"))
    span = _create(annotation_set, fresh_label, actor)
    call_command("verify_history")
    assert "Every span's annotation set, label and actor exist." in capsys.readouterr().out
    row = {"label": fresh_label, "actor": actor, "set": annotation_set}[gone]
    table = type(row)._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [row.pk])

    with pytest.raises(CommandError, match="refer to an annotation set, label or actor") as error:
        call_command("verify_history")
    expected = {span.pk, kept.pk} if gone == "set" else {span.pk}
    assert f"{len(expected)} span(s)" in str(error.value)
    assert all(str(pk) in str(error.value) for pk in expected)


def test_accepting_suggestions_with_a_label_deleted_meanwhile_is_refused(
    annotation_set, fresh_label
):
    body = annotation_set.article.body
    start = body.index("Kremlin")
    Label.objects.filter(pk=fresh_label.pk).delete()

    with pytest.raises(ValidationError, match="The label was deleted meanwhile"):
        services.span_create_many(
            annotation_set=annotation_set,
            spans=[{"start": start, "end": start + 7, "quote": "Kremlin", "label": fresh_label}],
            user=annotation_set.annotator,
        )
    assert not Span.objects.filter(annotation_set=annotation_set).exists()


def test_an_import_whose_label_is_deleted_meanwhile_is_refused_and_stores_nothing(
    project, annotator, fresh_label, monkeypatch
):
    """The import read the project's labels, then the label was deleted before its spans went
    in: the file is refused as a whole, naming why, instead of a span without its label."""
    from annotations.importing import ImportRejected, import_articles
    from annotations.importing.vocabulary import Vocabulary

    read = {label.name: label for label in project.labels.all()}
    Label.objects.filter(pk=fresh_label.pk).delete()
    monkeypatch.setattr(Vocabulary, "labels", property(lambda self: read))
    text = "The Kremlin warned NATO."
    line = json.dumps(
        {"text": text, "spans": [{"start": 4, "end": 11, "quote": "Kremlin", "label": "fresh"}]}
    )

    with pytest.raises(ImportRejected, match="a label or actor the file uses was deleted"):
        import_articles(
            project=project, filename="late.jsonl", data=line.encode(), annotator=annotator
        )
    assert not project.articles.exists()
    assert not Span.objects.exists()
