"""The project's live trained models as suggesters. Which model is live is decided when a
training finishes (annotations.learning.training); here they are only looked up and loaded,
once per process and artefact (keyed by its sha256), so a web or worker process on any machine
reads the same bytes from storage."""

from __future__ import annotations

from annotations.learning import Suggester
from annotations.models import Project, TrainedModel


def live_model(project: Project, kind: str) -> TrainedModel | None:
    """The model of that kind used for the project's suggestions, if any."""
    return TrainedModel.objects.filter(
        project=project, kind=kind, is_live=True, status=TrainedModel.Status.READY
    ).first()


def live_suggesters(project: Project) -> list[Suggester]:
    """A suggester for each of the project's live models."""
    live = TrainedModel.objects.filter(
        project=project, is_live=True, status=TrainedModel.Status.READY
    )
    return [suggester_for(model) for model in live]


def suggester_for(model: TrainedModel) -> Suggester:
    """The trained model loaded from storage as a suggester."""
    raise ValueError(f"No loader for {model.get_kind_display().lower()} models yet.")
