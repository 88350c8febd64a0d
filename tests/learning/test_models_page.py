"""The Models page: who sees it, what it says, and "Train now"."""

from django.urls import reverse
from django.utils.html import escape

from annotations.models import TrainedModel
from tests.learning.conftest import train

Kind = TrainedModel.Kind


def _page(slug="demo"):
    return reverse("annotations:models", args=[slug])


def _train_now(slug="demo"):
    return reverse("annotations:models-train", args=[slug])


def test_it_shows_each_kind_its_evaluation_learning_curve_and_why_a_model_is_live(
    client, gold_project, manager
):
    model = train(gold_project, Kind.SPANS)
    client.force_login(manager)
    response = client.get(_page())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Span tagger" in html and "Threat-level classifier" in html
    assert f"Live: v{model.version}." in html
    assert escape(model.live_reason) in html
    assert f"{len(model.trained_on)} gold articles" in html
    assert "<svg" in html and "Learning curve" in html
    for label in ("actor", "location", "military force", "event"):
        assert f'<th scope="row">{label}</th>' in html
    assert "Train now" in html


def test_a_failed_model_shows_its_error_escaped(client, gold_project, manager):
    TrainedModel.objects.create(
        project=gold_project,
        kind=Kind.THREAT,
        version=1,
        status=TrainedModel.Status.FAILED,
        error="ValueError: <script>alert(1)</script>",
    )
    client.force_login(manager)
    html = client.get(_page()).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html


def test_reviewers_read_the_page_without_the_train_button(client, gold_project, reviewer):
    client.force_login(reviewer)
    response = client.get(_page())
    assert response.status_code == 200
    assert "Train now" not in response.content.decode()
    assert client.post(_train_now()).status_code == 403
    assert not TrainedModel.objects.exists()


def test_annotators_and_strangers_do_not_get_it(
    client, gold_project, annotator, outsider, other_project_member
):
    client.force_login(annotator)
    assert client.get(_page()).status_code == 403
    assert client.post(_train_now()).status_code == 403
    nav = client.get(reverse("annotations:guidelines", args=["demo"])).content.decode()
    assert _page() not in nav
    for stranger in (outsider, other_project_member):
        client.force_login(stranger)
        assert client.get(_page()).status_code == 404
        assert client.post(_train_now()).status_code == 404
    client.logout()
    assert client.get(_page()).status_code == 302
    assert not TrainedModel.objects.exists()


def test_a_manager_queues_a_training_and_cannot_queue_a_second(client, gold_project, manager):
    client.force_login(manager)
    response = client.post(_train_now(), follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Training queued: span tagger v1, threat-level classifier v1, claim-type" in html
    assert "A training is queued or running." in html
    assert set(TrainedModel.objects.values_list("status", flat=True)) == {"queued"}
    again = client.post(_train_now())
    assert again.status_code == 409
    assert "queued or running already" in again.content.decode()
    assert TrainedModel.objects.count() == 3


def test_train_now_without_gold_says_what_is_missing(client, project, manager):
    client.force_login(manager)
    response = client.post(_train_now())
    assert response.status_code == 409
    assert "Nothing to train yet" in response.content.decode()


def test_the_navigation_links_the_page_for_reviewers_and_managers(client, project, reviewer):
    client.force_login(reviewer)
    nav = client.get(reverse("annotations:guidelines", args=["demo"])).content.decode()
    assert f'href="{_page()}"' in nav


def test_a_classifier_is_shown_in_the_scale_order_with_n_a_where_nothing_was_measured(
    client, gold_project, manager
):
    """The threat levels as the scale runs, not alphabetically; a level neither in the
    held-out gold nor predicted is "n/a", not 0.00; a few held-out articles are flagged."""
    model = train(gold_project, Kind.THREAT)
    client.force_login(manager)
    html = client.get(_page()).content.decode()
    section = html[html.index('id="kind-threat"') :]
    scale = list(gold_project.threat_levels.order_by("rank").values_list("name", flat=True))
    places = [section.index(f'<th scope="row">{name}</th>') for name in scale]
    assert places == sorted(places)
    unmeasured = [
        name
        for name, figures in model.evaluation["labels"].items()
        if not figures["support"] and not figures["predicted"]
    ]
    assert unmeasured  # the generated gold uses two of the five levels
    row = section[section.index(f'<th scope="row">{unmeasured[0]}</th>') :].split("</tr>")[0]
    assert row.count(">n/a</span>") == 3
    assert model.is_live and len(model.held_out) < 20
    assert f"Measured on {len(model.held_out)} held-out articles only" in section
