"""A project's articles, and importing files of them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from annotations.access import MANAGER, articles_visible_to, get_article_for_user
from annotations.api import serializers as s
from annotations.api.parsers import FormParser, MultiPartParser
from annotations.api.views.common import ProjectScoped, caller, member_by_username, validated
from annotations.importing import ImportRejected, import_articles, read_upload
from annotations.models import Article


class ArticleList(ProjectScoped, generics.ListAPIView):
    serializer_class = s.ArticleOutput

    def get_queryset(self) -> QuerySet[Article]:
        return articles_visible_to(self.access()).defer("body", "metadata")


class ArticleDetail(ProjectScoped, generics.RetrieveAPIView):
    serializer_class = s.ArticleDetailOutput

    def get_object(self) -> Article:
        return get_article_for_user(self.access(), self.kwargs["article_id"])


class ArticleImport(ProjectScoped):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": s.ArticleImportInput},
        responses={201: s.ArticleImportOutput},
    )
    def post(self, request: Request, slug: str) -> Response:
        """Import a file of articles (managers only): the same service and errors as the
        import_articles command. The file is imported whole or not at all."""
        project = self.project(MANAGER)
        data = validated(s.ArticleImportInput, request.data)
        annotator = caller(request)
        if data.get("annotator"):
            annotator = member_by_username(project, data["annotator"])
        upload = data["file"]
        try:
            report = import_articles(
                project=project,
                filename=upload.name or "upload",
                data=read_upload(upload),
                format=data.get("format"),
                user=caller(request),
                annotator=annotator,
            )
        except ImportRejected as error:
            raise ValidationError({"file": str(error)}) from None
        result = {
            "imported": report.imported,
            "span_count": report.span_count,
            "added_sets": report.added_sets,
            "gold_sets": report.gold_sets,
            "article_ids": report.article_ids,
            "duplicates": [vars(duplicate) for duplicate in report.duplicates],
        }
        return Response(s.ArticleImportOutput(result).data, status=status.HTTP_201_CREATED)
