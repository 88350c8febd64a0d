"""Two reviewers adjudicating the same article at once: exactly one wins, nothing is lost."""

import threading
import time

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from annotations import adjudication, assignment, services, undo
from annotations.errors import Conflict
from annotations.models import (
    AdjudicationDecision,
    AnnotationSet,
    Article,
    HistoryRecord,
    Label,
    Membership,
    Span,
)
from tests.factories import LabelFactory

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


def _backend_pid():
    connection.ensure_connection()
    return connection.connection.info.backend_pid


def _waits_for_a_lock(pid):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE pid = %s AND wait_event_type = 'Lock'",
            [pid],
        )
        return cursor.fetchone()[0] == 1


def test_it_lets_one_annotator_mark_a_span_while_another_opens_the_same_article(
    project, article, annotator, annotator2, mark
):
    """The queue opening a new set on an article (holding the project's row) and a colleague
    marking a span on that article (whose history append waits for that row) both succeed:
    neither holds a lock the other needs (issue 16: this mix ended in "deadlock detected")."""
    mine = services.annotation_set_open(article=article, user=annotator)
    opened, marking = threading.Event(), {}

    def open_article():
        # The opener's transaction stays open until the marker waits for the project's row,
        # so the new set's foreign keys are checked at commit while the marker is mid-way.
        with transaction.atomic():
            services.annotation_set_open(article=article, user=annotator2)
            opened.set()
            deadline = time.monotonic() + 10
            while "pid" not in marking or not _waits_for_a_lock(marking["pid"]):
                assert time.monotonic() < deadline, "the marker never waited for the project"
                time.sleep(0.01)
        return "opened"

    def mark_span():
        marking["pid"] = _backend_pid()
        opened.wait(10)
        return mark(mine, "Kremlin", "actor")

    outcomes = _race([open_article, mark_span])

    assert outcomes[0] == "opened", outcomes
    assert not isinstance(outcomes[1], Exception), outcomes
    assert list(mine.spans.values_list("quote", flat=True)) == ["Kremlin"]
    assert AnnotationSet.objects.filter(article=article, annotator=annotator2).exists()


def test_it_gives_the_last_free_place_on_an_article_to_one_of_two_annotators(
    project, article, annotator, annotator2
):
    project.annotators_per_article = 1
    project.save()

    def open_for(user):
        return lambda: services.annotation_set_open(article=article, user=user)

    outcomes = _race([open_for(annotator), open_for(annotator2)])

    opened = [o for o in outcomes if isinstance(o, AnnotationSet)]
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert (len(opened), len(refused)) == (1, 1), outcomes
    assert "already has its 1 annotator" in refused[0].message
    assert AnnotationSet.objects.filter(article=article).count() == 1


def test_the_queue_passes_over_an_article_another_annotator_is_opening(
    project, article, annotator, annotator2
):
    """Annotators who ask for work at the same moment spread over the articles instead of
    queueing for the first one (at 200 annotators, the queue behind it timed out)."""
    from annotations.queues import open_next_article
    from tests.factories import ArticleFactory

    second = ArticleFactory(project=project, title="Second", body="Another article.")
    opening, done = threading.Event(), threading.Event()

    def hold_the_first():
        with transaction.atomic():
            services.lock_articles(Article.objects.filter(pk=article.pk))
            opening.set()
            done.wait(5)  # an opener that waited for this lock would wait these 5 s

    holder = threading.Thread(target=lambda: (hold_the_first(), connection.close()))
    holder.start()
    opening.wait(5)
    try:
        got = open_next_article(annotator2, project)
    finally:
        done.set()
        holder.join()

    assert got == second
    assert AnnotationSet.objects.filter(article=second, annotator=annotator2).exists()
    # Once nobody else is opening it, the first article is next.
    assert open_next_article(annotator, project) == article


def _held_until_waited_on(waiter, work):
    """Do `work` in a transaction kept open until the connection `waiter["pid"]` waits for a
    lock this one holds."""
    with transaction.atomic():
        result = work()
        waiter["ready"].set()
        deadline = time.monotonic() + 10
        while "pid" not in waiter or not _waits_for_a_lock(waiter["pid"]):
            assert time.monotonic() < deadline, "the other side never waited for a lock"
            time.sleep(0.01)
    return result


def _deletes(label, user, where, waiter):
    from django.test import Client
    from django.urls import reverse

    def delete():
        waiter["pid"] = _backend_pid()
        client = Client()
        client.force_login(user)
        if where == "admin":
            url = reverse("admin:annotations_label_delete", args=[label.pk])
            return client.post(url, {"post": "yes"}, follow=True)
        if where == "admin action":
            url = reverse("admin:annotations_label_changelist")
            chosen = {"action": "delete_selected", "_selected_action": [label.pk], "post": "yes"}
            return client.post(url, chosen, follow=True)
        project = label.project
        url = reverse("annotations:vocabulary-delete", args=[project.slug, "labels", label.pk])
        return client.post(url)

    return delete


@pytest.mark.parametrize("where", ["page", "admin", "admin action"])
def test_a_label_is_not_deleted_under_a_span_being_written_with_it(
    project, article, annotator, manager, mark, where, django_user_model
):
    """Span's label is not a foreign key in the database (issue 16): the writer's KEY SHARE on
    the label makes its deletion wait, and then find the span it would leave without a label,
    from the project's settings and from the admin alike (where nothing is logged as
    deleted, and nothing says "deleted successfully")."""
    mine = services.annotation_set_open(article=article, user=annotator)
    label = LabelFactory(project=project, name="fresh")
    deleter = manager
    if where != "page":
        deleter = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    waiter = {"ready": threading.Event()}
    delete = _deletes(label, deleter, where, waiter)

    def delete_once_written():
        waiter["ready"].wait(10)
        return delete()

    def write():
        return _held_until_waited_on(waiter, lambda: mark(mine, "Kremlin", "fresh"))

    outcomes = _race([write, delete_once_written])

    assert not isinstance(outcomes[0], Exception), outcomes
    assert Label.objects.filter(pk=label.pk).exists()
    if where == "page":
        assert outcomes[1].status_code == 409, outcomes[1].content
        assert "still used by 1 annotation" in outcomes[1].text
    else:
        assert outcomes[1].status_code == 200, outcomes[1].content
        shown = [str(message) for message in outcomes[1].context["messages"]]
        assert shown == ["fresh was given to a span meanwhile; it cannot be deleted."]
        assert not LogEntry.objects.filter(action_flag=DELETION).exists()
    assert list(mine.spans.values_list("label__name", flat=True)) == ["fresh"]


def test_a_span_is_not_written_with_a_label_being_deleted(project, article, annotator, mark):
    mine = services.annotation_set_open(article=article, user=annotator)
    label = LabelFactory(project=project, name="fresh")
    waiter = {"ready": threading.Event()}

    def write_once_deleting():
        waiter["pid"] = _backend_pid()
        waiter["ready"].wait(10)
        return mark(mine, "Kremlin", "fresh")

    def delete():
        services.vocabulary_item_delete(item=label)

    outcomes = _race([lambda: _held_until_waited_on(waiter, delete), write_once_deleting])

    assert outcomes[0] is None, outcomes
    assert isinstance(outcomes[1], ValidationError), outcomes
    assert "The label was deleted meanwhile" in outcomes[1].messages[0]
    assert not Span.objects.filter(annotation_set=mine).exists()


def test_a_span_is_not_written_into_a_set_being_withdrawn(
    project, article, annotator, manager, mark
):
    """Span's set is not a foreign key in the database either: withdrawing locks the set (FOR
    UPDATE) before it deletes it with its spans, and a writer locks it before writing."""
    mine = services.annotation_set_open(article=article, user=annotator)
    waiter = {"ready": threading.Event()}

    def write_once_withdrawing():
        waiter["pid"] = _backend_pid()
        waiter["ready"].wait(10)
        return mark(mine, "Kremlin", "actor")

    def withdraw():
        assignment.assignment_withdraw(annotation_set=mine, user=manager)

    outcomes = _race([lambda: _held_until_waited_on(waiter, withdraw), write_once_withdrawing])

    assert outcomes[0] is None, outcomes
    assert isinstance(outcomes[1], AnnotationSet.DoesNotExist), outcomes
    assert not Span.objects.filter(annotation_set_id=mine.pk).exists()


def test_one_span_deleted_by_two_requests_at_once_is_deleted_once(
    project, article, annotator, mark
):
    mine = services.annotation_set_open(article=article, user=annotator)
    span = mark(mine, "Kremlin", "actor")
    each_read = [Span.objects.get(pk=span.pk) for _ in range(2)]

    outcomes = _race([lambda read=read: services.span_delete(span=read) for read in each_read])

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["Conflict", "NoneType"]
    deletes = HistoryRecord.objects.filter(object_type="span", action="delete")
    assert deletes.count() == 1


def test_an_undo_sent_twice_takes_back_two_steps(project, article, annotator, mark):
    """The second Undo (a key held down, two tabs) reads what is left to undo once the first has
    committed: it takes back the step before, not the same one again (which changed nothing
    yet counted as undone)."""
    mine = services.annotation_set_open(article=article, user=annotator)
    span = mark(mine, "Kremlin", "actor")
    services.span_update(span=span, note="one", user=annotator)
    services.span_update(span=span, note="two", user=annotator)
    waiter = {"ready": threading.Event()}

    def second():
        waiter["pid"] = _backend_pid()
        waiter["ready"].wait(10)
        return undo.undo(annotation_set=mine, user=annotator)

    def first():
        return _held_until_waited_on(waiter, lambda: undo.undo(annotation_set=mine, user=annotator))

    outcomes = _race([first, second])

    assert not any(isinstance(outcome, Exception) for outcome in outcomes), outcomes
    assert Span.objects.get().note == ""


def test_a_span_read_again_under_its_sets_lock_locks_its_own_row_alone(article, annotator, mark):
    """The lock order (annotations.services): a span is locked after its set (step 3) and the
    project last (step 4). Span's default ordering joins the set, article and project tables,
    and FOR NO KEY UPDATE would lock the rows it joins: the project's at step 3 (the load test
    showed deletes waiting there)."""
    from django.test.utils import CaptureQueriesContext

    mine = services.annotation_set_open(article=article, user=annotator)
    span = mark(mine, "Kremlin", "actor")
    with CaptureQueriesContext(connection) as queries:
        services.span_delete(span=span)
    locking = [q["sql"] for q in queries if q["sql"].startswith('SELECT "annotations_span"."id"')]
    assert len(locking) == 1
    assert "JOIN" not in locking[0] and locking[0].endswith(
        'FOR NO KEY UPDATE OF "annotations_span"'
    )


def test_the_agreement_refresh_locks_the_articles_row_alone(article):
    """Step 1 of the lock order: the article. Article's default ordering joins the project's
    table, and FOR NO KEY UPDATE would lock the project's row too (step 4), which every writer
    in the project then waited for while the refresh ran."""
    from django.test.utils import CaptureQueriesContext

    from annotations import agreement

    with CaptureQueriesContext(connection) as queries:
        agreement.refresh_article(article.pk)
    on_the_article = [
        q["sql"]
        for q in queries
        if 'FROM "annotations_article"' in q["sql"] and "FOR NO KEY UPDATE" in q["sql"]
    ]
    assert len(on_the_article) == 1
    assert "JOIN" not in on_the_article[0], on_the_article[0]
