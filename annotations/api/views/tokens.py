"""Your personal API tokens."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import ApiToken
from accounts.services import api_token_create, api_token_revoke
from annotations.access import check_may_create_api_token
from annotations.api import serializers as s
from annotations.api.views.common import caller, validated


class TokenList(generics.ListAPIView):
    """Your personal API tokens. Send one as `Authorization: Token <key>` (or `Bearer <key>`)."""

    serializer_class = s.ApiTokenOutput

    def get_queryset(self) -> QuerySet[ApiToken]:
        return ApiToken.objects.filter(owner=caller(self.request))

    @extend_schema(request=s.ApiTokenInput, responses={201: s.ApiTokenCreatedOutput})
    def post(self, request: Request) -> Response:
        """Create a token: only with a browser session (403 when called with a token). The key
        is in this response only."""
        check_may_create_api_token(
            by_session=isinstance(request.successful_authenticator, SessionAuthentication)
        )
        data = validated(s.ApiTokenInput, request.data)
        token, key = api_token_create(
            owner=caller(request), name=data["name"], expires_at=data["expires_at"]
        )
        # ApiTokenCreatedOutput: the token and, this once, its key.
        created = s.ApiTokenOutput(token).data | {"key": key}
        return Response(created, status=status.HTTP_201_CREATED)


class TokenRevoke(APIView):
    @extend_schema(request=None, responses={200: s.ApiTokenOutput})
    def post(self, request: Request, token_id: int) -> Response:
        """Revoke one of your tokens; it stops working at once."""
        token = ApiToken.objects.filter(owner=caller(request), pk=token_id).first()
        if token is None:
            raise Http404("No such token.")
        return Response(s.ApiTokenOutput(api_token_revoke(token=token)).data)
