"""API endpoints: one view per resource, permissions through annotations.access, writes
through the services. Django's ValidationError becomes 400 and Conflict 409
(annotations.api.exceptions)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import ApiToken
from accounts.services import api_token_create, api_token_revoke
from annotations import services
from annotations.access import (
    ANY_ROLE,
    MANAGER,
    REVIEWER_OR_MANAGER,
    ProjectAccess,
    Roles,
    annotation_sets_visible_to,
    articles_visible_to,
    check_may_create_actors,
    get_annotation_set_for_user,
    get_article_for_user,
    get_project_for_user,
    get_release_for_user,
    releases_visible_to,
    require_roles,
)
from annotations.api import serializers as s
from annotations.importing import ImportRejected, import_articles, read_upload
from annotations.models import (
    Actor,
    AnnotationSet,
    Claim,
    ClaimType,
    Label,
    Project,
    Span,
    ThreatAssessment,
    ThreatLevel,
)


def _input(serializer_class, data, *, partial: bool = False) -> dict:
    serializer = serializer_class(data=data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# Tokens


class TokenList(generics.ListAPIView):
    """Your personal API tokens. Send one as `Authorization: Token <key>` (or `Bearer <key>`)."""

    serializer_class = s.ApiTokenOutput

    def get_queryset(self):
        return ApiToken.objects.filter(owner=self.request.user)

    @extend_schema(request=s.ApiTokenInput, responses={201: s.ApiTokenCreatedOutput})
    def post(self, request: Request) -> Response:
        data = _input(s.ApiTokenInput, request.data)
        token, key = api_token_create(
            owner=request.user, name=data["name"], expires_at=data["expires_at"]
        )
        token.key = key
        return Response(s.ApiTokenCreatedOutput(token).data, status=status.HTTP_201_CREATED)


class TokenRevoke(APIView):
    @extend_schema(request=None, responses={200: s.ApiTokenOutput})
    def post(self, request: Request, token_id: int) -> Response:
        """Revoke one of your tokens; it stops working at once."""
        token = ApiToken.objects.filter(owner=request.user, pk=token_id).first()
        if token is None:
            raise Http404("No such token.")
        return Response(s.ApiTokenOutput(api_token_revoke(token=token)).data)


# Projects and their vocabularies


class ProjectScoped:
    """A view under /projects/<slug>/: the project, checked once per request."""

    request: Request
    kwargs: dict

    _access: ProjectAccess | None = None

    def access(self, roles: Roles = ANY_ROLE) -> ProjectAccess:
        """The caller's access to the project (404 for non-members), holding one of `roles`
        (403 otherwise)."""
        if self._access is None:
            self._access = get_project_for_user(self.request.user, self.kwargs["slug"])
        return require_roles(self._access, roles)

    def project(self, roles: Roles = ANY_ROLE) -> Project:
        return self.access(roles).project


class ProjectList(generics.ListAPIView):
    """The projects you are a member of."""

    serializer_class = s.ProjectOutput

    def get_queryset(self):
        return Project.objects.for_user(self.request.user)


class ProjectDetail(ProjectScoped, generics.RetrieveAPIView):
    serializer_class = s.ProjectOutput

    def get_object(self):
        return self.project()


class MembershipList(ProjectScoped, generics.ListAPIView):
    serializer_class = s.MembershipOutput

    def get_queryset(self):
        return self.project().memberships.select_related("user")


class LabelList(ProjectScoped, generics.ListAPIView):
    serializer_class = s.LabelOutput

    def get_queryset(self):
        return Label.objects.filter(project=self.project())

    @extend_schema(request=s.LabelInput, responses={201: s.LabelOutput})
    def post(self, request: Request, slug: str) -> Response:
        """Add a label (managers only)."""
        project = self.project(MANAGER)
        data = _input(s.LabelInput, request.data)
        label = services.label_create(project=project, user=request.user, **data)
        return Response(s.LabelOutput(label).data, status=status.HTTP_201_CREATED)


class ClaimTypeList(ProjectScoped, generics.ListAPIView):
    serializer_class = s.ClaimTypeOutput

    def get_queryset(self):
        return ClaimType.objects.filter(project=self.project())


class ThreatLevelList(ProjectScoped, generics.ListAPIView):
    serializer_class = s.ThreatLevelOutput

    def get_queryset(self):
        return ThreatLevel.objects.filter(project=self.project())


def _actor(project: Project, actor_id: int | None, field: str) -> Actor | None:
    if actor_id is None:
        return None
    actor = Actor.objects.filter(project=project, pk=actor_id).first()
    if actor is None:
        raise ValidationError({field: f"No actor with id {actor_id} in this project."})
    return actor


class ActorList(ProjectScoped, generics.ListAPIView):
    serializer_class = s.ActorOutput

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="Part of a canonical name or an alias.")]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        actors = Actor.objects.filter(project=self.project()).prefetch_related("aliases")
        query = self.request.query_params.get("q", "").replace("\x00", "")[:200]
        return actors.matching(query) if query else actors

    @extend_schema(request=s.ActorInput, responses={201: s.ActorOutput})
    def post(self, request: Request, slug: str) -> Response:
        """Add an actor to the registry (managers; annotators when the project allows it)."""
        project = self.project()
        check_may_create_actors(self.access())
        data = _input(s.ActorInput, request.data)
        data["affiliation"] = _actor(project, data["affiliation"], "affiliation")
        actor = services.actor_save(project=project, user=request.user, **data)
        return Response(s.ActorOutput(actor).data, status=status.HTTP_201_CREATED)


class ActorDetail(ProjectScoped, generics.RetrieveAPIView):
    serializer_class = s.ActorOutput

    def get_object(self):
        actor = _actor(self.project(), self.kwargs["actor_id"], "actor")
        return actor


# Articles


class ArticleList(ProjectScoped, generics.ListAPIView):
    serializer_class = s.ArticleOutput

    def get_queryset(self):
        return articles_visible_to(self.access()).defer("body", "metadata")


class ArticleDetail(ProjectScoped, generics.RetrieveAPIView):
    serializer_class = s.ArticleDetailOutput

    def get_object(self):
        return get_article_for_user(self.access(), self.kwargs["article_id"])


class ArticleImport(ProjectScoped, APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": s.ArticleImportInput},
        responses={201: s.ArticleImportOutput},
    )
    def post(self, request: Request, slug: str) -> Response:
        """Import a file of articles (managers only): the same service and errors as the
        import_articles command. The file is imported whole or not at all."""
        project = self.project(MANAGER)
        data = _input(s.ArticleImportInput, request.data)
        annotator = request.user
        if data.get("annotator"):
            annotator = (
                project.memberships.filter(user__username=data["annotator"])
                .select_related("user")
                .first()
            )
            if annotator is None:
                raise ValidationError(
                    {"annotator": f"{data['annotator']!r} is not a member of the project."}
                )
            annotator = annotator.user
        upload = data["file"]
        try:
            report = import_articles(
                project=project,
                filename=upload.name or "upload",
                data=read_upload(upload),
                format=data.get("format"),
                user=request.user,
                annotator=annotator,
            )
        except ImportRejected as error:
            raise ValidationError({"file": str(error)}) from None
        result = {
            "imported": report.imported,
            "span_count": report.span_count,
            "article_ids": [article.pk for article in report.articles],
            "duplicates": [vars(duplicate) for duplicate in report.duplicates],
        }
        return Response(s.ArticleImportOutput(result).data, status=status.HTTP_201_CREATED)


# Annotation sets


class AnnotationSetList(ProjectScoped, generics.ListAPIView):
    """Annotation sets you may see; annotators see only their own."""

    serializer_class = s.AnnotationSetOutput
    gold_only = False

    @extend_schema(parameters=[s.AnnotationSetFilter])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        sets = annotation_sets_visible_to(self.access()).select_related(
            "annotator", "guideline_version"
        )
        filters = _input(s.AnnotationSetFilter, self.request.query_params)
        if self.gold_only:
            filters["is_gold"] = True
        if "status" in filters:
            sets = sets.filter(status=filters["status"])
        if "annotator" in filters:
            sets = sets.filter(annotator__username=filters["annotator"])
        if "label" in filters:
            sets = sets.filter(
                pk__in=Span.objects.filter(label__name=filters["label"]).values("annotation_set_id")
            )
        if "updated_since" in filters:
            sets = sets.filter(updated_at__gte=filters["updated_since"])
        if "article" in filters:
            sets = sets.filter(article_id=filters["article"])
        if filters.get("is_gold") is not None:
            sets = sets.filter(is_gold=filters["is_gold"])
        return sets


class GoldSetList(AnnotationSetList):
    """The project's gold sets (adjudicated or approved reference annotations)."""

    gold_only = True

    @extend_schema(parameters=[s.AnnotationSetFilter(partial=True)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def _set_detail(annotation_set: AnnotationSet) -> AnnotationSet:
    return (
        AnnotationSet.objects.select_related("annotator", "guideline_version")
        .prefetch_related(
            Prefetch("spans", queryset=Span.objects.select_related("label")),
            Prefetch(
                "claims",
                queryset=Claim.objects.select_related("claim_type").prefetch_related("targets"),
            ),
        )
        .get(pk=annotation_set.pk)
    )


class SetScoped(ProjectScoped):
    def annotation_set(self, *, for_edit: bool = False) -> AnnotationSet:
        return get_annotation_set_for_user(self.access(), self.kwargs["set_id"], for_edit=for_edit)


class AnnotationSetDetail(SetScoped, generics.RetrieveAPIView):
    """One annotation set with its spans, claims and threat assessment."""

    serializer_class = s.AnnotationSetDetailOutput

    def get_object(self):
        return _set_detail(self.annotation_set())


class AnnotationSetSubmit(SetScoped, APIView):
    @extend_schema(request=None, responses={200: s.AnnotationSetOutput})
    def post(self, request: Request, slug: str, set_id: int) -> Response:
        """Hand your annotation set in for review; it is locked from then on."""
        annotation_set = services.annotation_set_submit(
            annotation_set=self.annotation_set(for_edit=True), user=request.user
        )
        return Response(s.AnnotationSetOutput(annotation_set).data)


# Spans


def _label(project: Project, name: str, field: str = "label") -> Label:
    label = Label.objects.filter(project=project, name=name).first()
    if label is None:
        names = list(Label.objects.filter(project=project).values_list("name", flat=True))
        raise ValidationError({field: f"No label named {name!r}; the labels are {names}."})
    return label


def _span(annotation_set: AnnotationSet, span_id: int | None, field: str) -> Span | None:
    if span_id is None:
        return None
    span = Span.objects.filter(annotation_set=annotation_set, pk=span_id).first()
    if span is None:
        raise ValidationError({field: f"No span with id {span_id} in this annotation set."})
    return span


class SpanList(SetScoped, generics.ListAPIView):
    serializer_class = s.SpanOutput

    def get_queryset(self):
        return self.annotation_set().spans.select_related("label")

    @extend_schema(request=s.SpanInput, responses={201: s.SpanOutput})
    def post(self, request: Request, slug: str, set_id: int) -> Response:
        """Add a span. Offsets count Unicode code points; the quote must match the text."""
        annotation_set = self.annotation_set(for_edit=True)
        data = _input(s.SpanInput, request.data)
        project = self.project()
        span = services.span_create(
            annotation_set=annotation_set,
            start=data["start"],
            end=data["end"],
            quote=data["quote"],
            label=_label(project, data["label"]),
            actor=_actor(project, data["actor"], "actor"),
            note=data["note"],
            user=request.user,
        )
        return Response(s.SpanOutput(span).data, status=status.HTTP_201_CREATED)


class SpanDetail(SetScoped, APIView):
    def _get_span(self, for_edit=False) -> Span:
        annotation_set = self.annotation_set(for_edit=for_edit)
        span = (
            Span.objects.select_related("label", "annotation_set__article")
            .filter(annotation_set=annotation_set, pk=self.kwargs["span_id"])
            .first()
        )
        if span is None:
            raise Http404("No such span.")
        return span

    @extend_schema(responses={200: s.SpanOutput})
    def get(self, request: Request, slug: str, set_id: int, span_id: int) -> Response:
        return Response(s.SpanOutput(self._get_span()).data)

    @extend_schema(request=s.SpanUpdateInput, responses={200: s.SpanOutput})
    def patch(self, request: Request, slug: str, set_id: int, span_id: int) -> Response:
        """Relabel the span, link it to an actor (or null), or change its note."""
        span = self._get_span(for_edit=True)
        data = _input(s.SpanUpdateInput, request.data)
        project = self.project()
        changes = {}
        if "label" in data:
            changes["label"] = _label(project, data["label"])
        if "actor" in data:
            changes["actor"] = _actor(project, data["actor"], "actor")
        if "note" in data:
            changes["note"] = data["note"]
        span = services.span_update(span=span, user=request.user, **changes)
        return Response(s.SpanOutput(span).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, slug: str, set_id: int, span_id: int) -> Response:
        services.span_delete(span=self._get_span(for_edit=True), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# Claims


def _claim_type(project: Project, name: str) -> ClaimType:
    claim_type = ClaimType.objects.filter(project=project, name=name).first()
    if claim_type is None:
        names = list(ClaimType.objects.filter(project=project).values_list("name", flat=True))
        raise ValidationError(
            {"claim_type": f"No claim type named {name!r}; the claim types are {names}."}
        )
    return claim_type


def _actors(project: Project, ids: list[int], field: str) -> list[Actor]:
    actors = list(Actor.objects.filter(project=project, pk__in=ids))
    missing = sorted(set(ids) - {actor.pk for actor in actors})
    if missing:
        raise ValidationError({field: f"No actor with id(s) {missing} in this project."})
    return actors


def _claim_fields(project: Project, annotation_set: AnnotationSet, data: dict) -> dict:
    fields = {}
    for name, value in data.items():
        if name == "span":
            fields[name] = _span(annotation_set, value, "span")
        elif name == "claimant_span":
            fields[name] = _span(annotation_set, value, "claimant_span")
        elif name == "claim_type":
            fields[name] = _claim_type(project, value)
        elif name == "claimant":
            fields[name] = _actor(project, value, "claimant")
        elif name == "targets":
            fields[name] = _actors(project, value, "targets")
        else:
            fields[name] = value
    return fields


def _claims():
    return Claim.objects.select_related("claim_type").prefetch_related("targets")


class ClaimList(SetScoped, generics.ListAPIView):
    serializer_class = s.ClaimOutput

    def get_queryset(self):
        return _claims().filter(annotation_set=self.annotation_set())

    @extend_schema(request=s.ClaimInput, responses={201: s.ClaimOutput})
    def post(self, request: Request, slug: str, set_id: int) -> Response:
        """Record a claim stated by one of the set's spans, optionally Admiralty-graded."""
        annotation_set = self.annotation_set(for_edit=True)
        data = _input(s.ClaimInput, request.data)
        fields = _claim_fields(self.project(), annotation_set, data)
        claim = services.claim_create(annotation_set=annotation_set, user=request.user, **fields)
        return Response(s.ClaimOutput(_claims().get(pk=claim.pk)).data, status=201)


class ClaimDetail(SetScoped, APIView):
    def _get_claim(self, for_edit=False) -> Claim:
        annotation_set = self.annotation_set(for_edit=for_edit)
        claim = _claims().filter(annotation_set=annotation_set, pk=self.kwargs["claim_id"]).first()
        if claim is None:
            raise Http404("No such claim.")
        return claim

    @extend_schema(responses={200: s.ClaimOutput})
    def get(self, request: Request, slug: str, set_id: int, claim_id: int) -> Response:
        return Response(s.ClaimOutput(self._get_claim()).data)

    @extend_schema(request=s.ClaimUpdateInput, responses={200: s.ClaimOutput})
    def patch(self, request: Request, slug: str, set_id: int, claim_id: int) -> Response:
        claim = self._get_claim(for_edit=True)
        data = _input(s.ClaimUpdateInput, request.data)
        fields = _claim_fields(self.project(), claim.annotation_set, data)
        claim = services.claim_update(claim=claim, user=request.user, **fields)
        return Response(s.ClaimOutput(_claims().get(pk=claim.pk)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, slug: str, set_id: int, claim_id: int) -> Response:
        services.claim_delete(claim=self._get_claim(for_edit=True), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# Threat assessment


class ThreatAssessmentDetail(SetScoped, APIView):
    @extend_schema(responses={200: s.ThreatAssessmentOutput})
    def get(self, request: Request, slug: str, set_id: int) -> Response:
        annotation_set = self.annotation_set()
        assessment = ThreatAssessment.objects.filter(annotation_set=annotation_set).first()
        if assessment is None:
            raise Http404("This annotation set has no threat assessment.")
        return Response(s.ThreatAssessmentOutput(assessment).data)

    @extend_schema(request=s.ThreatAssessmentInput, responses={200: s.ThreatAssessmentOutput})
    def put(self, request: Request, slug: str, set_id: int) -> Response:
        """Create or replace the set's threat assessment."""
        annotation_set = self.annotation_set(for_edit=True)
        data = _input(s.ThreatAssessmentInput, request.data)
        project = self.project()
        level = ThreatLevel.objects.filter(project=project, name=data["level"]).first()
        if level is None:
            names = list(project.threat_levels.values_list("name", flat=True))
            raise ValidationError(
                {"level": f"No threat level named {data['level']!r}; the levels are {names}."}
            )
        claims = list(Claim.objects.filter(annotation_set=annotation_set, pk__in=data["claims"]))
        missing = sorted(set(data["claims"]) - {claim.pk for claim in claims})
        if missing:
            raise ValidationError({"claims": f"No claim(s) {missing} in this annotation set."})
        assessment = services.threat_assessment_set(
            annotation_set=annotation_set,
            level=level,
            rationale=data["rationale"],
            claims=claims,
            user=request.user,
        )
        return Response(s.ThreatAssessmentOutput(assessment).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, slug: str, set_id: int) -> Response:
        services.threat_assessment_delete(
            annotation_set=self.annotation_set(for_edit=True), user=request.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


# Review: assignments, transitions, comments, adjudication, agreement.


class AssignmentCreate(ProjectScoped, APIView):
    @extend_schema(request=s.AssignmentInput, responses={201: s.AnnotationSetOutput})
    def post(self, request: Request, slug: str, article_id: int) -> Response:
        """Assign the article to an annotator (managers only)."""
        from annotations.review import assignment_create

        access = self.access(MANAGER)
        project = access.project
        article = get_article_for_user(access, article_id)
        data = _input(s.AssignmentInput, request.data)
        membership = (
            project.memberships.filter(user__username=data["annotator"])
            .select_related("user")
            .first()
        )
        if membership is None:
            raise ValidationError(
                {"annotator": f"{data['annotator']!r} is not a member of the project."}
            )
        annotation_set = assignment_create(
            article=article, annotator=membership.user, user=request.user
        )
        return Response(s.AnnotationSetOutput(annotation_set).data, status=201)


class AnnotationSetApprove(SetScoped, APIView):
    @extend_schema(request=None, responses={200: s.AnnotationSetOutput})
    def post(self, request: Request, slug: str, set_id: int) -> Response:
        """Approve a submitted set (reviewers)."""
        from annotations.review import annotation_set_approve

        annotation_set = annotation_set_approve(
            annotation_set=self.annotation_set(), user=request.user
        )
        return Response(s.AnnotationSetOutput(annotation_set).data)


class AnnotationSetRequestChanges(SetScoped, APIView):
    @extend_schema(request=s.RequestChangesInput, responses={200: s.AnnotationSetOutput})
    def post(self, request: Request, slug: str, set_id: int) -> Response:
        """Send a submitted set back to its annotator with a comment (reviewers)."""
        from annotations.review import annotation_set_request_changes

        data = _input(s.RequestChangesInput, request.data)
        annotation_set = annotation_set_request_changes(
            annotation_set=self.annotation_set(), user=request.user, comment=data["comment"]
        )
        return Response(s.AnnotationSetOutput(annotation_set).data)


class CommentList(SetScoped, generics.ListAPIView):
    serializer_class = s.CommentOutput

    def get_queryset(self):
        from annotations.models import Comment

        return Comment.objects.filter(annotation_set=self.annotation_set()).select_related("author")

    @extend_schema(request=s.CommentInput, responses={201: s.CommentOutput})
    def post(self, request: Request, slug: str, set_id: int) -> Response:
        """Comment on the set, or on one of its spans or claims or its threat assessment."""
        from annotations.review import comment_create

        annotation_set = self.annotation_set()
        data = _input(s.CommentInput, request.data)
        claim = None
        if data["claim"] is not None:
            claim = Claim.objects.filter(annotation_set=annotation_set, pk=data["claim"]).first()
            if claim is None:
                raise ValidationError({"claim": f"No claim {data['claim']} in this set."})
        assessment = None
        if data["threat_assessment"]:
            assessment = ThreatAssessment.objects.filter(annotation_set=annotation_set).first()
            if assessment is None:
                raise ValidationError({"threat_assessment": "This set has no threat assessment."})
        comment = comment_create(
            annotation_set=annotation_set,
            user=request.user,
            body=data["body"],
            span=_span(annotation_set, data["span"], "span"),
            claim=claim,
            threat_assessment=assessment,
        )
        return Response(s.CommentOutput(comment).data, status=201)


class AdjudicationDecide(ProjectScoped, APIView):
    @extend_schema(
        request=s.AdjudicationDecisionInput, responses={201: s.AdjudicationDecisionOutput}
    )
    def post(self, request: Request, slug: str, article_id: int) -> Response:
        """Accept an annotator's version of a merged item into the gold set, or reject it
        (reviewers). Overriding an annotator needs a reason code."""
        from annotations import review

        article = get_article_for_user(self.access(), article_id)
        data = _input(s.AdjudicationDecisionInput, request.data)
        common = {
            "article": article,
            "user": request.user,
            "key": data["key"],
            "reason_code": data["reason_code"],
            "note": data["note"],
            "expected_version": data["expected_version"],
        }
        if data["outcome"] == "accepted":
            decision = review.adjudication_accept(source_id=data["source_id"], **common)
        else:
            decision = review.adjudication_reject(**common)
        return Response(s.AdjudicationDecisionOutput(decision).data, status=201)


class AdjudicationAcceptUnanimous(ProjectScoped, APIView):
    @extend_schema(
        request=s.AdjudicationInput, responses={200: s.AdjudicationDecisionOutput(many=True)}
    )
    def post(self, request: Request, slug: str, article_id: int) -> Response:
        """Accept every item all annotators marked the same way (reviewers)."""
        from annotations.review import adjudication_accept_unanimous

        article = get_article_for_user(self.access(), article_id)
        data = _input(s.AdjudicationInput, request.data)
        decisions = adjudication_accept_unanimous(
            article=article, user=request.user, expected_version=data["expected_version"]
        )
        return Response(s.AdjudicationDecisionOutput(decisions, many=True).data)


class GoldSetApprove(ProjectScoped, APIView):
    @extend_schema(request=s.AdjudicationInput, responses={200: s.AnnotationSetOutput})
    def post(self, request: Request, slug: str, article_id: int) -> Response:
        """Close adjudication: approve the article's gold set (reviewers)."""
        from annotations.review import gold_set_approve

        article = get_article_for_user(self.access(), article_id)
        data = _input(s.AdjudicationInput, request.data)
        gold = gold_set_approve(
            article=article, user=request.user, expected_version=data["expected_version"]
        )
        return Response(s.AnnotationSetOutput(gold).data)


class Agreement(ProjectScoped, APIView):
    @extend_schema(
        responses={200: {"type": "object", "additionalProperties": True}},
        description="Inter-annotator agreement figures (reviewers and managers).",
    )
    def get(self, request: Request, slug: str) -> Response:
        from annotations.agreement import project_agreement

        project = self.project(REVIEWER_OR_MANAGER)
        return Response(project_agreement(project))


# Releases


class ReleaseList(ProjectScoped, generics.ListAPIView):
    serializer_class = s.ReleaseOutput

    def get_queryset(self):
        from annotations.releases import releases_fail_stalled

        releases_fail_stalled(project=self.project())
        return releases_visible_to(self.access()).select_related("created_by")

    @extend_schema(request=s.ReleaseInput, responses={202: s.ReleaseDetailOutput})
    def post(self, request: Request, slug: str) -> Response:
        """Define a release (managers); it is built in the background: poll its status."""
        from annotations.releases import release_create

        project = self.project(MANAGER)
        data = _input(s.ReleaseInput, request.data)
        release = release_create(
            project=project,
            user=request.user,
            name=data["name"],
            formats=data["formats"],
            filter=data.get("filter"),
            split_seed=data["split_seed"],
            split_ratios=dict(data["split_ratios"]) if "split_ratios" in data else None,
        )
        release.refresh_from_db()
        return Response(s.ReleaseDetailOutput(release).data, status=202)


class ReleaseDetail(ProjectScoped, generics.RetrieveAPIView):
    serializer_class = s.ReleaseDetailOutput

    def get_object(self):
        from annotations.releases import releases_fail_stalled

        releases_fail_stalled(project=self.project())
        return get_release_for_user(self.access(), self.kwargs["version"])


class ReleaseFileDownload(ProjectScoped, APIView):
    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
        }
    )
    def get(self, request: Request, slug: str, version: int, file_id: int):
        """Download one file of a ready release (any member)."""
        from django.http import FileResponse

        from annotations.releases import media_root

        release = get_release_for_user(self.access(), version)
        release_file = release.files.filter(pk=file_id).first()
        if release_file is None or release.status != "ready":
            raise Http404("No such file.")
        path = media_root() / release_file.path
        if not path.is_file():
            raise Http404("The file is missing from storage.")
        return FileResponse(path.open("rb"), as_attachment=True, filename=release_file.name)
