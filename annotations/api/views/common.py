"""What the API endpoints share: input validation, the project (and annotation set) scope of
everything under /projects/<slug>/, and lookups of a project's rows by id or name that answer
400 naming the field when the row is not there."""

from __future__ import annotations

from typing import Any, overload

from django.core.exceptions import ValidationError
from django.http import QueryDict
from rest_framework import serializers
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from accounts.models import User
from annotations.access import (
    ANY_ROLE,
    ProjectAccess,
    Roles,
    get_annotation_set_for_user,
    get_project_for_user,
    require_roles,
)
from annotations.models import Actor, AnnotationSet, ClaimType, Label, Project, Span


def caller(request: Request) -> User:
    """The caller, authenticated (every endpoint requires it: IsAuthenticated)."""
    if not isinstance(request.user, User):
        raise NotAuthenticated()
    return request.user


def validated(serializer_class: type[Serializer], data: Any, *, partial: bool = False) -> Any:
    """The input's validated data; invalid input answers 400 with the serializer's errors. A
    JSON body's field the endpoint does not take, at any depth, is refused too, by name (a
    PATCH with "start" must not answer 200 having changed nothing); a query string may carry
    others (the page)."""
    serializer = serializer_class(data=data, partial=partial)
    if isinstance(data, dict) and not isinstance(data, QueryDict):
        unknown = _unknown_fields(serializer, data)
        if unknown:
            raise serializers.ValidationError(unknown)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _unknown_fields(serializer: Serializer, data: dict[str, Any]) -> dict[str, Any]:
    """The keys of `data` that `serializer` has no field for, and those of its nested objects,
    as DRF lays out errors."""
    errors: dict[str, Any] = {}
    for name, value in data.items():
        field = serializer.fields.get(name)
        if field is None:
            errors[name] = [f"Unknown field; the fields here are: {', '.join(serializer.fields)}."]
        elif isinstance(field, Serializer) and isinstance(value, dict):
            nested = _unknown_fields(field, value)
            if nested:
                errors[name] = nested
    return errors


class ProjectScoped(APIView):
    """A view under /projects/<slug>/: the project, checked once per request."""

    # drf-spectacular shows this docstring as the description of the endpoints that have none
    # of their own (SetScoped has none so that it shows there too): the published schema.

    _access: ProjectAccess | None = None

    def access(self, roles: Roles = ANY_ROLE) -> ProjectAccess:
        """The caller's access to the project (404 for non-members), holding one of `roles`
        (403 otherwise)."""
        if self._access is None:
            self._access = get_project_for_user(self.request.user, self.kwargs["slug"])
        return require_roles(self._access, roles)

    def project(self, roles: Roles = ANY_ROLE) -> Project:
        return self.access(roles).project


class SetScoped(ProjectScoped):
    # An endpoint under /projects/<slug>/annotation-sets/<set_id>/.

    def annotation_set(self, *, for_edit: bool = False) -> AnnotationSet:
        return get_annotation_set_for_user(self.access(), self.kwargs["set_id"], for_edit=for_edit)


@overload
def actor_by_id(project: Project, actor_id: int, field: str) -> Actor: ...
@overload
def actor_by_id(project: Project, actor_id: None, field: str) -> None: ...
@overload
def actor_by_id(project: Project, actor_id: int | None, field: str) -> Actor | None: ...
def actor_by_id(project: Project, actor_id: int | None, field: str) -> Actor | None:
    """The project's actor with that id (None for None); 400 naming `field` if there is none."""
    if actor_id is None:
        return None
    actor = Actor.objects.filter(project=project, pk=actor_id).first()
    if actor is None:
        raise ValidationError({field: f"No actor with id {actor_id} in this project."})
    return actor


def actors_by_id(project: Project, ids: list[int], field: str) -> list[Actor]:
    actors = list(Actor.objects.filter(project=project, pk__in=ids))
    missing = sorted(set(ids) - {actor.pk for actor in actors})
    if missing:
        raise ValidationError({field: f"No actor with id(s) {missing} in this project."})
    return actors


def label_by_name(project: Project, name: str, field: str = "label") -> Label:
    label = Label.objects.filter(project=project, name=name).first()
    if label is None:
        names = list(Label.objects.filter(project=project).values_list("name", flat=True))
        raise ValidationError({field: f"No label named {name!r}; the labels are {names}."})
    return label


def claim_type_by_name(project: Project, name: str) -> ClaimType:
    claim_type = ClaimType.objects.filter(project=project, name=name).first()
    if claim_type is None:
        names = list(ClaimType.objects.filter(project=project).values_list("name", flat=True))
        raise ValidationError(
            {"claim_type": f"No claim type named {name!r}; the claim types are {names}."}
        )
    return claim_type


def span_by_id(annotation_set: AnnotationSet, span_id: int | None, field: str) -> Span | None:
    if span_id is None:
        return None
    span = Span.objects.filter(annotation_set=annotation_set, pk=span_id).first()
    if span is None:
        raise ValidationError({field: f"No span with id {span_id} in this annotation set."})
    return span


def member_by_username(project: Project, username: str, field: str = "annotator") -> User:
    membership = project.memberships.filter(user__username=username).select_related("user").first()
    if membership is None:
        raise ValidationError({field: f"{username!r} is not a member of the project."})
    return membership.user
