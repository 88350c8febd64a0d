from django.urls import path

from annotations.views import (
    adjudication,
    agreement,
    annotate,
    assignments,
    guidelines,
    history,
    learning,
    predictions,
    project_settings,
    projects,
    quality,
    reading,
    releases,
    review,
)

app_name = "annotations"

project = "projects/<slug:slug>/"
annotation_set = project + "sets/<int:set_id>/"
span = annotation_set + "spans/<int:span_id>/"

urlpatterns = [
    # Projects and their articles (views.projects).
    path("", projects.project_list, name="project-list"),
    path(project, projects.article_list, name="article-list"),
    path(project + "next/", projects.queue_next, name="queue-next"),
    path(project + "labels.css", projects.label_css, name="label-css"),
    path(project + "upload/", projects.article_upload, name="article-upload"),
    # The guidelines: every member reads them, managers write them (views.guidelines).
    path(project + "guidelines/", guidelines.guidelines, name="guidelines"),
    path(
        project + "guidelines/v<int:number>/",
        guidelines.guideline_version,
        name="guideline-version",
    ),
    path(project + "guidelines/preview/", guidelines.guidelines_preview, name="guidelines-preview"),
    # Project settings, for managers (views.project_settings).
    path(project + "actors/", project_settings.actor_list, name="actor-list"),
    path(project + "actors/new/", project_settings.actor_edit, name="actor-create"),
    path(project + "actors/<int:pk>/", project_settings.actor_edit, name="actor-edit"),
    path(
        project + "actors/export.<str:format>",
        project_settings.actor_registry_export,
        name="actor-export",
    ),
    path(project + "actors/import/", project_settings.actor_registry_import, name="actor-import"),
    path(project + "options/", project_settings.project_options, name="project-options"),
    # Imported predictions, for managers (views.predictions).
    path(project + "predictions/", predictions.prediction_source_list, name="prediction-sources"),
    path(project + "predictions/import/", predictions.prediction_import, name="prediction-import"),
    path(
        project + "predictions/<int:source_id>/delete/",
        predictions.prediction_source_delete,
        name="prediction-source-delete",
    ),
    path(project + "settings/<slug:kind>/", project_settings.vocabulary, name="vocabulary"),
    path(
        project + "settings/<slug:kind>/new/",
        project_settings.vocabulary_save,
        name="vocabulary-create",
    ),
    path(
        project + "settings/<slug:kind>/<int:pk>/",
        project_settings.vocabulary_save,
        name="vocabulary-save",
    ),
    path(
        project + "settings/<slug:kind>/<int:pk>/delete/",
        project_settings.vocabulary_delete,
        name="vocabulary-delete",
    ),
    # The annotate page and its htmx endpoints (views.annotate).
    path(project + "articles/<int:article_id>/", annotate.annotate, name="annotate"),
    path(project + "articles/<int:article_id>/read/", reading.article_read, name="article-read"),
    path(annotation_set + "spans/", annotate.span_create, name="span-create"),
    path(span, annotate.span_detail, name="span-detail"),
    path(span + "edit/", annotate.span_update, name="span-update"),
    path(span + "delete/", annotate.span_delete, name="span-delete"),
    path(span + "actors/", annotate.actor_search, name="actor-search"),
    path(span + "actors/new/", annotate.actor_create_inline, name="actor-create-inline"),
    path(annotation_set + "suggestions/", annotate.suggestion_list, name="suggestions"),
    path(
        annotation_set + "suggestions/accept/",
        annotate.suggestions_accept,
        name="suggestions-accept",
    ),
    path(annotation_set + "undo/", annotate.annotation_set_undo, name="undo"),
    path(annotation_set + "redo/", annotate.annotation_set_redo, name="redo"),
    path(
        annotation_set + "suggestions/reject/",
        annotate.suggestion_reject,
        name="suggestion-reject",
    ),
    path(
        project + "articles/<int:article_id>/excluded/",
        annotate.excluded_region_create,
        name="excluded-region-create",
    ),
    path(
        project + "articles/<int:article_id>/excluded/delete/",
        annotate.excluded_region_delete,
        name="excluded-region-delete",
    ),
    path(annotation_set + "claims/", annotate.claim_create, name="claim-create"),
    path(
        annotation_set + "claims/<int:claim_id>/edit/", annotate.claim_update, name="claim-update"
    ),
    path(
        annotation_set + "claims/<int:claim_id>/delete/", annotate.claim_delete, name="claim-delete"
    ),
    path(annotation_set + "threat/", annotate.threat_assessment_set, name="threat-set"),
    path(
        annotation_set + "threat/delete/", annotate.threat_assessment_delete, name="threat-delete"
    ),
    path(annotation_set + "submit/", annotate.annotation_set_submit, name="submit"),
    # Review (views.assignments, views.review, views.adjudication, views.history, views.agreement).
    path(project + "assignments/", assignments.assignments, name="assignments"),
    path(project + "review/", review.review_list, name="review-list"),
    path(annotation_set + "review/", review.set_review, name="set-review"),
    path(
        project + "review/articles/<int:article_id>/",
        adjudication.adjudicate,
        name="adjudicate",
    ),
    path(
        project + "articles/<int:article_id>/history/",
        history.article_history,
        name="article-history",
    ),
    path(project + "review/agreement/", agreement.agreement_dashboard, name="agreement"),
    # Quality control (views.quality).
    path(project + "quality/scores/", quality.score_table, name="scores"),
    path(project + "quality/scores.csv", quality.score_table_csv, name="scores-csv"),
    path(
        project + "quality/suggestions.csv",
        quality.suggestion_effect_csv,
        name="suggestion-effect-csv",
    ),
    path(
        project + "quality/scores/<int:user_id>/",
        quality.annotator_scores,
        name="annotator-scores",
    ),
    path(
        project + "quality/control/<int:set_id>/",
        quality.control_feedback,
        name="control-feedback",
    ),
    path(project + "quality/settings/", quality.quality_settings, name="quality-settings"),
    path(
        project + "quality/control-items/<int:article_id>/",
        quality.control_item,
        name="control-item",
    ),
    # The learning loop's models (views.learning).
    path(project + "models/", learning.model_list, name="models"),
    path(project + "models/train/", learning.models_train, name="models-train"),
    # Releases (views.releases).
    path(project + "releases/", releases.release_list, name="release-list"),
    path(project + "releases/v<int:version>/", releases.release_detail, name="release-detail"),
    path(
        project + "releases/v<int:version>/compare/",
        releases.release_compare_view,
        name="release-compare",
    ),
    path(
        project + "releases/v<int:version>/retry/",
        releases.release_retry_view,
        name="release-retry",
    ),
    path(
        project + "releases/v<int:version>/files/<int:file_id>/",
        releases.release_download,
        name="release-download",
    ),
]
