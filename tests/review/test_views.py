"""The review pages: who may open them, and what they do."""

import re

import pytest
from django.urls import reverse

from annotations import adjudication, reviewing, services
from annotations.models import AdjudicationDecision, AnnotationSet, Comment, HistoryRecord

ROLES = ["anonymous", "outsider", "other_project_member", "annotator", "reviewer", "manager"]


@pytest.fixture
def as_role(client, request):
    def log_in(role):
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        return client

    return log_in


@pytest.fixture
def urls(project, article, annotation_set, other_project):
    slug = project.slug
    return {
        "assignments": reverse("annotations:assignments", args=[slug]),
        "review-list": reverse("annotations:review-list", args=[slug]),
        "agreement": reverse("annotations:agreement", args=[slug]),
        "adjudicate": reverse("annotations:adjudicate", args=[slug, article.pk]),
        "article-history": reverse("annotations:article-history", args=[slug, article.pk]),
        "set-review": reverse("annotations:set-review", args=[slug, annotation_set.pk]),
    }


# Status per page and role; annotation_set belongs to `annotator`.
EXPECTED = {
    "assignments": [302, 404, 404, 403, 403, 200],
    "review-list": [302, 404, 404, 403, 200, 200],
    "agreement": [302, 404, 404, 403, 200, 200],
    "adjudicate": [302, 404, 404, 403, 200, 403],
    "article-history": [302, 404, 404, 200, 200, 200],
    "set-review": [302, 404, 404, 200, 200, 200],
}


@pytest.mark.parametrize("page", EXPECTED)
@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_the_right_roles_open_the_page(as_role, urls, page, role, other_project):
    response = as_role(role).get(urls[page])
    assert response.status_code == EXPECTED[page][ROLES.index(role)]
    if role == "anonymous":
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("page", ["assignments", "adjudicate", "set-review"])
@pytest.mark.parametrize("role", ["anonymous", "outsider", "other_project_member", "annotator2"])
def test_it_refuses_posts_from_the_wrong_people(as_role, urls, page, role, other_project):
    response = as_role(role).post(urls[page], {"action": "comment", "body": "hi"})
    assert response.status_code in {302, 403, 404}
    if role != "anonymous":
        assert response.status_code != 302
    assert not Comment.objects.exists()


def test_it_hides_another_annotators_set(client, annotator2, urls):
    client.force_login(annotator2)
    assert client.get(urls["set-review"]).status_code == 404


def test_it_assigns_automatically_and_withdraws(client, manager, annotator, annotator2, urls):
    client.force_login(manager)
    response = client.post(urls["assignments"], {"action": "auto"}, follow=True)
    assert "Made 1 assignment(s)." in response.text
    # The annotation_set fixture already gave the article to `annotator`; one more was needed.
    assert AnnotationSet.objects.filter(annotator=annotator2).count() == 1
    alex = AnnotationSet.objects.get(annotator=annotator2)
    response = client.post(urls["assignments"], {"action": "withdraw", "set": alex.pk}, follow=True)
    assert "Assignment withdrawn." in response.text
    assert not AnnotationSet.objects.filter(pk=alex.pk).exists()
    page = client.get(urls["assignments"]).text
    assert "anna" in page and "Withdraw" in page


def test_it_says_why_an_assignment_is_refused(client, manager, annotator, article, urls):
    client.force_login(manager)
    response = client.post(
        urls["assignments"], {"action": "assign", "article": article.pk, "annotator": annotator.pk}
    )
    assert response.status_code == 409
    assert "already assigned" in response.text


@pytest.fixture
def handed_in(project, article, annotation_set, annotator, annotator2, mark):
    alex = AnnotationSet.objects.create(article=article, annotator=annotator2)
    mark(annotation_set, "Kremlin", "actor")
    mark(alex, "Kremlin", "actor")
    mark(alex, "NATO", "location")
    for user, s in ((annotator, annotation_set), (annotator2, alex)):
        services.annotation_set_submit(annotation_set=s, user=user)
    return annotation_set, alex


def test_it_adjudicates_through_the_page(client, reviewer, article, handed_in, urls):
    client.force_login(reviewer)
    page = client.get(urls["adjudicate"]).text
    assert 'data-key="span:53-57" data-state="disagree"' in page  # only alex marked NATO
    assert 'data-key="span:0-7" data-state="agree"' in page
    client.post(urls["adjudicate"], {"action": "accept_unanimous", "version": 0})
    gold = AnnotationSet.objects.get(article=article, is_gold=True)
    response = client.post(
        urls["adjudicate"], {"action": "reject", "key": "span:53-57", "version": gold.version}
    )
    assert response.status_code == 400
    assert "reason code" in response.text
    response = client.post(
        urls["adjudicate"],
        {"action": "reject", "key": "span:53-57", "version": gold.version, "reason_code": "other"},
    )
    assert response.status_code == 302
    gold.refresh_from_db()
    client.post(urls["adjudicate"], {"action": "approve", "version": gold.version})
    gold.refresh_from_db()
    assert gold.status == "approved"
    assert [s.quote for s in gold.spans.all()] == ["Kremlin"]


def test_the_review_list_counts_annotators_sets_and_says_where_each_article_stands(
    client, project, reviewer, annotator, article, handed_in, urls
):
    from tests.factories import ArticleFactory

    waiting = ArticleFactory(project=project, title="Still being annotated")
    AnnotationSet.objects.create(article=waiting, annotator=annotator)
    ArticleFactory(project=project, title="Nobody's article")
    client.force_login(reviewer)

    def rows() -> dict[str, str]:
        page = client.get(urls["review-list"]).text
        body = page[page.index("<tbody>") : page.index("</tbody>")]
        cells = [re.sub(r"(\s*<[^>]+>\s*)+", "|", row).strip("|") for row in body.split("<tr>")[1:]]
        return {cell.split("|")[0]: cell for cell in cells}

    assert set(rows()) == {"Russia warns US, NATO", "Still being annotated"}
    assert "|1 of 2|" not in rows()["Russia warns US, NATO"]
    assert "|2 of 2|Ready for adjudication|" in rows()["Russia warns US, NATO"]
    assert "|0 of 1|Waiting for annotators|" in rows()["Still being annotated"]
    adjudication.adjudication_accept_unanimous(
        article=article, user=reviewer, expected_version=None
    )
    adjudication.adjudication_reject(
        article=article, user=reviewer, key="span:53-57", reason_code="other", expected_version=None
    )
    # A gold set with decisions in it, not approved yet: not adjudicated, and not counted.
    assert "|2 of 2|Ready for adjudication|" in rows()["Russia warns US, NATO"]
    assert "Adjudicated: the gold set is approved." not in client.get(urls["adjudicate"]).text
    adjudication.gold_set_approve(article=article, user=reviewer, expected_version=None)
    assert "|2 of 2|Adjudicated|" in rows()["Russia warns US, NATO"]
    assert "Adjudicated: the gold set is approved." in client.get(urls["adjudicate"]).text


def test_it_shows_a_stale_reviewer_the_other_decisions(
    client, reviewer, project, article, handed_in, urls
):
    adjudication.adjudication_reject(
        article=article,
        user=reviewer,
        key="span:53-57",
        reason_code="guideline",
        expected_version=0,
    )
    client.force_login(reviewer)
    response = client.post(
        urls["adjudicate"],
        {"action": "accept", "key": "span:53-57", "version": 0, "reason_code": "missed"},
    )
    assert response.status_code == 409
    assert "Another reviewer changed this adjudication" in response.text
    assert "Rejected" in response.text
    assert AdjudicationDecision.objects.get().outcome == "rejected"


def test_it_refuses_self_adjudication_in_the_browser(client, project, annotator, handed_in, urls):
    from tests.factories import MembershipFactory

    MembershipFactory(user=annotator, project=project, role="reviewer")
    client.force_login(annotator)
    assert "you may not adjudicate" in client.get(urls["adjudicate"]).text
    response = client.post(urls["adjudicate"], {"action": "accept_unanimous", "version": 0})
    assert response.status_code == 403
    assert not AnnotationSet.objects.filter(is_gold=True).exists()


def test_it_sends_a_set_back_with_a_comment_the_annotator_sees(
    client, reviewer, annotator, handed_in, urls
):
    anna, _ = handed_in
    client.force_login(reviewer)
    response = client.post(
        urls["set-review"],
        {"action": "request_changes", "comment": "<script>alert(1)</script> fix NATO"},
    )
    assert response.status_code == 302
    anna.refresh_from_db()
    assert anna.status == "changes_requested"
    response = client.post(urls["set-review"], {"action": "approve"})
    assert response.status_code == 409
    client.force_login(annotator)
    page = client.get(urls["set-review"]).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; fix NATO" in page
    assert "<script>alert(1)" not in page
    assert "requested changes" in page


def test_it_refuses_an_empty_request_for_changes(client, reviewer, handed_in, urls):
    client.force_login(reviewer)
    response = client.post(urls["set-review"], {"action": "request_changes", "comment": " "})
    assert response.status_code == 400
    assert "comment is required" in response.text


def test_it_threads_comments_on_a_span(client, reviewer, annotator, handed_in, urls):
    anna, _ = handed_in
    span = anna.spans.get()
    client.force_login(reviewer)
    client.post(urls["set-review"], {"action": "comment", "span": span.pk, "body": "Why <b>?"})
    client.force_login(annotator)
    client.post(urls["set-review"], {"action": "comment", "body": "On the set"})
    comments = list(Comment.objects.order_by("pk"))
    assert [(c.target, c.author) for c in comments] == [("span", reviewer), ("set", annotator)]
    assert "Why &lt;b&gt;?" in client.get(urls["set-review"]).text


def test_it_shows_annotators_only_their_own_history(
    client, annotator, reviewer, article, handed_in, urls
):
    client.force_login(reviewer)
    assert (
        client.get(urls["article-history"]).text.count("<tr>") == 1 + HistoryRecord.objects.count()
    )
    client.force_login(annotator)
    page = client.get(urls["article-history"]).text
    assert "location" not in page  # only alex used it
    assert "Kremlin" in page


def test_it_draws_the_agreement_dashboard(client, reviewer, handed_in, urls):
    client.force_login(reviewer)
    page = client.get(urls["agreement"]).text
    assert "<svg" in page and "style=" not in page
    assert "anna" in page and "alex" in page
    assert "0.6667" in page  # exact F1: Kremlin agreed, NATO marked by one only


def test_it_shows_the_request_for_changes_on_the_annotators_page(
    client, project, article, reviewer, annotator, handed_in
):
    anna, _ = handed_in
    reviewing.annotation_set_request_changes(
        annotation_set=anna, user=reviewer, comment="Mark <NATO> too"
    )
    client.force_login(annotator)
    page = client.get(reverse("annotations:annotate", args=[project.slug, article.pk])).text
    assert "rita</span> requested changes" in page
    assert "Mark &lt;NATO&gt; too" in page
    assert reverse("annotations:set-review", args=[project.slug, anna.pk]) in page


def test_a_malformed_item_or_version_in_the_address_is_a_clear_400(
    client, reviewer, handed_in, urls
):
    client.force_login(reviewer)
    response = client.get(urls["adjudicate"], {"item": "span:0-7", "from": "x<b>"})
    assert response.status_code == 400
    assert "<b>" not in response.text
    response = client.get(urls["adjudicate"], {"item": "no-such-item"})
    assert response.status_code == 200  # the first undecided item instead
