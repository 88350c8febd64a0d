"""The Models page in a browser: the learning curve drawn without breaking the page's
Content-Security-Policy, and "Train now" queueing a training."""

from annotations.learning import spans, training
from annotations.models import TrainedModel
from tests.browser.conftest import shoot
from tests.learning.conftest import add_gold, train


def test_a_manager_reads_the_models_and_trains_now(
    page, login, live_server, project, manager, monkeypatch, settings
):
    # The queued trainings wait for a worker (none here) instead of running in the request.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    monkeypatch.setattr(
        training,
        "SPAN_SETTINGS",
        spans.SpanSettings(
            epochs=8, batch_size=8, learn_rate=0.005, width=32, depth=1, embed_rows=500, hidden=32
        ),
    )
    add_gold(project, 30)
    for kind in TrainedModel.Kind.values:
        train(project, kind)
    login(manager)
    page.goto(f"{live_server.url}/projects/demo/models/")
    assert page.locator("svg.chart").count() == 3
    assert page.get_by_text("Live: v1.").count() >= 1
    shoot(page, "models")
    page.get_by_role("button", name="Train now").click()
    page.get_by_text("Training queued").wait_for()
    assert page.get_by_role("button", name="Train now").is_disabled()
    assert page.js_errors == [] and page.console_errors == []
