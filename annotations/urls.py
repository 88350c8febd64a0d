from django.urls import path

from annotations import release_views, review_views, views

app_name = "annotations"

project = "projects/<slug:slug>/"
annotation_set = project + "sets/<int:set_id>/"
span = annotation_set + "spans/<int:span_id>/"

urlpatterns = [
    # Review: assignments, adjudication, comments, history, agreement (annotations.review_views).
    path(project + "assignments/", review_views.assignments, name="assignments"),
    path(project + "review/", review_views.review_list, name="review-list"),
    path(project + "review/agreement/", review_views.agreement_dashboard, name="agreement"),
    path(
        project + "review/articles/<int:article_id>/",
        review_views.adjudicate,
        name="adjudicate",
    ),
    path(
        project + "articles/<int:article_id>/history/",
        review_views.article_history,
        name="article-history",
    ),
    path(annotation_set + "review/", review_views.set_review, name="set-review"),
    path("", views.project_list, name="project-list"),
    path(project, views.article_list, name="article-list"),
    path(project + "next/", views.queue_next, name="queue-next"),
    path(project + "labels.css", views.label_css, name="label-css"),
    path(project + "upload/", views.article_upload, name="article-upload"),
    path(project + "guidelines/", views.guidelines, name="guidelines"),
    path(project + "actors/", views.actor_list, name="actor-list"),
    path(project + "actors/new/", views.actor_edit, name="actor-create"),
    path(project + "actors/<int:pk>/", views.actor_edit, name="actor-edit"),
    path(project + "settings/<slug:kind>/", views.vocabulary, name="vocabulary"),
    path(project + "settings/<slug:kind>/new/", views.vocabulary_save, name="vocabulary-create"),
    path(project + "settings/<slug:kind>/<int:pk>/", views.vocabulary_save, name="vocabulary-save"),
    path(
        project + "settings/<slug:kind>/<int:pk>/delete/",
        views.vocabulary_delete,
        name="vocabulary-delete",
    ),
    path(project + "articles/<int:article_id>/", views.annotate, name="annotate"),
    path(annotation_set + "spans/", views.span_create, name="span-create"),
    path(span, views.span_detail, name="span-detail"),
    path(span + "edit/", views.span_update, name="span-update"),
    path(span + "delete/", views.span_delete, name="span-delete"),
    path(span + "actors/", views.actor_search, name="actor-search"),
    path(span + "actors/new/", views.actor_create_inline, name="actor-create-inline"),
    path(annotation_set + "suggestions/", views.suggestions, name="suggestions"),
    path(
        annotation_set + "suggestions/accept/", views.suggestions_accept, name="suggestions-accept"
    ),
    path(annotation_set + "claims/", views.claim_create, name="claim-create"),
    path(annotation_set + "claims/<int:claim_id>/edit/", views.claim_update, name="claim-update"),
    path(annotation_set + "claims/<int:claim_id>/delete/", views.claim_delete, name="claim-delete"),
    path(annotation_set + "threat/", views.threat_assessment_set, name="threat-set"),
    path(annotation_set + "threat/delete/", views.threat_assessment_delete, name="threat-delete"),
    path(annotation_set + "submit/", views.annotation_set_submit, name="submit"),
    # Releases (annotations.release_views).
    path(project + "releases/", release_views.release_list, name="release-list"),
    path(project + "releases/v<int:version>/", release_views.release_detail, name="release-detail"),
    path(
        project + "releases/v<int:version>/compare/",
        release_views.release_compare_view,
        name="release-compare",
    ),
    path(
        project + "releases/v<int:version>/files/<int:file_id>/",
        release_views.release_download,
        name="release-download",
    ),
]
