"""Who may do what: every permission rule of the workbench, for single objects and for lists.

`get_project_for_user` is the door to everything under a project. It raises Http404 when the user
is not a member (so outsiders cannot even learn the project exists) and PermissionDenied when a
member lacks the needed role, and returns a `ProjectAccess`: the user, the project and the user's
roles in it, read once per request. Every other helper here takes that `ProjectAccess`.

Three kinds of helper, one rule each:
- list rules (`*_visible_to`) return the querysets that pages and the API list from;
- object helpers (`get_*_for_user`) apply the list rule to one object and raise Http404 when it
  is not in the list, PermissionDenied when it is visible but the change is not allowed;
- predicates (`may_*`) answer yes or no, for templates and for the helpers above.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from accounts.models import User
from annotations import history
from annotations.models import (
    AnnotationSet,
    Article,
    Claim,
    GoldScore,
    HistoryRecord,
    PredictionSource,
    Project,
    Release,
    ReleaseFile,
    Role,
    Span,
    TrainedModel,
)

# The role sets, each defined once. A member may hold several roles in one project.
Roles = frozenset[str]
MANAGER: Roles = frozenset({Role.MANAGER})
ANNOTATOR: Roles = frozenset({Role.ANNOTATOR})
REVIEWER: Roles = frozenset({Role.REVIEWER})
REVIEWER_OR_MANAGER: Roles = frozenset({Role.REVIEWER, Role.MANAGER})
ANY_ROLE: Roles = frozenset(Role)


@dataclass(frozen=True, slots=True)
class ProjectAccess:
    """A member's standing in a project: who, which project, which roles (never empty).

    Made by `get_project_for_user`, which has checked the membership; views put `roles` in the
    template context for the project navigation."""

    user: User
    project: Project
    roles: Roles

    def holds(self, roles: AbstractSet[str]) -> bool:
        """Whether the user holds at least one of `roles` in the project."""
        return bool(self.roles & roles)


def projects_visible_to(user: User | AnonymousUser) -> QuerySet[Project]:
    """The projects the user is a member of, in any role."""
    return Project.objects.for_user(user)


def get_project_for_user(
    user: User | AnonymousUser, slug: str, *, roles: Roles = ANY_ROLE
) -> ProjectAccess:
    """The user's access to the project, if they are a member holding one of `roles`. The
    project comes with `has_live_models` (whether a trained model suggests: the annotate page
    asks them only then, at no extra query)."""
    live = TrainedModel.objects.live().filter(project=OuterRef("pk"))
    project = Project.objects.filter(slug=slug).annotate(has_live_models=Exists(live)).first()
    if project is None or isinstance(user, AnonymousUser):
        raise Http404("No such project.")
    held = frozenset(project.roles_of(user))
    if not held:
        raise Http404("No such project.")
    return require_roles(ProjectAccess(user, project, held), roles)


def require_roles(access: ProjectAccess, roles: Roles) -> ProjectAccess:
    """`access`, if it holds one of `roles`; PermissionDenied (403) otherwise."""
    if not access.holds(roles):
        raise PermissionDenied("Your role in this project does not allow this.")
    return access


# Articles.


def articles_visible_to(access: ProjectAccess) -> QuerySet[Article]:
    """Every member sees every article of the project."""
    return Article.objects.filter(project=access.project)


def get_article_for_user(access: ProjectAccess, article_id: int) -> Article:
    article = articles_visible_to(access).filter(pk=article_id).first()
    if article is None:
        raise Http404("No such article.")
    return article


# Annotation sets and what is in them.


def sees_every_annotation_set(roles: AbstractSet[str]) -> bool:
    """Reviewers and managers see every set of their project; annotators only their own."""
    return bool(roles & REVIEWER_OR_MANAGER)


def annotation_sets_visible_to(access: ProjectAccess) -> QuerySet[AnnotationSet]:
    """The project's annotation sets the user may see (see `sees_every_annotation_set`)."""
    sets = AnnotationSet.objects.filter(article__project=access.project)
    if sees_every_annotation_set(access.roles):
        return sets
    return sets.filter(annotator=access.user)


def may_see_annotation_set(
    user: AbstractBaseUser, annotation_set: AnnotationSet, roles: AbstractSet[str]
) -> bool:
    """`annotation_sets_visible_to` for one set, given the user's `roles` in its project."""
    if not roles:
        return False
    return sees_every_annotation_set(roles) or bool(annotation_set.annotator_id == user.pk)


GOLD_REFUSED = "A gold set changes only through adjudication decisions."


def may_edit_annotation_set(access: ProjectAccess, annotation_set: AnnotationSet) -> bool:
    """Annotators change their own sets. Nobody changes a gold set directly, in any role: it
    changes only through adjudication decisions (`check_may_adjudicate`). Whether the set's
    state still allows a change is the services' business."""
    if annotation_set.is_gold:
        return False
    return bool(annotation_set.annotator_id == access.user.pk)


def get_annotation_set_for_user(
    access: ProjectAccess, set_id: int, *, for_edit: bool = False
) -> AnnotationSet:
    """An annotation set the user may see (404 otherwise), or change when `for_edit` (403)."""
    annotation_set = (
        annotation_sets_visible_to(access)
        .select_related("article", "annotator")
        .filter(pk=set_id)
        .first()
    )
    if annotation_set is None:
        raise Http404("No such annotation set.")
    if for_edit and not may_edit_annotation_set(access, annotation_set):
        if annotation_set.is_gold:
            raise PermissionDenied(GOLD_REFUSED)
        raise PermissionDenied("You may not change this annotation set.")
    return annotation_set


def get_span_for_user(
    access: ProjectAccess, set_id: int, span_id: int, *, for_edit: bool = False
) -> Span:
    """A span of a set the user may see (or change, when `for_edit`)."""
    annotation_set = get_annotation_set_for_user(access, set_id, for_edit=for_edit)
    span = annotation_set.spans.select_related("label", "actor").filter(pk=span_id).first()
    if span is None:
        raise Http404("No such span.")
    span.annotation_set = annotation_set
    return span


def get_claim_for_user(
    access: ProjectAccess, set_id: int, claim_id: int, *, for_edit: bool = False
) -> Claim:
    """A claim of a set the user may see (or change, when `for_edit`)."""
    annotation_set = get_annotation_set_for_user(access, set_id, for_edit=for_edit)
    claim = annotation_set.claims.filter(pk=claim_id).first()
    if claim is None:
        raise Http404("No such claim.")
    claim.annotation_set = annotation_set
    return claim


# Reviewing one's own work.


def self_review_barred(access: ProjectAccess, annotator_ids: Iterable[int | None]) -> bool:
    """Whether the user annotated one of these sets in a project that bars self-review."""
    return is_self_review(access.user, access.project, annotator_ids)


def may_review_annotation_set(access: ProjectAccess, annotation_set: AnnotationSet) -> bool:
    """Reviewers approve or send back annotators' sets, not their own unless the project allows
    it. Whether the set is waiting for review is the services' business."""
    return (
        access.holds(REVIEWER)
        and not annotation_set.is_gold
        and not self_review_barred(access, [annotation_set.annotator_id])
    )


# The actor registry.


def may_create_actors(access: ProjectAccess) -> bool:
    """Managers add actors to the registry; annotators too when the project allows it."""
    if access.holds(MANAGER):
        return True
    return access.project.annotators_can_create_actors and access.holds(ANNOTATOR)


def check_may_create_actors(access: ProjectAccess) -> None:
    if not may_create_actors(access):
        raise PermissionDenied("Only managers may add actors to this project's registry.")


# History.


def may_read_history(access: ProjectAccess) -> bool:
    """Every member may open an article's history; what it shows them is
    `article_history_for_user`."""
    return access.holds(ANY_ROLE)


def article_history_for_user(access: ProjectAccess, article: Article) -> QuerySet[HistoryRecord]:
    """The article's history records, oldest first, of the annotation sets the user may see
    (records of withdrawn sets only for those who see every set)."""
    if not may_read_history(access):
        raise PermissionDenied("Your role in this project does not allow reading its history.")
    records: QuerySet[HistoryRecord] = history.for_article(article.pk)
    if sees_every_annotation_set(access.roles):
        return records
    visible = annotation_sets_visible_to(access).filter(article=article)
    return records.filter(annotation_set_id__in=visible.values("pk"))


# Releases.


def may_read_release(access: ProjectAccess, release: Release) -> bool:
    """Every member may read and download a release of the gold sets: it holds the adjudicated,
    approved result, which is what the project is for. A release of the annotators' own sets
    (their in-progress work, notes and rationale) is for managers and reviewers only, who see
    every annotation set anyway (`sees_every_annotation_set`)."""
    if release.project_id != access.project.pk:
        return False
    return release.holds_gold or sees_every_annotation_set(access.roles)


def releases_visible_to(access: ProjectAccess) -> QuerySet[Release]:
    """The project's releases the user may read (see `may_read_release`); annotators do not even
    see that a release of annotators' sets exists."""
    releases = Release.objects.filter(project=access.project)
    if sees_every_annotation_set(access.roles):
        return releases
    return releases.of_gold()


def get_release_for_user(access: ProjectAccess, version: int) -> Release:
    """A release of the project the user may read (see `may_read_release`), or Http404."""
    release = releases_visible_to(access).filter(version=version).first()
    if release is None or not may_read_release(access, release):
        raise Http404("No such release.")
    return release


def get_release_file_for_user(access: ProjectAccess, version: int, file_id: int) -> ReleaseFile:
    """A file of a ready release the user may read, or Http404."""
    release = get_release_for_user(access, version)
    release_file = release.files.filter(pk=file_id).first()
    if release_file is None or release.status != Release.Status.READY:
        raise Http404("No such file.")
    return release_file


# Imported predictions.


def get_prediction_source_for_user(access: ProjectAccess, source_id: int) -> PredictionSource:
    """A prediction source of the project, for its managers (403 for other members), or
    Http404."""
    require_roles(access, MANAGER)
    source = PredictionSource.objects.filter(project=access.project, pk=source_id).first()
    if source is None:
        raise Http404("No such prediction source.")
    return source


# Scores against gold.


def sees_every_score(access: ProjectAccess) -> bool:
    """Managers see every annotator's scores; reviewers too when the project allows it
    (`reviewers_see_scores`); everyone else (annotators) only their own."""
    if access.holds(MANAGER):
        return True
    return access.holds(REVIEWER) and access.project.reviewers_see_scores


def gold_scores_visible_to(access: ProjectAccess) -> QuerySet[GoldScore]:
    """The project's scores against gold the user may see (see `sees_every_score`)."""
    scores = GoldScore.objects.filter(project=access.project)
    if sees_every_score(access):
        return scores
    return scores.filter(annotator=access.user)


def may_see_scores_of(access: ProjectAccess, annotator_id: int) -> bool:
    """`gold_scores_visible_to` for one annotator."""
    return sees_every_score(access) or annotator_id == access.user.pk


def get_control_attempt_for_user(access: ProjectAccess, set_id: int) -> AnnotationSet:
    """A handed-in control attempt whose differences from gold the user may see: its annotator
    when the project is in training mode, and whoever sees every score. Http404 otherwise (an
    annotator never learns which of their open articles are control items)."""
    attempt = (
        AnnotationSet.objects.control_attempts()
        .handed_in()
        .filter(article__project=access.project, pk=set_id)
        .select_related("article", "annotator")
        .first()
    )
    if attempt is None:
        raise Http404("No such control item.")
    own = attempt.annotator_id == access.user.pk
    if sees_every_score(access) or (own and access.project.training_mode):
        return attempt
    raise Http404("No such control item.")


# API tokens.


def check_may_create_api_token(*, by_session: bool) -> None:
    """Tokens are made only by someone logged in with their password (a session), never with
    another token: a token that could make tokens would leave keys behind that outlive its own
    expiry and revocation, so a leaked token would be a key for good."""
    if not by_session:
        raise PermissionDenied(
            "API tokens are created only when logged in with your password (the API tokens "
            "page, or this endpoint with a browser session), not with another token."
        )


# Review: who may assign articles, review a set, adjudicate an article and comment. The review
# services (annotations.assignment, .reviewing, .adjudication) call these; each raises
# PermissionDenied with a message that says who may.


def check_role(user: User, project: Project, role: Role, message: str) -> None:
    """PermissionDenied(`message`) unless the user holds `role` in the project."""
    if role not in project.roles_of(user):
        raise PermissionDenied(message)


def check_may_assign(user: User, project: Project) -> None:
    check_role(user, project, Role.MANAGER, "Only the project's managers assign articles.")


def check_may_manage_quality(user: User, project: Project) -> None:
    check_role(user, project, Role.MANAGER, "Only the project's managers set up quality control.")


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


# Trained models (the learning loop).


def trained_models_visible_to(access: ProjectAccess) -> QuerySet[TrainedModel]:
    """Reviewers and managers see the project's trained models and their evaluation;
    annotators do not (they meet the models only as suggestions)."""
    if not access.holds(REVIEWER_OR_MANAGER):
        return TrainedModel.objects.none()
    return TrainedModel.objects.filter(project=access.project)
