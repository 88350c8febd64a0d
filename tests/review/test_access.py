"""The named review checks in annotations.access: who may assign, review, adjudicate and
comment, each refusal saying who may."""

import pytest
from django.core.exceptions import PermissionDenied

from annotations import access
from tests.factories import AnnotationSetFactory, MembershipFactory


@pytest.fixture
def anna_set(article, annotator):
    return AnnotationSetFactory(article=article, annotator=annotator)


def test_it_lets_only_managers_assign_and_withdraw(project, manager, reviewer, annotator):
    access.check_may_assign(manager, project)
    access.check_may_withdraw_assignment(manager, project)
    for user in (reviewer, annotator):
        with pytest.raises(PermissionDenied, match="Only the project's managers assign"):
            access.check_may_assign(user, project)
        with pytest.raises(PermissionDenied, match="Only the project's managers withdraw"):
            access.check_may_withdraw_assignment(user, project)


def test_it_lets_only_reviewers_review_and_adjudicate(
    article, manager, reviewer, annotator2, outsider, anna_set
):
    access.check_may_review(reviewer, anna_set)
    access.check_may_adjudicate(reviewer, article, [anna_set])
    for user in (manager, annotator2, outsider):
        with pytest.raises(PermissionDenied, match="Only the project's reviewers review sets"):
            access.check_may_review(user, anna_set)
        with pytest.raises(PermissionDenied, match="Only the project's reviewers adjudicate"):
            access.check_may_adjudicate(user, article, [anna_set])


def test_it_has_one_self_review_rule_for_reviewing_and_adjudicating(
    project, article, annotator, anna_set
):
    MembershipFactory(user=annotator, project=project, role="reviewer")
    assert access.is_self_review(annotator, project, [anna_set.annotator_id])
    with pytest.raises(PermissionDenied, match="You may not review your own annotation set"):
        access.check_may_review(annotator, anna_set)
    with pytest.raises(PermissionDenied, match="You annotated this article"):
        access.check_may_adjudicate(annotator, article, [anna_set])
    project.allow_self_review = True
    project.save()
    assert not access.is_self_review(annotator, project, [anna_set.annotator_id])
    access.check_may_review(annotator, anna_set)
    access.check_may_adjudicate(annotator, article, [anna_set])


def test_it_lets_whoever_sees_a_set_comment_on_it(
    manager, reviewer, annotator, annotator2, outsider, anna_set
):
    for user in (manager, reviewer, annotator):
        access.check_may_comment(user, anna_set)
    for user in (annotator2, outsider):
        with pytest.raises(PermissionDenied, match="You may not comment on this annotation set"):
            access.check_may_comment(user, anna_set)
