"""A small deterministic suggester for the tests of what reads proposals (the uncertainty queue):
it proposes, on each article, the span scores it was given for the article's title."""

from __future__ import annotations

from annotations.learning import Proposal
from annotations.models import Article


class ScoresByTitle:
    """Proposes one "span" proposal per score listed for the article's title (none for other
    articles), on consecutive one-character ranges."""

    name = "fake"
    version = "1"

    def __init__(self, scores: dict[str, list[float]]):
        self.scores = scores
        self.asked: list[int] = []

    def suggest(self, article: Article) -> list[Proposal]:
        self.asked.append(article.pk)
        return [
            Proposal(
                kind="span",
                score=score,
                suggester=self.name,
                version=self.version,
                start=i,
                end=i + 1,
                label_id=None,
            )
            for i, score in enumerate(self.scores.get(article.title, []))
        ]
