"""The learning loop's figures (issue 14), measured on the bench's generated project:

- training the span tagger on 1,000 gold articles (~70 spans each): seconds (wall and CPU) and
  the process's peak resident memory while it trained; the classifiers' training beside it;
- the live span model's suggestion latency for a 3,000- and a 50,000-character article, the
  model loaded once (the first call, which loads it, is reported apart);
- the learning curve: held-out micro F1 after training on 50, 200 and all the training gold.

What the F1 means: the generated articles are sentences from a few templates over fixed lists
of names, places and forces, so a tagger learns them almost perfectly from few articles; the
curve shows the loop works end to end, not how well it would do on real news.

`python -m bench.learning [--articles 1000]` measures on its own SQLite database (var/bench);
`python -m bench` runs it as the "learning" measurement of the 1,000-article project.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

SIZES = (50, 200)  # the learning curve's points besides "all the training gold"


def _train(project, kind: str) -> Any:
    from django.db.models import Max

    from annotations.learning import training
    from annotations.models import TrainedModel

    last = TrainedModel.objects.filter(project=project, kind=kind).aggregate(v=Max("version"))
    model = TrainedModel.objects.create(project=project, kind=kind, version=(last["v"] or 0) + 1)
    return training.model_train(model.pk)


def _latency(suggester, article, repeats: int) -> dict[str, Any]:
    from bench.suite import Samples, summarise_ms

    samples = Samples()
    for _ in range(repeats):
        began, cpu = time.perf_counter(), time.process_time()
        proposals = suggester.suggest(article)
        samples.append(time.perf_counter() - began)
        samples.cpu.append(time.process_time() - cpu)
    return {"characters": len(article.body), "proposals": len(proposals), **summarise_ms(samples)}


def _long_article(characters: int):
    import random

    from annotations.models import Article
    from bench.generate import generate_article

    rng = random.Random(50)
    parts, length, number = [], 0, 0
    while length < characters:
        text = generate_article(rng, number).body
        parts.append(text)
        length += len(text) + 2
        number += 1
    return Article(title="Long", body="\n\n".join(parts)[:characters])


def measure_project(project, *, repeats: int = 50) -> dict[str, Any]:
    """Train every kind on the project's gold and measure it (the module docstring)."""
    from annotations.learning import trained, training
    from annotations.models import TrainedModel

    gold = training.gather(project)
    n_train = len(gold.train)
    saved_curve = training.CURVE
    training.CURVE = (*(size / n_train for size in SIZES if size < n_train), 1.0)
    try:
        began = time.process_time()
        spans_model = _train(project, TrainedModel.Kind.SPANS)
        spans_cpu = time.process_time() - began
        classifiers = {kind: _train(project, kind) for kind in ("threat", "claim_type")}
    finally:
        training.CURVE = saved_curve
    if spans_model.status != TrainedModel.Status.READY:
        raise RuntimeError(spans_model.error)
    result: dict[str, Any] = {
        "gold_articles": n_train + len(gold.held_out),
        "trained_on": n_train,
        "held_out": len(gold.held_out),
        "spans_per_article": round(sum(len(row.spans) for row in gold.train) / max(n_train, 1), 1),
        "span_training": {
            "seconds": spans_model.seconds,
            "cpu_seconds": round(spans_cpu, 1),
            "peak_memory_mb": spans_model.peak_memory_mb,
            "passes": spans_model.config["passes"],
            "sentences": spans_model.config["sentences"],
            "includes": f"{len(spans_model.learning_curve)} trainings (the learning curve's)",
        },
        "span_evaluation": spans_model.evaluation["micro"],
        "span_labels": {k: v["f1"] for k, v in spans_model.evaluation["labels"].items()},
        "live_reason": spans_model.live_reason,
        "learning_curve": spans_model.learning_curve,
        "classifiers": {
            kind: {
                "status": model.status,
                "seconds": model.seconds,
                "micro_f1": model.evaluation.get("micro", {}).get("f1"),
                "error": model.error or None,
            }
            for kind, model in classifiers.items()
        },
    }
    trained._loaded.clear()
    began = time.perf_counter()
    suggester = trained.suggester_for(spans_model)
    result["model_load_ms"] = round((time.perf_counter() - began) * 1000, 1)
    article = project.articles.get(pk=gold.held_out[0].article.pk)
    result["suggest_3000"] = _latency(suggester, article, repeats)
    result["suggest_50000"] = _latency(suggester, _long_article(50000), max(3, repeats // 5))
    return result


def measure(sized) -> dict[str, Any]:
    """The suite's "learning" measurement: on the 1,000-article project only."""
    from bench import Unavailable

    if sized.size < 50:
        raise Unavailable("the learning loop is measured on projects of 50 articles or more")
    if sized.size > 1000:
        raise Unavailable("the learning loop is measured on the 1,000-article project")
    return measure_project(sized.project, repeats=sized.repeats)


def main(argv: list[str] | None = None) -> int:
    import os

    import django

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--output", default="")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    from django.core.management import call_command

    from annotations.models import Project
    from bench.generate import generate_project

    call_command("migrate", verbosity=0)
    slug = f"learning-{args.articles}"
    project = Project.objects.filter(slug=slug).first()
    if project is None or project.articles.count() != args.articles:
        project = generate_project(slug, args.articles)
    result = measure_project(project, repeats=args.repeats)
    text = json.dumps(result, indent=2)
    if args.output:
        with open(args.output, "w") as stream:
            stream.write(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
