"""Who may do what: one helper per object type, used by every view and API endpoint.

Each helper returns the object when the user may use it and raises Http404 when the user
is not a member of its project (so outsiders cannot even learn it exists) and
PermissionDenied when the user is a member without the needed role.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import User
from annotations.models import AnnotationSet, Article, Project, Role


def get_project_for_user(user, slug: str, *, roles: set[str] | None = None) -> Project:
    """The project, if the user is a member (holding one of `roles`, when given)."""
    project = Project.objects.filter(slug=slug).first()
    if project is None or not user.is_authenticated:
        raise Http404("No such project.")
    held = project.roles_of(user)
    if not held:
        raise Http404("No such project.")
    if roles is not None and not (held & roles):
        raise PermissionDenied("Your role in this project does not allow this.")
    project.user_roles = held
    return project


def get_article_for_user(user, project: Project, article_id: int) -> Article:
    article = Article.objects.filter(project=project, pk=article_id).first()
    if article is None:
        raise Http404("No such article.")
    return article


MANAGER = {Role.MANAGER}
ANNOTATOR = {Role.ANNOTATOR}
ANY_ROLE = {Role.MANAGER, Role.ANNOTATOR, Role.REVIEWER}


def may_see_annotation_set(user, annotation_set: AnnotationSet, roles: set[str]) -> bool:
    """Members see their own sets; reviewers and managers see every set of the project."""
    if not roles:
        return False
    return annotation_set.annotator_id == user.pk or bool(roles & {Role.REVIEWER, Role.MANAGER})


def get_annotation_set_for_user(
    user, project: Project, set_id: int, *, for_edit: bool = False
) -> AnnotationSet:
    """An annotation set of the project the user may see, or change when `for_edit`.

    Annotators see and change only their own sets. Reviewers and managers see every set;
    reviewers change gold sets (through adjudication). Whether the set's state still allows a
    change is the services' business, not this helper's.
    """
    annotation_set = (
        AnnotationSet.objects.select_related("article", "annotator")
        .filter(article__project=project, pk=set_id)
        .first()
    )
    if annotation_set is None:
        raise Http404("No such annotation set.")
    roles = getattr(project, "user_roles", None) or project.roles_of(user)
    own = annotation_set.annotator_id == user.pk
    if for_edit:
        allowed = Role.REVIEWER in roles if annotation_set.is_gold else own
    else:
        allowed = may_see_annotation_set(user, annotation_set, roles)
    if not allowed:
        if not own and Role.ANNOTATOR in roles and not roles & {Role.REVIEWER, Role.MANAGER}:
            raise Http404("No such annotation set.")
        raise PermissionDenied("You may not change this annotation set.")
    return annotation_set


def get_span_for_user(user, project: Project, set_id: int, span_id: int, *, for_edit=False):
    """A span of a set the user may see (or change, when `for_edit`)."""
    annotation_set = get_annotation_set_for_user(user, project, set_id, for_edit=for_edit)
    span = annotation_set.spans.select_related("label", "actor").filter(pk=span_id).first()
    if span is None:
        raise Http404("No such span.")
    span.annotation_set = annotation_set
    return span


def get_claim_for_user(user, project: Project, set_id: int, claim_id: int, *, for_edit=False):
    """A claim of a set the user may see (or change, when `for_edit`)."""
    annotation_set = get_annotation_set_for_user(user, project, set_id, for_edit=for_edit)
    claim = annotation_set.claims.filter(pk=claim_id).first()
    if claim is None:
        raise Http404("No such claim.")
    claim.annotation_set = annotation_set
    return claim


def can_create_actors(user, project: Project) -> bool:
    """Managers add actors to the registry; annotators too when the project allows it."""
    roles = getattr(project, "user_roles", None) or project.roles_of(user)
    if Role.MANAGER in roles:
        return True
    return project.annotators_can_create_actors and Role.ANNOTATOR in roles


def check_can_create_actors(user, project: Project) -> None:
    if not can_create_actors(user, project):
        raise PermissionDenied("Only managers may add actors to this project's registry.")


def get_release_for_user(user, project: Project, version: int):
    """A release of the project; any member may see and download it (the project is checked
    by get_project_for_user first)."""
    from annotations.models import Release

    release = Release.objects.filter(project=project, version=version).first()
    if release is None:
        raise Http404("No such release.")
    return release


# Review: who may assign articles, review a set, adjudicate an article and comment. The review
# services (annotations.assignment, .reviewing, .adjudication) call these; each raises
# PermissionDenied with a message that says who may.


def check_role(user: User, project: Project, role: Role, message: str) -> None:
    """PermissionDenied(`message`) unless the user holds `role` in the project."""
    if role not in project.roles_of(user):
        raise PermissionDenied(message)


def check_may_assign(user: User, project: Project) -> None:
    check_role(user, project, Role.MANAGER, "Only the project's managers assign articles.")


def check_may_withdraw_assignment(user: User, project: Project) -> None:
    check_role(user, project, Role.MANAGER, "Only the project's managers withdraw assignments.")


def is_self_review(user: User, project: Project, annotator_ids: Iterable[int | None]) -> bool:
    """Whether judging work by `annotator_ids` would be the user judging their own work while
    the project forbids it (`allow_self_review` off). One rule for reviewing and adjudicating."""
    return not project.allow_self_review and user.pk in set(annotator_ids)


def check_self_review(
    user: User, project: Project, annotator_ids: Iterable[int | None], message: str
) -> None:
    """PermissionDenied(`message`) when the user would judge their own work (is_self_review)."""
    if is_self_review(user, project, annotator_ids):
        raise PermissionDenied(message)


def check_may_review(user: User, annotation_set: AnnotationSet) -> None:
    """Reviewers send back or approve a set, but not their own unless the project allows it."""
    project = annotation_set.article.project
    check_role(user, project, Role.REVIEWER, "Only the project's reviewers review sets.")
    check_self_review(
        user,
        project,
        [annotation_set.annotator_id],
        "You may not review your own annotation set.",
    )


def check_may_adjudicate(user: User, article: Article, sets: Iterable[AnnotationSet]) -> None:
    """Reviewers adjudicate an article (its annotators' `sets`), but not one they annotated
    unless the project allows it."""
    project = article.project
    check_role(user, project, Role.REVIEWER, "Only the project's reviewers adjudicate.")
    check_self_review(
        user,
        project,
        [s.annotator_id for s in sets],
        "You annotated this article, so you may not adjudicate it.",
    )


def check_may_comment(user: User, annotation_set: AnnotationSet) -> None:
    """Whoever may see a set may comment on it (see may_see_annotation_set)."""
    roles = annotation_set.article.project.roles_of(user)
    if not may_see_annotation_set(user, annotation_set, roles):
        raise PermissionDenied("You may not comment on this annotation set.")
