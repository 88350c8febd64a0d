"""Two reviewers adjudicating the same article at once: exactly one wins, nothing is lost."""

import threading

import pytest
from django.db import connection

from annotations import adjudication, services
from annotations.errors import Conflict
from annotations.models import AdjudicationDecision, AnnotationSet, Membership

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def _race(calls):
    """Run the calls in threads (each with its own database connection) released together."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as error:  # noqa: BLE001 - the outcome is what the test inspects
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.fixture
def ready_article(project, article, reviewer, two_sets, mark):
    """Both annotators disagree on two ranges, and have handed in."""
    for user, annotation_set in two_sets.items():
        mark(annotation_set, "Kremlin", "actor" if user.username == "anna" else "location")
        mark(annotation_set, "NATO", "actor" if user.username == "anna" else "location")
        services.annotation_set_submit(annotation_set=annotation_set, user=user)
    return article


@pytest.mark.parametrize("same_item", [True, False])
def test_it_lets_exactly_one_of_two_reviewers_win(
    project, ready_article, reviewer, same_item, django_user_model
):
    second = django_user_model.objects.create_user("rosa")
    Membership.objects.create(user=second, project=project, role="reviewer")
    keys = ("span:0-7", "span:0-7") if same_item else ("span:0-7", "span:53-57")

    def decide(user, key, reason):
        return lambda: adjudication.adjudication_reject(
            article=ready_article, user=user, key=key, reason_code=reason, expected_version=0
        )

    outcomes = _race([decide(reviewer, keys[0], "guideline"), decide(second, keys[1], "other")])

    winners = [o for o in outcomes if isinstance(o, AdjudicationDecision)]
    losers = [o for o in outcomes if isinstance(o, Conflict)]
    assert (len(winners), len(losers)) == (1, 1), outcomes
    assert "Another reviewer changed this adjudication" in losers[0].message
    gold = AnnotationSet.objects.get(article=ready_article, is_gold=True)
    stored = list(gold.decisions.values_list("key", "reason_code", "decided_by"))
    winner = winners[0]
    assert stored == [(winner.key, winner.reason_code, winner.decided_by_id)]
    assert gold.version == 1
