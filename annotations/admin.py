"""The admin: users' memberships, projects, their vocabularies and actor registries, articles.

Annotation data (annotation sets, spans, claims, threat assessments, adjudication decisions,
comments, the history) is read-only here: it changes only through the services, which record
every change in the history, and a gold set only through adjudication. The admin shows it, and
refuses a delete elsewhere that would take annotation data with it.
"""

from collections.abc import Sequence
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import actions as admin_actions
from django.db import transaction
from django.db.models import ProtectedError, QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from annotations import models
from annotations.services import guidelines_update, vocabulary_item_delete


class ReadOnly:
    """For annotation data: viewable, never added, changed or deleted through the admin."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MembershipInline(admin.TabularInline):
    model = models.Membership
    extra = 1
    autocomplete_fields = ["user"]


class LabelInline(admin.TabularInline):
    model = models.Label
    extra = 0
    can_delete = False  # through LabelAdmin, which deletes by the service


class DeletedByTheService(admin.ModelAdmin):
    """Labels and actors: deleted by `services.vocabulary_item_delete`, which looks for their
    spans again once the row is deleted (Span's references are not foreign keys in the
    database). When a span was written with one meanwhile, the delete page and the "delete
    selected" action undo everything they did (the log entries too) and say why, in place of
    "deleted successfully"."""

    actions = ["delete_selected"]  # the one below, in place of the admin site's

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.delete_queryset(request, [obj])

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for item in queryset:
            vocabulary_item_delete(item=item)  # ProtectedError: caught by the two below

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        return self._refusal_said(request, super().delete_view, request, object_id, extra_context)

    @admin.action(permissions=["delete"], description=_("Delete selected %(verbose_name_plural)s"))
    def delete_selected(self, request: HttpRequest, queryset: QuerySet) -> Any:
        return self._refusal_said(request, admin_actions.delete_selected, self, request, queryset)

    def _refusal_said(self, request: HttpRequest, view: Any, *args: Any) -> Any:
        try:
            with transaction.atomic():
                return view(*args)
        except ProtectedError as error:
            self.message_user(request, str(error.args[0]), messages.ERROR)
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
            )


class ClaimTypeInline(admin.TabularInline):
    model = models.ClaimType
    extra = 0


class ThreatLevelInline(admin.TabularInline):
    model = models.ThreatLevel
    extra = 0


class GuidelineVersionInline(admin.StackedInline):
    model = models.GuidelineVersion
    extra = 0
    readonly_fields = ["number", "text", "created_by", "created_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "annotators_per_article", "created_at"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "slug"]
    inlines = [
        MembershipInline,
        LabelInline,
        ClaimTypeInline,
        ThreatLevelInline,
        GuidelineVersionInline,
    ]


@admin.register(models.GuidelineVersion)
class GuidelineVersionAdmin(admin.ModelAdmin):
    list_display = ["project", "number", "created_by", "created_at"]
    list_filter = ["project"]

    def get_readonly_fields(self, request, obj=None):
        # A saved version is history: edits make a new version instead.
        return ["project", "number", "text", "created_by"] if obj else ["number", "created_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            version = guidelines_update(project=obj.project, text=obj.text, user=request.user)
            obj.pk, obj.number = version.pk, version.number


@admin.register(models.Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "project", "role", "created_at"]
    list_filter = ["project", "role"]
    autocomplete_fields = ["user", "project"]


@admin.register(models.Label)
class LabelAdmin(DeletedByTheService):
    list_display = ["name", "project", "kind", "colour", "hotkey", "position"]
    list_filter = ["project", "kind"]


@admin.register(models.ClaimType)
class ClaimTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "position"]
    list_filter = ["project"]


@admin.register(models.ThreatLevel)
class ThreatLevelAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "rank"]
    list_filter = ["project"]


class ActorAliasInline(admin.TabularInline):
    model = models.ActorAlias
    extra = 1


@admin.register(models.Actor)
class ActorAdmin(DeletedByTheService):
    list_display = ["name", "project", "kind", "affiliation", "external_id"]
    list_filter = ["project", "kind"]
    search_fields = ["name", "aliases__name", "external_id"]
    autocomplete_fields = ["affiliation"]
    inlines = [ActorAliasInline]

    def get_deleted_objects(
        self, objs: Sequence[Any] | QuerySet[Any], request: HttpRequest
    ) -> tuple[list[str], dict[str, int], set[str], list[str]]:
        """A claim's targets are annotation data: an actor a claim targets is not deleted (its
        spans and the claims it makes are protected already, by PROTECT)."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        targeted = models.Claim.objects.filter(targets__in=[actor.pk for actor in objs])
        protected = [*protected, *(f"Claim targeting it: {claim}" for claim in targeted.distinct())]
        return deleted, counts, perms_needed, protected


@admin.register(models.Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "source", "published", "language", "created_at"]
    list_filter = ["project", "language"]
    search_fields = ["title", "external_id", "url"]
    readonly_fields = ["body_sha256", "created_at", "imported_by"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.has_annotations():
            fields.append("body")
        return fields


class SpanInline(ReadOnly, admin.TabularInline):
    model = models.Span
    extra = 0
    raw_id_fields = ["label", "actor"]


@admin.register(models.AnnotationSet)
class AnnotationSetAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["article", "annotator", "is_gold", "status", "updated_at"]
    list_filter = ["status", "is_gold", "article__project"]
    raw_id_fields = ["article"]
    inlines = [SpanInline]


@admin.register(models.Span)
class SpanAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["quote", "label", "actor", "start", "end", "annotation_set"]
    list_filter = ["label__project", "label"]
    raw_id_fields = ["annotation_set", "label", "actor"]


@admin.register(models.Claim)
class ClaimAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["__str__", "claimant", "claim_type", "reliability", "credibility"]
    list_filter = ["claim_type", "reliability", "credibility"]
    raw_id_fields = ["annotation_set", "span", "claimant", "claimant_span", "targets"]


@admin.register(models.ThreatAssessment)
class ThreatAssessmentAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["annotation_set", "level"]
    raw_id_fields = ["annotation_set", "claims"]


@admin.register(models.AdjudicationDecision)
class AdjudicationDecisionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["key", "article", "outcome", "reason_code", "decided_by", "decided_at"]
    list_filter = ["outcome", "reason_code", "article__project"]


@admin.register(models.Comment)
class CommentAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["annotation_set", "author", "requests_changes", "created_at"]
    list_filter = ["requests_changes"]


@admin.register(models.HistoryRecord)
class HistoryRecordAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["project", "sequence", "action", "object_type", "object_id", "username"]
    list_filter = ["project", "action", "object_type"]
