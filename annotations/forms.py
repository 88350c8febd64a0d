"""Forms for the browser pages. They parse and check input; the services own the rules."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from annotations.importing import FORMATS
from annotations.models import (
    Actor,
    ClaimType,
    Credibility,
    Label,
    Project,
    Reliability,
    Span,
    ThreatLevel,
)


def errors_text(form: forms.BaseForm) -> str:
    """All of a form's errors in one line, each naming its field."""
    parts = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        prefix = "" if name == "__all__" else f"{field.label if field else name}: "
        parts.append(prefix + " ".join(str(error) for error in errors))
    return " ".join(parts)


def valid_or_raise(form: forms.BaseForm) -> dict:
    """The cleaned data, or ValidationError with every error named (the view answers 400)."""
    if not form.is_valid():
        raise ValidationError(errors_text(form))
    return form.cleaned_data


def add_errors_by_field(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a model's or a service's `error` beside the form's fields, so the page can show each
    where it belongs: a field's own error beside it, a per-project uniqueness (the project and
    one field of the form) beside that field, the rest at the top of the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        for one in errors:
            params = one.params or {}
            unique = one.code == "unique_together" and "unique_check" in params
            if unique and (field := _one_form_field(form, params["unique_check"])):
                form.add_error(field, _taken(form, field, params["model_name"]))
                continue
            form.add_error(name if name in form.fields else None, one)


def _one_form_field(form: forms.BaseForm, fields: Iterable[str]) -> str | None:
    """The one field of `form` among a per-project constraint's `fields`, if there is one."""
    named = [f for f in fields if f != "project" and f in form.fields]
    return named[0] if len(named) == 1 else None


def _taken(form: forms.BaseForm, field: str, model_name: str) -> ValidationError:
    what = str(form.fields[field].label or field).lower()
    return ValidationError(
        f"Another {model_name.lower()} in this project has this {what}.", code="unique"
    )


def limit_choices(field: forms.Field, queryset: QuerySet[Any]) -> None:
    """Offer only the rows in `queryset` (a project's own) in a model choice field."""
    assert isinstance(field, forms.ModelChoiceField)  # ModelMultipleChoiceField is one too
    field.queryset = queryset


# Uploading and the project's vocabulary (managers)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input (Django's documented recipe): a list of uploads."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(one, initial) for one in data]
        return [super().clean(data, initial)]


class ArticleUploadForm(forms.Form):
    article_files = MultipleFileField(
        label="Files",
        help_text=(
            f"Choose several at once (up to {settings.DATA_UPLOAD_MAX_NUMBER_FILES}), "
            "or a .zip of files."
        ),
    )
    format = forms.ChoiceField(
        label="Format",
        required=False,
        choices=[("", "Tell from each file's name"), *((f, f) for f in FORMATS)],
    )


class ProjectVocabularyForm(forms.ModelForm):
    """A model form for a row belonging to a project; checks the per-project constraints."""

    def validate_unique(self) -> None:
        model = type(self.instance)
        exclude = set(self.errors)  # a field already refused is not checked again
        for constraint in model._meta.constraints:
            try:
                constraint.validate(model, self.instance, exclude=exclude)
            except ValidationError as error:
                field = _one_form_field(self, getattr(constraint, "fields", ()))
                if field is None:
                    self.add_error(None, error)
                else:
                    self.add_error(field, _taken(self, field, model._meta.verbose_name))


class LabelForm(ProjectVocabularyForm):
    class Meta:
        model = Label
        fields = ["name", "kind", "colour", "hotkey", "position"]
        widgets = {"colour": forms.TextInput(attrs={"type": "color"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and self.instance.project_id is not None:
            # A new label is offered a colour no other label of the project has.
            self.initial["colour"] = self.instance.project.labels.next_colour()


class ClaimTypeForm(ProjectVocabularyForm):
    class Meta:
        model = ClaimType
        fields = ["name", "position"]


class ThreatLevelForm(ProjectVocabularyForm):
    class Meta:
        model = ThreatLevel
        fields = ["rank", "name", "description"]
        # The whole description in view: a box that grows with its text (workbench.css).
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class GuidelinesForm(forms.Form):
    text = forms.CharField(label="Guidelines", widget=forms.Textarea, required=False, strip=False)


class ActorForm(forms.Form):
    name = forms.CharField(label="Canonical name", max_length=200)
    kind = forms.ChoiceField(label="Kind", choices=Actor.Kind.choices, initial=Actor.Kind.OTHER)
    affiliation = forms.ModelChoiceField(
        label="Affiliation", queryset=Actor.objects.none(), required=False
    )
    external_id = forms.CharField(label="External id", max_length=100, required=False)
    description = forms.CharField(label="Description", widget=forms.Textarea, required=False)
    aliases = forms.CharField(label="Aliases (one per line)", widget=forms.Textarea, required=False)

    def __init__(self, *args, project: Project, actor: Actor | None = None, **kwargs):
        if actor is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": actor.name,
                "kind": actor.kind,
                "affiliation": actor.affiliation_id,
                "external_id": actor.external_id,
                "description": actor.description,
                "aliases": "\n".join(alias.name for alias in actor.aliases.all()),
            }
        super().__init__(*args, **kwargs)
        others = project.actors.all()
        if actor is not None:
            others = others.exclude(pk=actor.pk)
        limit_choices(self.fields["affiliation"], others)

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {**data, "aliases": data["aliases"].splitlines()}


class ActorRegistryImportForm(forms.Form):
    file = forms.FileField(label="Registry file")
    format = forms.ChoiceField(
        label="Format",
        required=False,
        choices=[("", "Tell from the file name"), ("csv", "CSV"), ("json", "JSON")],
    )


class PredictionImportForm(forms.Form):
    """An external model's predictions (annotations.learning.imported describes the file)."""

    file = forms.FileField(label="Predictions file (JSONL)")
    name = forms.CharField(
        label="Source name",
        max_length=100,
        required=False,
        help_text="E.g. the model's name; if empty, the file's first line gives it.",
    )
    version = forms.CharField(
        label="Version",
        max_length=100,
        required=False,
        help_text="If empty, the file's first line gives it.",
    )


class InlineActorForm(forms.Form):
    """A new actor created from the annotate page; the span is linked to it."""

    name = forms.CharField(label="New actor's name", max_length=200)
    kind = forms.ChoiceField(label="Kind", choices=Actor.Kind.choices, initial=Actor.Kind.OTHER)


# Annotating


class SpanCreateForm(forms.Form):
    start = forms.IntegerField(label="start")
    end = forms.IntegerField(label="end")
    quote = forms.CharField(label="quote", strip=False)
    label = forms.ModelChoiceField(label="label", queryset=Label.objects.none())
    actor = forms.ModelChoiceField(label="actor", queryset=Actor.objects.none(), required=False)

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        limit_choices(self.fields["label"], project.labels.all())
        limit_choices(self.fields["actor"], project.actors.all())

    def clean_quote(self) -> str:
        # Browsers may send line breaks as CRLF; the stored body only has LF.
        return self.cleaned_data["quote"].replace("\r\n", "\n")


class SpanUpdateForm(forms.Form):
    """Relabel, link an actor (empty: unlink) or change the note; absent fields stay as they are."""

    label = forms.ModelChoiceField(label="Label", queryset=Label.objects.none(), required=False)
    actor = forms.ModelChoiceField(label="Actor", queryset=Actor.objects.none(), required=False)
    note = forms.CharField(label="Note", widget=forms.Textarea, required=False)

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        limit_choices(self.fields["label"], project.labels.all())
        limit_choices(self.fields["actor"], project.actors.all())

    def changes(self) -> dict:
        changes = {name: self.cleaned_data[name] for name in ("actor", "note") if name in self.data}
        if self.data.get("label"):
            changes["label"] = self.cleaned_data["label"]
        return changes


class ClaimForm(forms.Form):
    span = forms.ModelChoiceField(label="Claim span", queryset=Span.objects.none())
    claim_type = forms.ModelChoiceField(label="Claim type", queryset=ClaimType.objects.none())
    claimant = forms.ModelChoiceField(
        label="Claimant", queryset=Actor.objects.none(), required=False
    )
    claimant_span = forms.ModelChoiceField(
        label="Claimant's span", queryset=Span.objects.none(), required=False
    )
    targets = forms.ModelMultipleChoiceField(
        label="Targets", queryset=Actor.objects.none(), required=False
    )
    reliability = forms.ChoiceField(
        label="Source reliability",
        choices=[("", "Not graded"), *Reliability.choices],
        required=False,
    )
    credibility = forms.TypedChoiceField(
        label="Information credibility",
        choices=[("", "Not graded"), *Credibility.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    note = forms.CharField(label="Note", widget=forms.Textarea, required=False)

    def __init__(self, *args, annotation_set, **kwargs):
        super().__init__(*args, **kwargs)
        project_id = annotation_set.article.project_id
        actors = Actor.objects.filter(project_id=project_id)
        limit_choices(self.fields["span"], annotation_set.spans.all())
        limit_choices(
            self.fields["claimant_span"], annotation_set.spans.filter(actor__isnull=False)
        )
        limit_choices(self.fields["claim_type"], ClaimType.objects.filter(project_id=project_id))
        limit_choices(self.fields["claimant"], actors)
        limit_choices(self.fields["targets"], actors)


class ClaimUpdateForm(ClaimForm):
    """Change a claim: every field but its span. As when creating one, a claimant's span with
    no claimant actor chosen makes the span's actor the claimant."""

    def __init__(self, *args, annotation_set, **kwargs):
        super().__init__(*args, annotation_set=annotation_set, **kwargs)
        del self.fields["span"]

    def clean(self) -> dict:
        data = super().clean()
        assert data is not None  # Form.clean returns the cleaned data
        if data.get("claimant") is None and data.get("claimant_span") is not None:
            data["claimant"] = data["claimant_span"].actor
        return data


class ThreatAssessmentForm(forms.Form):
    level = forms.ModelChoiceField(
        label="Threat level",
        queryset=ThreatLevel.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
    )
    rationale = forms.CharField(label="Rationale", widget=forms.Textarea, required=False)
    claims = forms.ModelMultipleChoiceField(
        label="Resting on the claims",
        queryset=Span.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, annotation_set, **kwargs):
        super().__init__(*args, **kwargs)
        limit_choices(
            self.fields["level"],
            ThreatLevel.objects.filter(project_id=annotation_set.article.project_id),
        )
        limit_choices(self.fields["claims"], annotation_set.claims.all())


class ProjectOptionsForm(forms.ModelForm):
    """What a project allows its annotators and reviewers (managers change it)."""

    class Meta:
        model = Project
        fields = [
            "allow_self_review",
            "allow_missed_items",
            "annotators_can_create_actors",
            "queue_order",
            "withhold_rate",
        ]
        labels = {
            "allow_self_review": "Reviewers may judge their own work",
            "allow_missed_items": "Reviewers may add what the annotators missed",
            "annotators_can_create_actors": "Annotators may add actors",
            "queue_order": "Order of the annotators' queue",
            "withhold_rate": "Share of sets shown no suggestions",
        }
        help_texts = {
            "queue_order": "After each annotator's own open sets and the articles other "
            "annotators have begun. “Most uncertain first” offers first the articles the live "
            "span model is least sure about, so each new gold article teaches it most; "
            "articles it has not valued yet come after, oldest first.",
            "withhold_rate": "0 to 1. Each new annotator's set is drawn at random with this "
            "probability to get no suggestions; the Scores page then compares work with and "
            "without suggestions against gold. 0: every set gets suggestions.",
        }
        widgets = {"withhold_rate": forms.NumberInput(attrs={"step": "0.05", "min": 0, "max": 1})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A form that does not send them (an older page) leaves them as they are.
        for name in ("queue_order", "withhold_rate"):
            self.fields[name].required = False

    def clean_queue_order(self) -> str:
        return self.cleaned_data.get("queue_order") or self.instance.queue_order

    def clean_withhold_rate(self) -> float:
        rate = self.cleaned_data.get("withhold_rate")
        return self.instance.withhold_rate if rate is None else rate


class QualitySettingsForm(forms.ModelForm):
    """A project's quality control: agreement that steers the queue, control items, scores."""

    class Meta:
        model = Project
        fields = [
            "agreement_threshold",
            "max_annotators_per_article",
            "control_rate",
            "training_mode",
            "reviewers_see_scores",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        most = cleaned.get("max_annotators_per_article")
        if most is not None and most < self.instance.annotators_per_article:
            self.add_error(
                "max_annotators_per_article",
                f"The maximum cannot be below the {self.instance.annotators_per_article} "
                "annotators every article gets.",
            )
        return cleaned
