"""What the API reads and writes. Serializers shape data; the services own every rule."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import ApiToken
from annotations import exports, importing
from annotations.exports.records import ANNOTATORS, GOLD
from annotations.models import (
    Actor,
    AnnotationSet,
    Article,
    Claim,
    ClaimType,
    Label,
    Membership,
    Project,
    ReasonCode,
    Release,
    Reliability,
    Span,
    ThreatAssessment,
    ThreatLevel,
)
from annotations.models.releases import default_ratios
from annotations.releases import release_status_note
from workbench.worker import last_heartbeat


class ProjectOutput(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField(help_text="Your roles in the project.")

    class Meta:
        model = Project
        fields = [
            "slug",
            "name",
            "description",
            "annotators_per_article",
            "allow_self_review",
            "annotators_can_create_actors",
            "created_at",
            "roles",
        ]

    def get_roles(self, project: Project) -> list[str]:
        return sorted(project.roles_of(self.context["request"].user))


class MembershipOutput(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username")

    class Meta:
        model = Membership
        fields = ["id", "username", "role", "created_at"]


class LabelOutput(serializers.ModelSerializer):
    class Meta:
        model = Label
        fields = ["id", "name", "kind", "colour", "hotkey", "position"]


class LabelInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=Label.Kind.choices, default=Label.Kind.ENTITY)
    colour = serializers.RegexField(
        r"^#[0-9a-fA-F]{6}$", required=False, help_text="Default: a colour no other label has."
    )
    hotkey = serializers.RegexField(r"^[a-z0-9]$", required=False, allow_blank=True, default="")
    position = serializers.IntegerField(min_value=0, max_value=100000, default=0)


class ClaimTypeOutput(serializers.ModelSerializer):
    class Meta:
        model = ClaimType
        fields = ["id", "name", "position"]


class ThreatLevelOutput(serializers.ModelSerializer):
    class Meta:
        model = ThreatLevel
        fields = ["id", "rank", "name", "description"]


class ActorOutput(serializers.ModelSerializer):
    aliases = serializers.SerializerMethodField()

    class Meta:
        model = Actor
        fields = ["id", "name", "kind", "affiliation", "external_id", "description", "aliases"]

    def get_aliases(self, actor: Actor) -> list[str]:
        return sorted(alias.name for alias in actor.aliases.all())


class ActorInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Actor.Kind.choices, default=Actor.Kind.OTHER)
    affiliation = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=2**62
    )
    external_id = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    description = serializers.CharField(required=False, allow_blank=True, default="")
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, default=list
    )


class ActorRegistryEntry(serializers.Serializer):
    """One actor of a registry file (JSON); CSV has the same columns, aliases one per line."""

    name = serializers.CharField(help_text="The canonical name.")
    kind = serializers.ChoiceField(choices=Actor.Kind.choices)
    aliases = serializers.ListField(child=serializers.CharField())
    affiliation = serializers.CharField(
        allow_null=True, help_text="The canonical name of the actor this one belongs to."
    )
    external_id = serializers.CharField(help_text="E.g. a Wikidata QID; may be empty.")
    description = serializers.CharField()


class ActorRegistryImportInput(serializers.Serializer):
    file = serializers.FileField(help_text="A registry file, CSV or JSON; imported whole or not.")
    format = serializers.ChoiceField(
        choices=["csv", "json"], required=False, help_text="Default: from the file name."
    )


class ActorRegistryImportOutput(serializers.Serializer):
    created = serializers.ListField(
        child=serializers.CharField(), help_text="Canonical names of the new actors."
    )
    updated = serializers.ListField(
        child=serializers.CharField(),
        help_text="Actors that received aliases or fields the registry left empty.",
    )
    unchanged = serializers.IntegerField(help_text="Lines that matched an actor as it is.")


class ArticleOutput(serializers.ModelSerializer):
    class Meta:
        model = Article
        fields = [
            "id",
            "title",
            "source",
            "url",
            "published",
            "language",
            "external_id",
            "body_sha256",
            "created_at",
        ]


class ArticleDetailOutput(ArticleOutput):
    class Meta(ArticleOutput.Meta):
        fields = [*ArticleOutput.Meta.fields, "body", "metadata"]


class ArticleImportInput(serializers.Serializer):
    file = serializers.FileField(
        help_text="Text, HTML, JSONL or CSV; imported whole or not at all."
    )
    format = serializers.ChoiceField(
        choices=list(importing.FORMATS),
        required=False,
        help_text="Default: from the file name's extension.",
    )
    annotator = serializers.CharField(
        required=False,
        max_length=150,
        help_text=(
            "Username of the project annotator owning the annotation sets of pre-annotated "
            "spans (default: you, if you are one)."
        ),
    )


class DuplicateOutput(serializers.Serializer):
    line = serializers.IntegerField()
    title = serializers.CharField()
    existing_article_id = serializers.IntegerField(allow_null=True)


class ArticleImportOutput(serializers.Serializer):
    imported = serializers.IntegerField()
    span_count = serializers.IntegerField()
    added_sets = serializers.IntegerField(
        help_text="Annotators' sets (native, doccano) added to articles the project held already."
    )
    gold_sets = serializers.IntegerField(
        help_text="Gold sets restored from a native file (a reviewer's import)."
    )
    article_ids = serializers.ListField(child=serializers.IntegerField())
    duplicates = DuplicateOutput(many=True)


class SpanOutput(serializers.ModelSerializer):
    label = serializers.CharField(source="label.name")  # type: ignore[assignment]  # "label" shadows Field.label in the DRF stubs (their #78)
    provenance = serializers.JSONField(
        read_only=True,
        allow_null=True,
        help_text='The accepted suggestion the span came from, {"suggester", "version", '
        '"score"}; null for a span made by hand. Set only by accepting a suggestion.',
    )

    class Meta:
        model = Span
        fields = ["id", "start", "end", "quote", "label", "actor", "note", "provenance"]


class SpanInput(serializers.Serializer):
    start = serializers.IntegerField(
        min_value=0, max_value=2**31 - 1, help_text="Unicode code point offset, inclusive."
    )
    end = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text="Unicode code point offset, exclusive."
    )
    quote = serializers.CharField(
        trim_whitespace=False, help_text="Must equal the article's text[start:end]."
    )
    label = serializers.CharField(max_length=100, help_text="A label's name.")  # type: ignore[assignment]  # "label" shadows Field.label in the DRF stubs (their #78)
    actor = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=2**62
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class SpanUpdateInput(serializers.Serializer):
    label = serializers.CharField(max_length=100, required=False)  # type: ignore[assignment]  # "label" shadows Field.label in the DRF stubs (their #78)
    actor = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**62)
    note = serializers.CharField(required=False, allow_blank=True)


class ClaimOutput(serializers.ModelSerializer):
    claim_type = serializers.CharField(source="claim_type.name")
    targets = serializers.SerializerMethodField()
    grading = serializers.CharField(read_only=True, help_text='Admiralty grading, e.g. "B2".')

    class Meta:
        model = Claim
        fields = [
            "id",
            "span",
            "claimant",
            "claimant_span",
            "targets",
            "claim_type",
            "reliability",
            "credibility",
            "grading",
            "note",
        ]

    def get_targets(self, claim: Claim) -> list[int]:
        return sorted(target.pk for target in claim.targets.all())


def _id_field(**kwargs):
    return serializers.IntegerField(min_value=1, max_value=2**62, **kwargs)


class ClaimInput(serializers.Serializer):
    span = _id_field(help_text="The span stating the claim.")
    claim_type = serializers.CharField(max_length=100, help_text="A claim type's name.")
    claimant = _id_field(required=False, allow_null=True, default=None)
    claimant_span = _id_field(required=False, allow_null=True, default=None)
    targets = serializers.ListField(child=_id_field(), required=False, default=list)
    reliability = serializers.ChoiceField(
        choices=Reliability.choices, allow_blank=True, required=False, default=""
    )
    credibility = serializers.IntegerField(
        min_value=1, max_value=6, required=False, allow_null=True, default=None
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ClaimUpdateInput(serializers.Serializer):
    claim_type = serializers.CharField(max_length=100, required=False)
    claimant = _id_field(required=False, allow_null=True)
    claimant_span = _id_field(required=False, allow_null=True)
    targets = serializers.ListField(child=_id_field(), required=False)
    reliability = serializers.ChoiceField(
        choices=Reliability.choices, allow_blank=True, required=False
    )
    credibility = serializers.IntegerField(
        min_value=1, max_value=6, required=False, allow_null=True
    )
    note = serializers.CharField(required=False, allow_blank=True)


class ThreatAssessmentOutput(serializers.ModelSerializer):
    level = serializers.CharField(source="level.name")
    claims = serializers.SerializerMethodField()

    class Meta:
        model = ThreatAssessment
        fields = ["level", "rationale", "claims", "updated_at"]

    def get_claims(self, assessment: ThreatAssessment) -> list[int]:
        return sorted(claim.pk for claim in assessment.claims.all())


class ThreatAssessmentInput(serializers.Serializer):
    level = serializers.CharField(max_length=100, help_text="A threat level's name.")
    rationale = serializers.CharField(required=False, allow_blank=True, default="")
    claims = serializers.ListField(child=_id_field(), required=False, default=list)


class AnnotationSetOutput(serializers.ModelSerializer):
    annotator = serializers.CharField(source="annotator.username", allow_null=True, default=None)
    guideline_version = serializers.IntegerField(
        source="guideline_version.number", allow_null=True, default=None
    )

    class Meta:
        model = AnnotationSet
        fields = [
            "id",
            "article",
            "annotator",
            "is_gold",
            "status",
            "version",
            "guideline_version",
            "created_at",
            "updated_at",
            "submitted_at",
        ]


class AnnotationSetDetailOutput(AnnotationSetOutput):
    spans = SpanOutput(many=True)
    claims = ClaimOutput(many=True)
    threat_assessment = serializers.SerializerMethodField()

    class Meta(AnnotationSetOutput.Meta):
        fields = [*AnnotationSetOutput.Meta.fields, "spans", "claims", "threat_assessment"]

    @extend_schema_field(ThreatAssessmentOutput(allow_null=True))
    def get_threat_assessment(self, annotation_set):
        assessment = ThreatAssessment.objects.filter(annotation_set=annotation_set).first()
        return ThreatAssessmentOutput(assessment).data if assessment else None


class AnnotationSetFilter(serializers.Serializer):
    status = serializers.ChoiceField(choices=AnnotationSet.Status.choices, required=False)
    label = serializers.CharField(  # type: ignore[assignment]  # "label" shadows Field.label in the DRF stubs (their #78)
        max_length=100, required=False, help_text="Sets with at least one span of this label."
    )
    annotator = serializers.CharField(max_length=150, required=False, help_text="A username.")
    updated_since = serializers.DateTimeField(
        required=False, help_text="Sets changed at or after this time (ISO 8601)."
    )
    article = _id_field(required=False)
    is_gold = serializers.BooleanField(required=False, allow_null=True, default=None)


class ApiTokenOutput(serializers.ModelSerializer):
    state = serializers.ChoiceField(choices=["active", "expired", "revoked"], read_only=True)

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "created_at",
            "last_used_at",
            "expires_at",
            "revoked_at",
            "state",
        ]


class ApiTokenCreatedOutput(ApiTokenOutput):
    key = serializers.CharField(help_text="The secret key. It is shown only this once.")

    class Meta(ApiTokenOutput.Meta):
        fields = [*ApiTokenOutput.Meta.fields, "key"]


class ApiTokenInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class AssignmentInput(serializers.Serializer):
    annotator = serializers.CharField(max_length=150, help_text="The annotator's username.")


class RequestChangesInput(serializers.Serializer):
    comment = serializers.CharField(max_length=10000, help_text="What should change.")


class CommentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    author = serializers.CharField(source="author.username")
    body = serializers.CharField()
    span = serializers.IntegerField(source="span_id", allow_null=True)
    claim = serializers.IntegerField(source="claim_id", allow_null=True)
    threat_assessment = serializers.SerializerMethodField(
        help_text="The comment is on the threat assessment."
    )
    requests_changes = serializers.BooleanField()
    created_at = serializers.DateTimeField()

    def get_threat_assessment(self, comment) -> bool:
        return comment.threat_assessment_id is not None


class CommentInput(serializers.Serializer):
    body = serializers.CharField(max_length=10000)
    span = _id_field(required=False, allow_null=True, default=None)
    claim = _id_field(required=False, allow_null=True, default=None)
    threat_assessment = serializers.BooleanField(
        required=False, default=False, help_text="Comment on the set's threat assessment."
    )


class AdjudicationInput(serializers.Serializer):
    expected_version = serializers.IntegerField(
        min_value=0,
        max_value=2**31 - 1,
        required=False,
        allow_null=True,
        default=None,
        help_text="The gold set's version you saw; a stale one gets 409.",
    )


class AdjudicationChangesInput(serializers.Serializer):
    """What an "edited" decision changes in the chosen version; every field optional."""

    label = serializers.CharField(max_length=100, required=False, help_text="A span's label name.")  # type: ignore[assignment]  # "label" shadows Field.label in the DRF stubs (their #78)
    actor = _id_field(required=False, allow_null=True)
    start = serializers.IntegerField(
        min_value=0, max_value=2**31 - 1, required=False, help_text="A span's new start."
    )
    end = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, required=False, help_text="A span's new end."
    )
    claim_type = serializers.CharField(max_length=100, required=False)
    claimant = _id_field(required=False, allow_null=True)
    targets = serializers.ListField(child=_id_field(), required=False)
    reliability = serializers.ChoiceField(
        choices=Reliability.choices, allow_blank=True, required=False
    )
    credibility = serializers.IntegerField(
        min_value=1, max_value=6, required=False, allow_null=True
    )
    note = serializers.CharField(required=False, allow_blank=True, help_text="A claim's note.")
    level = serializers.CharField(max_length=100, required=False, help_text="A threat level.")
    rationale = serializers.CharField(required=False, allow_blank=True)


class AdjudicationDecisionInput(AdjudicationInput):
    key = serializers.CharField(max_length=100, help_text='The merged item, e.g. "span:21-34".')
    outcome = serializers.ChoiceField(choices=["accepted", "edited", "rejected"])
    changes = AdjudicationChangesInput(
        required=False,
        default=dict,
        help_text='For "edited": the values that differ from the chosen version (source_id).',
    )
    source_id = _id_field(required=False, allow_null=True, default=None)
    reason_code = serializers.ChoiceField(
        choices=ReasonCode.choices,
        allow_blank=True,
        required=False,
        default="",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)


class AdjudicationMissedInput(AdjudicationInput):
    """A span or claim no annotator marked, added to gold with reason code "missed"."""

    kind = serializers.ChoiceField(choices=["span", "claim"])
    start = serializers.IntegerField(
        min_value=0, max_value=2**31 - 1, required=False, help_text="A span's start."
    )
    end = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, required=False, help_text="A span's end (exclusive)."
    )
    quote = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=False,
        help_text="A span's text, checked against the article when given.",
    )
    label = serializers.CharField(max_length=100, required=False, help_text="A span's label name.")  # type: ignore[assignment]  # "label" shadows Field.label in the DRF stubs (their #78)
    actor = _id_field(required=False, allow_null=True, default=None)
    span_id = _id_field(
        required=False, allow_null=True, default=None, help_text="A claim's gold span."
    )
    claim_type = serializers.CharField(max_length=100, required=False)
    claimant = _id_field(required=False, allow_null=True, default=None)
    targets = serializers.ListField(child=_id_field(), required=False, default=list)
    reliability = serializers.ChoiceField(
        choices=Reliability.choices, allow_blank=True, required=False, default=""
    )
    credibility = serializers.IntegerField(
        min_value=1, max_value=6, required=False, allow_null=True, default=None
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        needed = ["start", "end", "label"] if attrs["kind"] == "span" else ["span_id", "claim_type"]
        missing = {name: "This field is required." for name in needed if attrs.get(name) is None}
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


class AdjudicationDecisionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField()
    kind = serializers.CharField()
    outcome = serializers.CharField()
    reason_code = serializers.CharField()
    note = serializers.CharField()
    decided_by = serializers.CharField(source="decided_by.username")
    decided_at = serializers.DateTimeField()


class ReleaseFileOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    format = serializers.CharField()
    split = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, release_file) -> str:
        release = release_file.release
        return reverse(
            "api:release-file-download",
            args=[release.project.slug, release.version, release_file.pk],
        )


class ReleaseOutput(serializers.Serializer):
    version = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=Release.Status.choices)
    progress = serializers.IntegerField()
    error = serializers.CharField()
    filter = serializers.JSONField()
    formats = serializers.ListField(child=serializers.CharField())
    split_seed = serializers.IntegerField()
    split_ratios = serializers.DictField(child=serializers.FloatField())
    created_by = serializers.CharField(source="created_by.username", allow_null=True, default=None)
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    status_note = serializers.SerializerMethodField(
        help_text="Beside the status of an unfinished release: that no worker is running to "
        "build it, or that its build has made no progress for a while; null otherwise."
    )

    def get_status_note(self, release: Release) -> str | None:
        if release.is_finished:
            return None
        context = self.context
        assert isinstance(context, dict)  # DRF's context is a dict; the stubs say Mapping
        if "last_worker_seen" not in context:  # read once for a whole list
            context["last_worker_seen"] = last_heartbeat()
        return release_status_note(release, last_worker_seen=context["last_worker_seen"])


class ReleaseDetailOutput(ReleaseOutput):
    card = serializers.JSONField()
    files = ReleaseFileOutput(many=True, source="files.all")


class ReleaseFilterInput(serializers.Serializer):
    sets = serializers.ChoiceField(choices=[GOLD, ANNOTATORS], default=GOLD)
    annotators = serializers.ListField(
        child=serializers.CharField(max_length=150), required=False, default=list
    )
    statuses = serializers.ListField(
        child=serializers.ChoiceField(choices=AnnotationSet.Status.choices),
        required=False,
        default=list,
    )


class SplitRatiosInput(serializers.Serializer):
    train = serializers.FloatField(min_value=0, max_value=1, default=default_ratios()["train"])
    dev = serializers.FloatField(min_value=0, max_value=1, default=default_ratios()["dev"])
    test = serializers.FloatField(min_value=0, max_value=1, default=default_ratios()["test"])


class ReleaseInput(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    formats = serializers.ListField(
        child=serializers.ChoiceField(choices=list(exports.FORMATS)),
        min_length=1,
    )
    filter = ReleaseFilterInput(required=False)
    split_seed = serializers.IntegerField(min_value=0, max_value=2**31 - 1, default=0)
    split_ratios = SplitRatiosInput(required=False)
