from django.urls import path, register_converter

from annotations.api.views import (
    actors,
    adjudication,
    annotation_sets,
    articles,
    claims,
    projects,
    releases,
    review,
    spans,
    threat_assessments,
    tokens,
)


class IdConverter:
    """A primary key: digits that fit a 64-bit integer (longer ones are a 404, not a crash)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")

app_name = "api"

P = "projects/<slug:slug>/"
S = P + "annotation-sets/<id:set_id>/"
A = P + "articles/<id:article_id>/"
R = P + "releases/<id:version>/"

urlpatterns = [
    path("tokens/", tokens.TokenList.as_view(), name="token-list"),
    path("tokens/<id:token_id>/revoke/", tokens.TokenRevoke.as_view(), name="token-revoke"),
    path("projects/", projects.ProjectList.as_view(), name="project-list"),
    path(P, projects.ProjectDetail.as_view(), name="project-detail"),
    path(P + "memberships/", projects.MembershipList.as_view(), name="membership-list"),
    path(P + "labels/", projects.LabelList.as_view(), name="label-list"),
    path(P + "claim-types/", projects.ClaimTypeList.as_view(), name="claim-type-list"),
    path(P + "threat-levels/", projects.ThreatLevelList.as_view(), name="threat-level-list"),
    path(P + "actors/", actors.ActorList.as_view(), name="actor-list"),
    path(P + "actors/<id:actor_id>/", actors.ActorDetail.as_view(), name="actor-detail"),
    path(
        P + "actors/export.<str:registry_format>",
        actors.ActorRegistryExport.as_view(),
        name="actor-registry-export",
    ),
    path(P + "actors/import/", actors.ActorRegistryImport.as_view(), name="actor-registry-import"),
    path(P + "articles/", articles.ArticleList.as_view(), name="article-list"),
    path(P + "articles/import/", articles.ArticleImport.as_view(), name="article-import"),
    path(P + "articles/<id:article_id>/", articles.ArticleDetail.as_view(), name="article-detail"),
    path(
        P + "annotation-sets/",
        annotation_sets.AnnotationSetList.as_view(),
        name="annotation-set-list",
    ),
    path(P + "gold-sets/", annotation_sets.GoldSetList.as_view(), name="gold-set-list"),
    path(S, annotation_sets.AnnotationSetDetail.as_view(), name="annotation-set-detail"),
    path(
        S + "submit/", annotation_sets.AnnotationSetSubmit.as_view(), name="annotation-set-submit"
    ),
    path(S + "spans/", spans.SpanList.as_view(), name="span-list"),
    path(S + "spans/<id:span_id>/", spans.SpanDetail.as_view(), name="span-detail"),
    path(S + "claims/", claims.ClaimList.as_view(), name="claim-list"),
    path(S + "claims/<id:claim_id>/", claims.ClaimDetail.as_view(), name="claim-detail"),
    path(S + "approve/", review.AnnotationSetApprove.as_view(), name="annotation-set-approve"),
    path(
        S + "request-changes/",
        review.AnnotationSetRequestChanges.as_view(),
        name="annotation-set-request-changes",
    ),
    path(S + "comments/", review.CommentList.as_view(), name="comment-list"),
    path(A + "assignments/", review.AssignmentCreate.as_view(), name="assignment-create"),
    path(
        A + "adjudication/decisions/", adjudication.AdjudicationDecide.as_view(), name="adjudicate"
    ),
    path(
        A + "adjudication/accept-unanimous/",
        adjudication.AdjudicationAcceptUnanimous.as_view(),
        name="adjudication-accept-unanimous",
    ),
    path(
        A + "adjudication/undo/", adjudication.AdjudicationUndo.as_view(), name="adjudication-undo"
    ),
    path(A + "gold-set/approve/", adjudication.GoldSetApprove.as_view(), name="gold-set-approve"),
    path(P + "agreement/", review.Agreement.as_view(), name="agreement"),
    path(P + "releases/", releases.ReleaseList.as_view(), name="release-list"),
    path(R, releases.ReleaseDetail.as_view(), name="release-detail"),
    path(R + "retry/", releases.ReleaseRetry.as_view(), name="release-retry"),
    path(
        R + "files/<id:file_id>/",
        releases.ReleaseFileDownload.as_view(),
        name="release-file-download",
    ),
    path(
        S + "threat-assessment/",
        threat_assessments.ThreatAssessmentDetail.as_view(),
        name="threat-assessment",
    ),
]
