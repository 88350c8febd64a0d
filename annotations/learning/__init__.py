"""The learning loop: suggesters that propose annotations, the models the workbench trains on
its own gold to power some of them, and the queue order they steer.

Every suggester answers one question, `suggest(article)`, with Proposals; the annotate page,
the uncertainty queue and the evaluation read only those. Which suggesters a project has is
decided in annotations.learning.suggesters (the registry gazetteer, its live trained models and
its imported predictions)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from annotations.models import Article

ProposalKind = Literal["span", "threat", "claim_type"]


@dataclass(frozen=True)
class Proposal:
    """One thing a suggester proposes on an article, with a score from 0 to 1.

    - "span": a span [start, end) with label_id, and actor_id when it names a registry actor;
    - "claim_type": a claim type (claim_type_id) for a claim stated by the span [start, end);
    - "threat": a threat level (threat_level_id) for the whole article.
    """

    kind: ProposalKind
    score: float
    suggester: str
    version: str
    start: int | None = None
    end: int | None = None
    label_id: int | None = None
    actor_id: int | None = None
    claim_type_id: int | None = None
    threat_level_id: int | None = None

    @property
    def provenance(self) -> dict[str, str | float]:
        """What an accepted proposal records on the row it becomes (and the export keeps)."""
        return {"suggester": self.suggester, "version": self.version, "score": round(self.score, 4)}


class Suggester(Protocol):
    """Anything that proposes annotations for an article. `name` and `version` go into the
    provenance of what is accepted from it."""

    name: str
    version: str

    def suggest(self, article: Article) -> list[Proposal]: ...


def span_proposals(
    suggester: Suggester, found: Iterable[tuple[int, int, int, int | None, float]]
) -> list[Proposal]:
    """The span proposals (start, end, label id, actor id or None, score) of `suggester`, each
    stamped with its name and version."""
    return [
        Proposal(
            kind="span",
            score=score,
            suggester=suggester.name,
            version=suggester.version,
            start=start,
            end=end,
            label_id=label_id,
            actor_id=actor_id,
        )
        for start, end, label_id, actor_id, score in found
    ]
