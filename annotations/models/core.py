"""The domain: projects, their articles, and the spans, claims and threat assessments on them.

About 600 lines, on purpose: these tables refer to each other both ways (an article's reads
look at its annotation sets, an article checks its spans before its text may change), so split
into modules they would import each other. History, review and releases, which only point
into these, live in their own modules beside this one.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThan, LessThanOrEqual
from django.urls import reverse

from annotations.actors import actor_key
from annotations.text import check_span_offsets

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


class Role(models.TextChoices):
    MANAGER = "manager", "Manager"
    ANNOTATOR = "annotator", "Annotator"
    REVIEWER = "reviewer", "Reviewer"


class ProjectQuerySet(models.QuerySet["Project"]):
    def for_user(self, user: User | AnonymousUser) -> ProjectQuerySet:
        """Projects the user is a member of, in any role."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(pk__in=Membership.objects.filter(user=user).values("project_id"))


class QueueOrder(models.TextChoices):
    OLDEST = "oldest", "Oldest first"
    UNCERTAINTY = "uncertainty", "Most uncertain first (active learning)"


class Project(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    annotators_per_article = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="How many annotators label each article.",
    )
    allow_self_review = models.BooleanField(
        default=False, help_text="Let a reviewer review or adjudicate their own annotation work."
    )
    allow_missed_items = models.BooleanField(
        default=True,
        help_text="Let a reviewer add to gold a span or claim the annotators missed.",
    )
    annotators_can_create_actors = models.BooleanField(
        default=False, help_text="Let annotators add actors to the registry while annotating."
    )
    # Quality control (annotations.agreement, annotations.scoring, annotations.queues).
    agreement_threshold = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(-1), MaxValueValidator(1)],
        help_text="Below this agreement (unitizing alpha of the article's spans) the queue asks "
        "one more annotator for the article. Empty: never.",
    )
    max_annotators_per_article = models.PositiveSmallIntegerField(
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="The most annotators low agreement may bring to one article.",
    )
    control_rate = models.FloatField(
        default=0.0,
        validators=[MinValueValidator(0), MaxValueValidator(0.5)],
        help_text="The share of control items (approved gold articles) in annotators' queues, "
        "0 to 0.5.",
    )
    training_mode = models.BooleanField(
        default=False,
        help_text="After handing in a control item, annotators see how their work differs "
        "from the gold set.",
    )
    reviewers_see_scores = models.BooleanField(
        default=True, help_text="Let reviewers see every annotator's scores against gold."
    )
    # The learning loop (annotations.learning).
    train_every = models.PositiveSmallIntegerField(
        default=10,
        validators=[MaxValueValidator(1000)],
        help_text="Train new models after this many newly approved gold sets; 0: only when a "
        "manager asks.",
    )
    queue_order = models.CharField(
        max_length=20,
        choices=QueueOrder.choices,
        default=QueueOrder.OLDEST,
        help_text="The order of articles in annotators' queues, after articles still short of "
        "annotators.",
    )
    withhold_rate = models.FloatField(
        default=0.0,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="The share of annotators' sets, chosen at random, that get no suggestions, "
        "so the quality pages can show what suggestions change. 0 to 1.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("annotations:article-list", args=[self.slug])

    def current_guideline(self) -> GuidelineVersion | None:
        return self.guideline_versions.order_by("-number").first()

    def roles_of(self, user: User | AnonymousUser) -> set[str]:
        if not user.is_authenticated:
            return set()
        return set(self.memberships.filter(user=user).values_list("role", flat=True))


class GuidelineVersion(models.Model):
    """One version of a project's annotation guidelines. Edits add versions; none is changed."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="guideline_versions"
    )
    number = models.PositiveIntegerField()
    text = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="guideline_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.project} guidelines v{self.number}"


class Membership(models.Model):
    """A user's role in a project. A user may hold several roles in one project."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "user", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "project", "role"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} is {self.role} in {self.project}"


hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Enter a colour as #rrggbb.")

# Label colours, each a distinct hue light enough for dark text on it; a new label gets the
# first one its project does not use yet (the default labels take the first seven).
LABEL_PALETTE = (
    "#64b5f6",  # blue
    "#81c784",  # green
    "#ffb74d",  # orange
    "#e57373",  # red
    "#ba68c8",  # purple
    "#a1887f",  # brown
    "#90a4ae",  # blue grey
    "#4db6ac",  # teal
    "#f06292",  # pink
    "#dce775",  # lime
    "#7986cb",  # indigo
    "#ffd54f",  # amber
    "#4dd0e1",  # cyan
    "#ff8a65",  # deep orange
    "#9575cd",  # deep purple
    "#aed581",  # light green
)


class LabelQuerySet(models.QuerySet["Label"]):
    def next_colour(self) -> str:
        """The colour a new label among these gets: the first of LABEL_PALETTE none of them
        uses, else (all taken) the one fewest use."""
        used = [colour.lower() for colour in self.values_list("colour", flat=True)]
        return min(
            LABEL_PALETTE, key=lambda colour: (used.count(colour), LABEL_PALETTE.index(colour))
        )


class Label(models.Model):
    class Kind(models.TextChoices):
        ENTITY = "entity", "Entity"
        CLAIM = "claim", "Claim"
        OTHER = "other", "Other"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="labels")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ENTITY)
    colour = models.CharField(max_length=7, default="#ffd54f", validators=[hex_colour])
    hotkey = models.CharField(
        max_length=1,
        blank=True,
        validators=[RegexValidator(r"^[a-z0-9]$", "A hotkey is one lower-case letter or digit.")],
    )
    position = models.PositiveIntegerField(default=0)

    objects = LabelQuerySet.as_manager()

    class Meta:
        ordering = ["project", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="label_name_unique"),
            models.UniqueConstraint(
                fields=["project", "hotkey"], condition=~Q(hotkey=""), name="label_hotkey_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ClaimType(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="claim_types")
    name = models.CharField(max_length=100)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["project", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="claim_type_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class ThreatLevel(models.Model):
    """One step of a project's ordinal threat scale; rank orders the steps, 0 is the lowest."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="threat_levels")
    rank = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    value = models.FloatField(
        null=True,
        blank=True,
        help_text="A number on an interval scale (e.g. a probability), if the scale has one; "
        "agreement then also reports interval alpha.",
    )

    class Meta:
        ordering = ["project", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["project", "rank"], name="threat_level_rank_unique"),
            models.UniqueConstraint(fields=["project", "name"], name="threat_level_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class ActorQuerySet(models.QuerySet["Actor"]):
    def matching(self, text: str) -> ActorQuerySet:
        """Actors whose canonical name or one of whose aliases contains `text`."""
        text = text.strip()
        if not text:
            return self
        return self.filter(Q(name__icontains=text) | Q(aliases__name__icontains=text)).distinct()

    def named(self, name: str) -> ActorQuerySet:
        """Actors whose canonical name or an alias matches `name` by the rule of
        annotations.actors (case, accents' composition and spacing aside). SQL cannot fold
        case as that rule does, so this reads the names and aliases of the actors in `self`
        (narrow it to a project first) and keeps the actors that match."""
        key = actor_key(name)
        if not key:
            return self.none()
        ids = {
            pk
            for pk, own, alias in self.values_list("pk", "name", "aliases__name")
            if actor_key(own) == key or (alias is not None and actor_key(alias) == key)
        }
        return self.filter(pk__in=ids)

    def registry_entries(self) -> list[dict[str, Any]]:
        """These actors as registry entries, by canonical name: name, kind, aliases (sorted),
        affiliation (its canonical name, or None), external_id, description. The shape of a
        registry file (annotations.actor_registry) and what STIX and MISP say of an actor."""
        actors: list[Actor] = list(self.select_related("affiliation").prefetch_related("aliases"))
        actors.sort(key=lambda actor: actor.name)  # by code point, whatever the collation
        return [
            {
                "name": actor.name,
                "kind": actor.kind,
                "aliases": sorted(alias.name for alias in actor.aliases.all()),
                "affiliation": actor.affiliation.name if actor.affiliation else None,
                "external_id": actor.external_id,
                "description": actor.description,
            }
            for actor in actors
        ]


class Actor(models.Model):
    """An entry in a project's registry of who's who."""

    class Kind(models.TextChoices):
        STATE = "state", "State"
        INTERNATIONAL_ORGANISATION = "international_organisation", "International organisation"
        GOVERNMENT_BODY = "government_body", "Government body"
        PERSON = "person", "Person"
        ARMED_GROUP = "armed_group", "Armed group"
        COMPANY = "company", "Company"
        OTHER = "other", "Other"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="actors")
    name = models.CharField("canonical name", max_length=200)
    kind = models.CharField(max_length=40, choices=Kind.choices, default=Kind.OTHER)
    affiliation = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="affiliates",
        help_text="The actor this one belongs to or speaks for.",
    )
    external_id = models.CharField(
        max_length=100, blank=True, help_text="An identifier elsewhere, e.g. a Wikidata QID."
    )
    description = models.TextField(blank=True)

    objects = ActorQuerySet.as_manager()

    class Meta:
        ordering = ["project", "name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="actor_name_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        parent = self.affiliation
        if parent is None:
            return
        if parent.project_id != self.project_id:
            raise ValidationError({"affiliation": "The affiliation must be in the same project."})
        seen = {self.pk}
        while parent is not None:
            if parent.pk in seen:
                raise ValidationError({"affiliation": "Affiliations may not form a cycle."})
            seen.add(parent.pk)
            parent = parent.affiliation

    def affiliation_chain(self) -> list[Actor]:
        """This actor's affiliations, nearest first (Peskov -> the Kremlin -> Russia)."""
        chain, seen, parent = [], {self.pk}, self.affiliation
        while parent is not None and parent.pk not in seen:
            chain.append(parent)
            seen.add(parent.pk)
            parent = parent.affiliation
        return chain


class ActorAlias(models.Model):
    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["actor", "name"]
        verbose_name_plural = "actor aliases"
        constraints = [models.UniqueConstraint(fields=["actor", "name"], name="actor_alias_unique")]

    def __str__(self) -> str:
        return self.name


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ArticleQuerySet(models.QuerySet["Article"]):
    def adjudicated(self) -> ArticleQuerySet:
        """Articles whose gold set is approved: adjudication is closed, no annotator joins."""
        return self.filter(_is_adjudicated())

    def needing_annotators(self, project: Project) -> ArticleQuerySet:
        """The project's articles an annotator may still join: fewer annotators' sets than the
        project's `annotators_per_article` (or, when its agreement fell below the project's
        threshold, one more than it had, up to `max_annotators_per_article`), and not
        adjudicated."""
        return self.filter(project=project).filter(_needs_annotators(project))

    def annotate_needs_annotators(self, project: Project) -> ArticleQuerySet:
        """Each article carries `needs_annotators`, the condition of needing_annotators."""
        return self.annotate(
            needs_annotators=ExpressionWrapper(_needs_annotators(project), BooleanField())
        )


def _is_adjudicated() -> Exists:
    """The outer article's gold set is approved."""
    return Exists(AnnotationSet.objects.adjudicated().filter(article=OuterRef("pk")))


def _needs_annotators(project: Project) -> Q:
    """The outer article needs annotators (see ArticleQuerySet.needing_annotators)."""

    annotator_sets = Subquery(
        AnnotationSet.objects.annotators_only()
        .filter(article=OuterRef("pk"))
        .order_by()
        .values("article")
        .annotate(n=Count("pk"))
        .values("n")
    )
    count = Coalesce(annotator_sets, 0)
    wanted = Q(LessThan(count, project.annotators_per_article))
    if project.agreement_threshold is not None:
        # Agreement that steers: an article whose agreement fell below the threshold asks one
        # more annotator (k+1), up to the maximum, once nobody has joined since it was measured.
        # (`agreement` is the article's ArticleAgreement row, annotations.models.quality.)
        wanted |= (
            Q(LessThan(F("agreement__score"), project.agreement_threshold))
            & Q(LessThan(count, project.max_annotators_per_article))
            & Q(LessThanOrEqual(count, F("agreement__coders")))
        )
    return wanted & ~Q(_is_adjudicated())


class Article(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="articles")
    title = models.CharField(max_length=500)
    body = models.TextField(help_text="Normalised text (LF line ends, Unicode NFC). Immutable.")
    body_sha256 = models.CharField(max_length=64, editable=False)
    source = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=2000, blank=True)
    published = models.DateField(null=True, blank=True)
    language = models.CharField(max_length=20, blank=True)
    external_id = models.CharField(max_length=200, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    is_control = models.BooleanField(
        default=False,
        help_text="A control item: its approved gold set scores annotators it is mixed in for.",
    )
    not_to_annotate = models.JSONField(
        default=list,
        blank=True,
        help_text="[start, end] pairs, in code points, that a manager marked as not to be "
        "annotated (a page's navigation, its footer): spans and suggestions keep out of them.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["project", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "body_sha256"], name="article_body_unique")
        ]
        indexes = [models.Index(fields=["project", "external_id"])]

    def __str__(self) -> str:
        return self.title

    def regions_not_to_annotate(self) -> list[tuple[int, int]]:
        """The stretches not to annotate, as (start, end), in the order of the text."""
        return sorted((int(start), int(end)) for start, end in self.not_to_annotate)

    def region_not_to_annotate_at(self, start: int, end: int) -> tuple[int, int] | None:
        """The first region not to annotate that [start, end) reaches into, if any."""
        return next(
            ((s, e) for s, e in self.regions_not_to_annotate() if s < end and start < e), None
        )

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            stored = Article.objects.filter(pk=self.pk).values_list("body", flat=True).first()
            if stored is not None and stored != self.body and self.has_annotations():
                raise ValidationError(
                    {"body": "The text cannot change once annotations point into it."}
                )
        self.body_sha256 = sha256_of(self.body)
        super().save(*args, **kwargs)

    def has_annotations(self) -> bool:
        return Span.objects.filter(annotation_set__article_id=self.pk).exists()


class AnnotationSetQuerySet(models.QuerySet["AnnotationSet"]):
    def gold(self) -> AnnotationSetQuerySet:
        """The reviewers' adjudicated sets (one per article at most)."""
        return self.filter(is_gold=True)

    def annotators_only(self) -> AnnotationSetQuerySet:
        """The annotators' own sets, leaving out gold sets and control attempts (an annotator's
        set on a control item counts toward neither the article's annotators nor agreement)."""
        return self.filter(is_gold=False, is_control=False)

    def control_attempts(self) -> AnnotationSetQuerySet:
        """Annotators' sets on control items, scored against the item's gold set."""
        return self.filter(is_control=True)

    def handed_in(self) -> AnnotationSetQuerySet:
        """Sets whose annotator has handed the work in: submitted, or approved since."""
        return self.filter(status__in=AnnotationSet.HANDED_IN)

    def adjudicated(self) -> AnnotationSetQuerySet:
        """Approved gold sets: their articles are adjudicated."""
        return self.gold().filter(status=AnnotationSet.Status.APPROVED)


class AnnotationSet(models.Model):
    """One annotator's work on one article, or the article's adjudicated gold set.

    Its status moves only along TRANSITIONS (GOLD_TRANSITIONS for a gold set), through
    services.annotation_set_transition, which also bumps the version and records the move.
    """

    class Status(models.TextChoices):
        ASSIGNED = "assigned", "Assigned"
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Submitted"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        APPROVED = "approved", "Approved"

    # Editable: the annotator (or, on a gold set, adjudication) may still change the content.
    EDITABLE = (Status.ASSIGNED, Status.IN_PROGRESS, Status.CHANGES_REQUESTED)
    # Handed in: the annotator's work is done, waiting for review or approved.
    HANDED_IN = (Status.SUBMITTED, Status.APPROVED)
    # Which status may follow which. The first edit starts the work; a submitted set is sent
    # back or approved; approval is final.
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.ASSIGNED: frozenset({Status.IN_PROGRESS}),
        Status.IN_PROGRESS: frozenset({Status.SUBMITTED}),
        Status.SUBMITTED: frozenset({Status.CHANGES_REQUESTED, Status.APPROVED}),
        Status.CHANGES_REQUESTED: frozenset({Status.IN_PROGRESS}),
        Status.APPROVED: frozenset(),
    }
    # A gold set is never submitted: closing adjudication approves it, even before any
    # decision put a row into it (every item rejected).
    GOLD_TRANSITIONS: dict[str, frozenset[str]] = {
        Status.ASSIGNED: frozenset({Status.IN_PROGRESS, Status.APPROVED}),
        Status.IN_PROGRESS: frozenset({Status.APPROVED}),
    }

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="annotation_sets")
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="annotation_sets",
    )
    is_gold = models.BooleanField(default=False)
    is_control = models.BooleanField(
        default=False, help_text="An annotator's attempt at a control item (never gold)."
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ASSIGNED)
    guideline_version = models.ForeignKey(
        GuidelineVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(
        default=0, help_text="Bumped on every change; guards against lost updates."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    suggestions_withheld = models.BooleanField(
        default=False,
        help_text="Chosen at random (Project.withhold_rate): this set is shown no suggestions.",
    )

    objects = AnnotationSetQuerySet.as_manager()

    class Meta:
        ordering = ["article", "is_gold", "annotator"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "annotator"],
                condition=Q(annotator__isnull=False),
                name="annotation_set_one_per_annotator",
            ),
            models.UniqueConstraint(
                fields=["article"], condition=Q(is_gold=True), name="annotation_set_one_gold"
            ),
            models.CheckConstraint(
                condition=Q(is_gold=True, annotator__isnull=True)
                | Q(is_gold=False, annotator__isnull=False),
                name="annotation_set_gold_has_no_annotator",
            ),
        ]

    def __str__(self) -> str:
        who = "gold" if self.is_gold else str(self.annotator)
        return f"{self.article} ({who})"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def is_handed_in(self) -> bool:
        return self.status in self.HANDED_IN

    @property
    def is_adjudicated(self) -> bool:
        """An approved gold set (the row's side of AnnotationSetQuerySet.adjudicated)."""
        return self.is_gold and self.status == self.Status.APPROVED

    @property
    def status_name(self) -> str:
        """The status as words in a sentence: "in progress"."""
        return self.get_status_display().lower()

    def may_move_to(self, status: str) -> bool:
        """Whether the set's status may change from what it is now to `status`."""
        transitions = self.GOLD_TRANSITIONS if self.is_gold else self.TRANSITIONS
        return status in transitions.get(self.status, frozenset())


class SpanQuerySet(models.QuerySet["Span"]):
    def dangling(self) -> SpanQuerySet:
        """Those whose set, label or actor no longer exists: none, as long as every writer keeps
        Span's references (see Span); `manage.py verify_history` looks."""
        return self.exclude(
            Exists(AnnotationSet.objects.filter(pk=OuterRef("annotation_set_id")))
            & Exists(Label.objects.filter(pk=OuterRef("label_id")))
            & (Q(actor_id=None) | Exists(Actor.objects.filter(pk=OuterRef("actor_id"))))
        )


class Span(models.Model):
    """A labelled stretch of an article's body: [start, end) in Unicode code points.

    Its three references are not foreign-key constraints in the database (`db_constraint`):
    checking them one row at a time took two thirds of the server's time of an import (issue
    16). The writers keep them instead, under the lock order of annotations.services: a span is
    written only into a set its writer has locked (or created) and with the labels and actors it
    has KEY SHARE locked and found (`services.lock_vocabulary`). Deleting a set locks it first
    and then finds its spans (CASCADE, which Django applies); deleting a label looks for its
    spans again once its row, waiting for those KEY SHARE locks, is deleted
    (`services.vocabulary_item_delete`). `manage.py verify_history` reports any span left
    without them (`SpanQuerySet.dangling`)."""

    annotation_set = models.ForeignKey(
        AnnotationSet, on_delete=models.CASCADE, related_name="spans", db_constraint=False
    )
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    quote = models.TextField(help_text="Always equal to the article body[start:end].")
    label = models.ForeignKey(
        Label, on_delete=models.PROTECT, related_name="spans", db_constraint=False
    )
    actor = models.ForeignKey(
        Actor,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="spans",
        db_constraint=False,
    )
    note = models.TextField(blank=True)
    provenance = models.JSONField(
        null=True,
        blank=True,
        help_text='The accepted suggestion it came from: {"suggester", "version", "score"}.',
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SpanQuerySet.as_manager()

    class Meta:
        ordering = ["annotation_set", "start", "end", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(start__gte=0), name="span_start_not_negative"),
            models.CheckConstraint(condition=Q(start__lt=models.F("end")), name="span_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.quote[:40]}"

    def clean(self) -> None:
        validate_span(
            self.annotation_set.article,
            self.start,
            self.end,
            self.quote,
            label=self.label if self.label_id else None,
            actor=self.actor if self.actor_id else None,
        )


def validate_span(article: Article, start, end, quote: str, *, label=None, actor=None) -> None:
    """Check a span against its article; raise ValidationError naming what is wrong."""
    check_span_offsets(article.body, start, end, quote)
    if label is not None and label.project_id != article.project_id:
        raise ValidationError(f"The label {label.name!r} belongs to another project.")
    if actor is not None and actor.project_id != article.project_id:
        raise ValidationError(f"The actor {actor.name!r} belongs to another project.")


class Reliability(models.TextChoices):
    """Admiralty code: how reliable the source is. The one list of the letters: the database
    constraint and the checks in the services derive theirs from it."""

    A = "A", "A: completely reliable"
    B = "B", "B: usually reliable"
    C = "C", "C: fairly reliable"
    D = "D", "D: not usually reliable"
    E = "E", "E: unreliable"
    F = "F", "F: reliability cannot be judged"

    @classmethod
    def as_range(cls) -> str:
        """The grades as a range for messages: "A-F"."""
        return f"{cls.values[0]}-{cls.values[-1]}"


class Credibility(models.IntegerChoices):
    """Admiralty code: how credible the information is (the one list of the numbers)."""

    CONFIRMED = 1, "1: confirmed by other sources"
    PROBABLY_TRUE = 2, "2: probably true"
    POSSIBLY_TRUE = 3, "3: possibly true"
    DOUBTFUL = 4, "4: doubtful"
    IMPROBABLE = 5, "5: improbable"
    CANNOT_BE_JUDGED = 6, "6: truth cannot be judged"

    @classmethod
    def as_range(cls) -> str:
        """The grades as a range for messages: "1-6"."""
        return f"{cls.values[0]}-{cls.values[-1]}"


class Claim(models.Model):
    """Who claims what against whom, stated by a span, optionally graded with the Admiralty code."""

    annotation_set = models.ForeignKey(
        AnnotationSet, on_delete=models.CASCADE, related_name="claims"
    )
    span = models.ForeignKey(Span, on_delete=models.CASCADE, related_name="claims")
    claimant = models.ForeignKey(
        Actor, null=True, blank=True, on_delete=models.PROTECT, related_name="claims_made"
    )
    claimant_span = models.ForeignKey(
        Span, null=True, blank=True, on_delete=models.SET_NULL, related_name="claims_naming"
    )
    targets = models.ManyToManyField(Actor, blank=True, related_name="claims_against")
    claim_type = models.ForeignKey(ClaimType, on_delete=models.PROTECT, related_name="claims")
    reliability = models.CharField(max_length=1, blank=True, choices=Reliability.choices)
    credibility = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=Credibility.choices
    )
    note = models.TextField(blank=True)
    provenance = models.JSONField(
        null=True,
        blank=True,
        help_text='The accepted suggestion it came from: {"suggester", "version", "score"}.',
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["annotation_set", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reliability__in=["", *Reliability.values]),
                name="claim_reliability_admiralty",
            ),
            models.CheckConstraint(
                condition=Q(credibility__isnull=True)
                | Q(
                    credibility__gte=min(Credibility.values),
                    credibility__lte=max(Credibility.values),
                ),
                name="claim_credibility_admiralty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim_type}: {self.span.quote[:40]}"

    @property
    def grading(self) -> str:
        """The Admiralty grading, e.g. "B2", or "" when ungraded."""
        return f"{self.reliability}{self.credibility or ''}"


class ThreatAssessment(models.Model):
    annotation_set = models.OneToOneField(
        AnnotationSet, on_delete=models.CASCADE, related_name="threat_assessment"
    )
    level = models.ForeignKey(ThreatLevel, on_delete=models.PROTECT, related_name="assessments")
    rationale = models.TextField(blank=True)
    claims = models.ManyToManyField(Claim, blank=True, related_name="threat_assessments")
    provenance = models.JSONField(
        null=True,
        blank=True,
        help_text='The accepted suggestion it came from: {"suggester", "version", "score"}.',
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.level} for {self.annotation_set}"


class RejectedSuggestion(models.Model):
    """A suggestion the annotator rejected: it is not offered again in that set, and the next
    training takes it as negative evidence. A gazetteer suggestion is rejected by its actor, a
    model's by its label."""

    annotation_set = models.ForeignKey(
        AnnotationSet, on_delete=models.CASCADE, related_name="rejected_suggestions"
    )
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    actor = models.ForeignKey(
        Actor, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    label = models.ForeignKey(
        Label, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    suggester = models.CharField(max_length=100, blank=True, help_text="Who suggested it.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["annotation_set", "start", "end", "actor"],
                condition=Q(actor__isnull=False),
                name="rejected_suggestion_unique",
            ),
            models.UniqueConstraint(
                fields=["annotation_set", "start", "end", "label"],
                condition=Q(actor__isnull=True),
                name="rejected_suggestion_label_unique",
            ),
            models.CheckConstraint(
                condition=Q(actor__isnull=False) | Q(label__isnull=False),
                name="rejected_suggestion_names_actor_or_label",
            ),
        ]

    def __str__(self) -> str:
        return f"Rejected suggestion {self.start}–{self.end}"
