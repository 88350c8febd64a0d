from annotations.learning import training
from annotations.models import TrainedModel


def test_it_trains_a_model_of_each_kind_and_makes_the_first_live(gold_project, manager):
    models = training.training_queue(project=gold_project, user=manager)
    for model in models:
        training.model_train(model.pk)
    for model in models:
        model.refresh_from_db()
        print(
            model.kind,
            model.status,
            model.error,
            model.evaluation.get("micro"),
            model.learning_curve,
            model.live_reason,
            model.seconds,
            model.peak_memory_mb,
            len(model.trained_on),
            len(model.held_out),
        )
    assert all(m.status == TrainedModel.Status.READY for m in models)
