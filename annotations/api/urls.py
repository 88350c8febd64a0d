from django.urls import path, register_converter

from annotations.api import views


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
    path("tokens/", views.TokenList.as_view(), name="token-list"),
    path("tokens/<id:token_id>/revoke/", views.TokenRevoke.as_view(), name="token-revoke"),
    path("projects/", views.ProjectList.as_view(), name="project-list"),
    path(P, views.ProjectDetail.as_view(), name="project-detail"),
    path(P + "memberships/", views.MembershipList.as_view(), name="membership-list"),
    path(P + "labels/", views.LabelList.as_view(), name="label-list"),
    path(P + "claim-types/", views.ClaimTypeList.as_view(), name="claim-type-list"),
    path(P + "threat-levels/", views.ThreatLevelList.as_view(), name="threat-level-list"),
    path(P + "actors/", views.ActorList.as_view(), name="actor-list"),
    path(P + "actors/<id:actor_id>/", views.ActorDetail.as_view(), name="actor-detail"),
    path(P + "articles/", views.ArticleList.as_view(), name="article-list"),
    path(P + "articles/import/", views.ArticleImport.as_view(), name="article-import"),
    path(P + "articles/<id:article_id>/", views.ArticleDetail.as_view(), name="article-detail"),
    path(P + "annotation-sets/", views.AnnotationSetList.as_view(), name="annotation-set-list"),
    path(P + "gold-sets/", views.GoldSetList.as_view(), name="gold-set-list"),
    path(S, views.AnnotationSetDetail.as_view(), name="annotation-set-detail"),
    path(S + "submit/", views.AnnotationSetSubmit.as_view(), name="annotation-set-submit"),
    path(S + "spans/", views.SpanList.as_view(), name="span-list"),
    path(S + "spans/<id:span_id>/", views.SpanDetail.as_view(), name="span-detail"),
    path(S + "claims/", views.ClaimList.as_view(), name="claim-list"),
    path(S + "claims/<id:claim_id>/", views.ClaimDetail.as_view(), name="claim-detail"),
    path(S + "approve/", views.AnnotationSetApprove.as_view(), name="annotation-set-approve"),
    path(
        S + "request-changes/",
        views.AnnotationSetRequestChanges.as_view(),
        name="annotation-set-request-changes",
    ),
    path(S + "comments/", views.CommentList.as_view(), name="comment-list"),
    path(A + "assignments/", views.AssignmentCreate.as_view(), name="assignment-create"),
    path(A + "adjudication/decisions/", views.AdjudicationDecide.as_view(), name="adjudicate"),
    path(
        A + "adjudication/accept-unanimous/",
        views.AdjudicationAcceptUnanimous.as_view(),
        name="adjudication-accept-unanimous",
    ),
    path(A + "gold-set/approve/", views.GoldSetApprove.as_view(), name="gold-set-approve"),
    path(P + "agreement/", views.Agreement.as_view(), name="agreement"),
    path(P + "releases/", views.ReleaseList.as_view(), name="release-list"),
    path(R, views.ReleaseDetail.as_view(), name="release-detail"),
    path(
        R + "files/<id:file_id>/",
        views.ReleaseFileDownload.as_view(),
        name="release-file-download",
    ),
    path(
        S + "threat-assessment/",
        views.ThreatAssessmentDetail.as_view(),
        name="threat-assessment",
    ),
]
