"""Creating a span from the annotate page answers with only what changed: the span editor,
and out of band the text, the span list and the suggestions; in a fixed number of queries."""

import pytest
from django.urls import reverse

from annotations import services
from annotations.models import Actor, Span
from tests.factories import SpanFactory

HX = {"HX-Request": "true"}


@pytest.fixture
def started(project, manager, annotator, annotation_set):
    """The annotator's set, following the project's guidelines, after a first span (so it is
    in progress)."""
    services.guidelines_update(project=project, text="Label every actor.", user=manager)
    services.span_create(
        annotation_set=annotation_set,
        start=0,
        end=7,
        quote="Kremlin",
        label=project.labels.get(name="actor"),
        user=annotator,
    )
    return annotation_set


@pytest.fixture
def create(client, annotator, project):
    """Post "Dmitry Peskov" as an actor span the way the page's span form does."""
    client.force_login(annotator)
    label = project.labels.get(name="actor")

    def send(annotation_set, **more):
        url = reverse("annotations:span-create", args=[project.slug, annotation_set.pk])
        data = {"start": 21, "end": 34, "quote": "Dmitry Peskov", "label": label.pk, **more}
        return client.post(url, data, headers=HX)

    return send


def test_it_answers_with_the_editor_and_the_changed_regions_out_of_band(create, started):
    response = create(started)
    assert response.status_code == 200
    kremlin, peskov = Span.objects.order_by("start")
    assert response.headers["HX-Retarget"] == "#editor"
    text = response.text
    assert text.lstrip().startswith(
        f'<section id="editor" class="panel editor" aria-label="Selected span" '
        f'data-active-span="{peskov.pk}">'
    )
    assert 'id="workspace"' not in text
    assert (
        '<div hx-swap-oob="innerHTML:#article-body">'
        f'<span class="seg label-{kremlin.label_id} u0-{kremlin.label_id}" data-tag="A" '
        f'data-spans="{kremlin.pk}">Kremlin</span> spokesperson '
        f'<span class="seg label-{peskov.label_id} u0-{peskov.label_id}" data-tag="A" '
        f'data-spans="{peskov.pk}">'
        "Dmitry Peskov</span> warned the US and NATO.\n"
    ) in text
    assert f'data-span-id="{kremlin.pk}"' in text
    assert f'data-span-id="{peskov.pk}"' in text
    assert '<h2 hx-swap-oob="innerHTML:#spans-heading">Spans (2)</h2>' in text
    assert '<section hx-swap-oob="innerHTML:#suggestions"></section>' in text


def test_it_answers_the_first_span_with_the_whole_workspace_for_the_sets_new_status(
    create, annotation_set
):
    response = create(annotation_set)
    assert response.status_code == 200
    assert "HX-Retarget" not in response.headers
    assert 'id="workspace"' in response.text
    assert '<strong id="set-status">In progress</strong>' in response.text


def test_it_answers_a_span_linked_to_an_actor_with_the_whole_workspace(create, project, started):
    # Such a span joins the claimant choices of every claim form.
    actor = Actor.objects.create(project=project, name="Dmitry Peskov")
    response = create(started, actor=actor.pk)
    assert response.status_code == 200
    assert 'id="workspace"' in response.text
    assert "Dmitry Peskov (Dmitry Peskov, 21)</option>" in response.text


@pytest.mark.parametrize("count", [10, 1000])
def test_it_creates_a_span_in_a_fixed_number_of_queries(
    create, project, started, django_assert_max_num_queries, count
):
    label = project.labels.get(name="location")
    for i in range(count):
        SpanFactory(annotation_set=started, start=i % 50, end=i % 50 + 3, label=label)
    with django_assert_max_num_queries(QUERIES):
        response = create(started)
    assert response.status_code == 200
    assert response.text.count('class="span-link"') == count + 2


# Session, user, project, roles, set, label; the service's ten (transaction, set lock, the check
# for a twin, the label's KEY SHARE, insert, version, project lock, chain head, history, commit);
# then spans, labels, actors (with the editor's suggestions), claim types.
QUERIES = 20
