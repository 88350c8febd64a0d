"""Every URL pattern of the project, past every kind of visitor.

`CASES` says, for each URL pattern (by its namespaced name; by its route when it has none), what
each kind of visitor gets: anonymous visitors, outsiders (logged in, member of no project),
members of another project, the project's annotator (who owns the annotation set), a second
annotator, a reviewer and a manager; API patterns also meet callers with a bad, a revoked and an
expired token. The house rules: browser pages send anonymous visitors to the login page and the
API answers them 401; outsiders and other projects' members get 404 (they cannot even learn the
project exists); members in the wrong role get 403.

`test_every_url_pattern_has_a_permission_case` walks the project's URL resolver and fails naming
every pattern without a case, so a new URL cannot ship unchecked: add its case here. Admin
patterns are Django's own and are covered by one rule (`test_the_admin_is_for_staff_only`).
`test_a_browser_url_opened_directly_answers_a_whole_page` opens every browser URL without htmx.

The module is long because `CASES` is one entry per URL pattern of the project: kept in one
table so that a reader sees every rule side by side.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, include, path, reverse
from django.urls.resolvers import RegexPattern
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import api_token_create, api_token_revoke
from annotations.models import (
    Actor,
    AnnotationSet,
    Claim,
    ClaimType,
    PredictionSource,
    Release,
    ReleaseFile,
    ThreatAssessment,
)
from annotations.services import guidelines_update
from tests.factories import ActorFactory, ArticleFactory, LabelFactory, SpanFactory, UserFactory

# Visitors.

MEMBERS = ["manager", "annotator", "annotator2", "reviewer"]
STRANGERS = ["outsider", "other_project_member"]
BROWSER_VISITORS = ["anonymous", *STRANGERS, *MEMBERS]
NOT_AUTHENTICATED = ["anonymous", "bad_token", "revoked_token", "expired_token"]
API_VISITORS = [*NOT_AUTHENTICATED, *STRANGERS, *MEMBERS]

LOGIN = "login"  # a redirect to the login page
ADMIN_PREFIX = "admin/"


def visitors_of(key: str) -> list[str]:
    return API_VISITORS if key.startswith("api:") else BROWSER_VISITORS


# Cases.


@dataclass(frozen=True)
class Case:
    """One request to a URL pattern and the status each kind of visitor gets for it."""

    method: str
    statuses: dict[str, int | str]
    data: Any = None  # a dict, or a function of the world returning one
    kwargs: Callable[[World], dict[str, Any]] | None = None  # the URL's arguments, if not default
    htmx: bool = False  # sent as htmx sends it (the endpoints that answer with a fragment)
    fmt: str = "json"  # how the API gets the data: "json" or "multipart"


def page(method: str, members: dict[str, int], **options: Any) -> Case:
    """A browser page or htmx endpoint under a project."""
    statuses: dict[str, int | str] = {"anonymous": LOGIN, "outsider": 404}
    statuses |= {"other_project_member": 404, **members}
    return Case(method, statuses, **options)


def api(method: str, members: dict[str, int], *, strangers: int = 404, **options: Any) -> Case:
    """An API endpoint: 401 without valid credentials, `strangers` for non-members."""
    statuses: dict[str, int | str] = dict.fromkeys(NOT_AUTHENTICATED, 401)
    statuses |= dict.fromkeys(STRANGERS, strangers) | members
    return Case(method, statuses, **options)


def logged_in(method: str, status: int, **options: Any) -> Case:
    """A page for every logged-in user, member of a project or not."""
    return Case(
        method, {"anonymous": LOGIN} | dict.fromkeys(BROWSER_VISITORS[1:], status), **options
    )


def everyone(method: str, status: int, **options: Any) -> Case:
    return Case(method, dict.fromkeys(BROWSER_VISITORS, status), **options)


def members(manager: int, annotator: int, annotator2: int, reviewer: int) -> dict[str, int]:
    return {
        "manager": manager,
        "annotator": annotator,
        "annotator2": annotator2,
        "reviewer": reviewer,
    }


ALL = members(200, 200, 200, 200)
MANAGER_ONLY = members(200, 403, 403, 403)
ANNOTATOR_ONLY = members(403, 200, 200, 403)
REVIEWER_ONLY = members(403, 403, 403, 200)
REVIEWER_OR_MANAGER = members(200, 403, 403, 200)
# The annotation set belongs to `annotator`: another annotator may not even learn it exists,
# reviewers and managers see it but do not change it.
OWNER_EDITS = members(403, 200, 404, 403)
OWNER_OR_STAFF_SEES = members(200, 200, 404, 200)
# Reviewers and managers see it; annotators may not even learn it exists.
STAFF_SEES = members(200, 404, 404, 200)
# Managers write through the API with 201 (created); the others are refused.
API_MANAGER_CREATES = members(201, 403, 403, 403)


def api_owner_edits(ok: int) -> dict[str, int]:
    return members(403, ok, 404, 403)


# A gold set changes only through adjudication: no role writes it through the annotating
# endpoints (annotators do not even see it; reviewers and managers are refused).
GOLD_REFUSED = members(403, 404, 404, 403)


def on_gold(w: World) -> dict[str, Any]:
    """The URL's arguments on the article's gold set: its span, spare span and claim."""
    return {"set_id": w.gold.pk, "span_id": w.gold_span.pk, "claim_id": w.gold_claim.pk}


def on_gold_spare(w: World) -> dict[str, Any]:
    return on_gold(w) | {"span_id": w.gold_spare_span.pk}


def _label_data(w: World) -> dict[str, Any]:
    fields = {"name": "actor", "kind": "entity", "colour": "#000000", "hotkey": "a", "position": 0}
    return {f"item-{w.label.pk}-{k}": v for k, v in fields.items()}


def _annotators_release(w: World) -> dict[str, Any]:
    return {"version": w.annotators_release.version, "file_id": w.annotators_release_file.pk}


def _guidelines_version(w: World) -> dict[str, Any]:
    """The project's first version of the guidelines (written once, on the first call)."""
    version = guidelines_update(project=w.project, text="Mark every actor.")
    return {"number": version.number}


def _control_attempt(w: World, *, training: bool = False) -> AnnotationSet:
    """A control item (an adjudicated article) the annotator handed in an attempt at."""
    w.project.training_mode = training
    w.project.save()
    article = ArticleFactory(project=w.project, is_control=True)
    AnnotationSet.objects.create(article=article, is_gold=True, status="approved")
    return AnnotationSet.objects.create(
        article=article,
        annotator=w.annotation_set.annotator,
        is_control=True,
        status="submitted",
    )


def _upload(name: str = "new.txt") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"A fresh article about NATO.")


def _registry_file() -> SimpleUploadedFile:
    return SimpleUploadedFile("actors.csv", b"name,kind\nHamas,armed_group\n")


def _predictions_file(world: Any) -> SimpleUploadedFile:
    line = {
        "article": world.article.pk,
        "spans": [{"start": 0, "end": 7, "label": "actor", "score": 0.5}],
    }
    return SimpleUploadedFile("ner.jsonl", json.dumps(line).encode())


CASES: dict[str, list[Case]] = {
    # Pages and htmx endpoints (annotations.urls).
    "annotations:project-list": [logged_in("get", 200)],
    "annotations:article-list": [page("get", ALL)],
    "annotations:label-css": [page("get", ALL)],
    "annotations:queue-next": [page("get", members(403, 302, 302, 403))],  # to the next article
    "annotations:article-upload": [
        page("get", MANAGER_ONLY),
        page("post", MANAGER_ONLY, data=lambda w: {"article_files": _upload()}),
    ],
    "annotations:guidelines": [
        page("get", ALL),  # every member reads them
        page("get", ALL, htmx=True),  # the annotate page's drawer
        page("post", MANAGER_ONLY, data={"text": "New."}),
    ],
    "annotations:article-read": [page("get", REVIEWER_OR_MANAGER)],
    "annotations:guideline-version": [page("get", ALL, kwargs=_guidelines_version)],
    "annotations:guidelines-preview": [page("post", MANAGER_ONLY, data={"text": "# New"})],
    "annotations:actor-list": [page("get", MANAGER_ONLY)],
    "annotations:actor-create": [
        page("get", members(302, 403, 403, 403)),  # the form is on the actor list
        page(
            "post",
            MANAGER_ONLY,
            data={"name": "NATO", "kind": "international_organisation", "aliases": "the Alliance"},
            htmx=True,
        ),
    ],
    "annotations:actor-edit": [
        page("get", MANAGER_ONLY, kwargs=lambda w: {"pk": w.actor.pk}),
        page(
            "post",
            MANAGER_ONLY,
            kwargs=lambda w: {"pk": w.actor.pk},
            data={"name": "Dmitry S. Peskov", "kind": "person"},
            htmx=True,
        ),
    ],
    # Any member downloads the registry (each reads it whole through the API already).
    "annotations:actor-export": [page("get", ALL, kwargs=lambda w: {"format": "csv"})],
    "annotations:actor-import": [
        page("post", members(302, 403, 403, 403), data=lambda w: {"file": _registry_file()})
    ],
    "annotations:prediction-sources": [page("get", MANAGER_ONLY)],
    "annotations:prediction-import": [
        page(
            "post",
            members(302, 403, 403, 403),
            data=lambda w: {"file": _predictions_file(w), "name": "ner", "version": "9"},
        )
    ],
    "annotations:prediction-source-delete": [page("post", members(302, 403, 403, 403))],
    "annotations:project-options": [
        page("get", MANAGER_ONLY),
        page("post", members(302, 403, 403, 403), data={"allow_missed_items": "on"}),
    ],
    "annotations:vocabulary": [page("get", MANAGER_ONLY, kwargs=lambda w: {"kind": "labels"})],
    "annotations:vocabulary-create": [
        page(
            "post",
            MANAGER_ONLY,
            kwargs=lambda w: {"kind": "claim-types"},
            data={"new-name": "ultimatum", "new-position": "9"},
            htmx=True,
        )
    ],
    "annotations:vocabulary-save": [
        page(
            "post",
            MANAGER_ONLY,
            kwargs=lambda w: {"kind": "labels", "pk": w.label.pk},
            data=_label_data,
            htmx=True,
        )
    ],
    "annotations:vocabulary-delete": [
        page(
            "post",
            MANAGER_ONLY,
            kwargs=lambda w: {"kind": "labels", "pk": w.unused_label.pk},
            htmx=True,
        )
    ],
    # Reviewers and managers are sent to the article's reading page.
    "annotations:annotate": [page("get", members(302, 200, 200, 302))],
    "annotations:span-create": [
        page(
            "post",
            OWNER_EDITS,
            data=lambda w: {"start": 0, "end": 7, "quote": "Kremlin", "label": w.label.pk},
            htmx=True,
        ),
        page(
            "post",
            GOLD_REFUSED,
            kwargs=on_gold,
            data=lambda w: {"start": 0, "end": 7, "quote": "Kremlin", "label": w.label.pk},
            htmx=True,
        ),
    ],
    "annotations:span-detail": [page("get", OWNER_OR_STAFF_SEES, htmx=True)],
    "annotations:span-update": [
        page("post", OWNER_EDITS, data={"note": "spokesperson"}, htmx=True),
        page("post", GOLD_REFUSED, kwargs=on_gold, data={"note": "spokesperson"}, htmx=True),
    ],
    "annotations:span-delete": [
        # A span no claim rests on.
        page("post", OWNER_EDITS, kwargs=lambda w: {"span_id": w.spare_span.pk}, htmx=True),
        page("post", GOLD_REFUSED, kwargs=on_gold_spare, htmx=True),
    ],
    "annotations:actor-search": [page("get", OWNER_EDITS, htmx=True)],
    "annotations:actor-create-inline": [
        # The project does not let annotators add actors (see tests/views/test_permissions.py
        # for one that does).
        page(
            "post",
            members(403, 403, 404, 403),
            data={"name": "Kremlin", "kind": "other"},
            htmx=True,
        )
    ],
    "annotations:suggestions": [page("get", OWNER_EDITS, htmx=True)],
    "annotations:suggestions-accept": [
        page("post", OWNER_EDITS, data=lambda w: {"suggestion": w.suggestion}, htmx=True),
        page(
            "post",
            GOLD_REFUSED,
            kwargs=on_gold,
            data=lambda w: {"suggestion": w.suggestion},
            htmx=True,
        ),
    ],
    # Nothing to undo or redo for the owner yet: a 409 that says so.
    "annotations:undo": [
        page("post", members(403, 409, 404, 403), htmx=True),
        page("post", GOLD_REFUSED, kwargs=on_gold, htmx=True),
    ],
    "annotations:redo": [
        page("post", members(403, 409, 404, 403), htmx=True),
        page("post", GOLD_REFUSED, kwargs=on_gold, htmx=True),
    ],
    "annotations:suggestion-reject": [
        page("post", OWNER_EDITS, data=lambda w: {"suggestion": w.suggestion}, htmx=True),
        page(
            "post",
            GOLD_REFUSED,
            kwargs=on_gold,
            data=lambda w: {"suggestion": w.suggestion},
            htmx=True,
        ),
    ],
    "annotations:excluded-region-create": [
        page("post", MANAGER_ONLY, data={"start": 0, "end": 7}, htmx=True),
    ],
    "annotations:excluded-region-delete": [
        page("post", MANAGER_ONLY, data=lambda w: {"start": w.region[0]}, htmx=True),
    ],
    "annotations:claim-create": [
        page(
            "post",
            OWNER_EDITS,
            data=lambda w: {
                "span": w.span.pk,
                "claim_type": w.claim.claim_type_id,
                "claimant": w.actor.pk,
            },
            htmx=True,
        ),
        page(
            "post",
            GOLD_REFUSED,
            kwargs=on_gold,
            data=lambda w: {
                "span": w.gold_span.pk,
                "claim_type": w.claim.claim_type_id,
                "claimant": w.actor.pk,
            },
            htmx=True,
        ),
    ],
    "annotations:claim-update": [
        page(
            "post",
            OWNER_EDITS,
            data=lambda w: {"claim_type": w.claim.claim_type_id, "reliability": "C"},
            htmx=True,
        ),
        page(
            "post",
            GOLD_REFUSED,
            kwargs=on_gold,
            data=lambda w: {"claim_type": w.claim.claim_type_id, "reliability": "C"},
            htmx=True,
        ),
    ],
    "annotations:claim-delete": [
        page("post", OWNER_EDITS, data={}, htmx=True),
        page("post", GOLD_REFUSED, kwargs=on_gold, data={}, htmx=True),
    ],
    "annotations:threat-set": [
        page("post", OWNER_EDITS, data=lambda w: {"level": w.level.pk}, htmx=True),
        page("post", GOLD_REFUSED, kwargs=on_gold, data=lambda w: {"level": w.level.pk}, htmx=True),
    ],
    "annotations:threat-delete": [
        page("post", OWNER_EDITS, data={}, htmx=True),
        page("post", GOLD_REFUSED, kwargs=on_gold, data={}, htmx=True),
    ],
    "annotations:submit": [page("post", OWNER_EDITS, data={}, htmx=True)],
    "annotations:assignments": [
        page("get", MANAGER_ONLY),
        page("post", members(302, 403, 403, 403), data={"action": "auto"}),
    ],
    "annotations:review-list": [page("get", REVIEWER_OR_MANAGER)],
    "annotations:set-review": [
        page("get", OWNER_OR_STAFF_SEES),
        page("post", members(302, 302, 404, 302), data={"action": "comment", "body": "Why?"}),
    ],
    "annotations:adjudicate": [
        page("get", REVIEWER_ONLY),
        # Not adjudicable yet (the set is in progress): the reviewer's decision is refused, 409.
        page(
            "post", members(403, 403, 403, 409), data={"action": "accept_unanimous", "version": 0}
        ),
    ],
    "annotations:article-history": [page("get", ALL)],
    "annotations:agreement": [page("get", REVIEWER_OR_MANAGER)],
    "annotations:scores": [page("get", ALL)],
    "annotations:scores-csv": [page("get", ALL)],
    # Every annotator's sets at once: whoever sees every score (reviewers as the project allows).
    "annotations:suggestion-effect-csv": [page("get", REVIEWER_OR_MANAGER)],
    # Managers see everyone's scores, reviewers as the project allows (it does by default),
    # annotators their own.
    "annotations:annotator-scores": [
        page(
            "get", OWNER_OR_STAFF_SEES, kwargs=lambda w: {"user_id": w.annotation_set.annotator_id}
        )
    ],
    # The differences of a control attempt from gold: its annotator only in training mode.
    "annotations:control-feedback": [
        page("get", STAFF_SEES, kwargs=lambda w: {"set_id": _control_attempt(w).pk}),
        page(
            "get",
            OWNER_OR_STAFF_SEES,
            kwargs=lambda w: {"set_id": _control_attempt(w, training=True).pk},
        ),
    ],
    "annotations:quality-settings": [
        page("get", MANAGER_ONLY),
        page(
            "post",
            members(302, 403, 403, 403),
            data={"max_annotators_per_article": 4, "control_rate": 0.1},
        ),
    ],
    "annotations:control-item": [
        page("post", members(302, 403, 403, 403), data={"is_control": "1"})
    ],
    # The learning loop's models: reviewers and managers read, managers train. The world has
    # no approved gold: past the manager check, training is refused, 409.
    "annotations:models": [page("get", REVIEWER_OR_MANAGER)],
    "annotations:models-train": [page("post", members(409, 403, 403, 403), data={})],
    "annotations:release-list": [
        page("get", ALL),
        page(
            "post",
            members(302, 403, 403, 403),
            data={"formats": ["native"], "train": 0.8, "dev": 0.1, "test": 0.1, "split_seed": 0},
        ),
    ],
    # Each release page twice: a gold release (every member reads it) and a release of the
    # annotators' own sets (managers and reviewers; annotators cannot learn it exists).
    "annotations:release-detail": [
        page("get", ALL),
        page("get", STAFF_SEES, kwargs=_annotators_release),
    ],
    "annotations:release-compare": [
        page("get", ALL),
        page("get", STAFF_SEES, kwargs=_annotators_release),
    ],
    # The world's release is ready: past the manager check, retrying it is refused, 409.
    "annotations:release-retry": [page("post", members(409, 403, 403, 403), data={})],
    "annotations:release-download": [
        page("get", ALL),
        page("get", STAFF_SEES, kwargs=_annotators_release),
    ],
    # Accounts.
    "accounts:login": [everyone("get", 200)],
    "accounts:logout": [everyone("get", 405), everyone("post", 302)],
    "accounts:tokens": [logged_in("get", 200), logged_in("post", 200, data={"name": "ci"})],
    "accounts:token-revoke": [
        # The token is the annotator's.
        Case(
            "post",
            {"anonymous": LOGIN, **dict.fromkeys(STRANGERS, 404)} | members(404, 302, 404, 404),
        ),
    ],
    # The API (annotations.api.urls).
    "api:token-list": [
        api("get", ALL, strangers=200),
        # Tokens are made with a session only (tests/api/test_tokens.py); these callers send one.
        api("post", members(403, 403, 403, 403), strangers=403, data={"name": "ci"}),
    ],
    "api:token-revoke": [api("post", members(404, 200, 404, 404), data={})],
    "api:project-list": [api("get", ALL, strangers=200)],
    "api:project-detail": [api("get", ALL)],
    "api:membership-list": [api("get", ALL)],
    "api:label-list": [api("get", ALL), api("post", API_MANAGER_CREATES, data={"name": "vessel"})],
    "api:claim-type-list": [api("get", ALL)],
    "api:threat-level-list": [api("get", ALL)],
    "api:actor-list": [
        api("get", ALL),
        api(
            "post", API_MANAGER_CREATES, data={"name": "NATO", "kind": "international_organisation"}
        ),
    ],
    "api:actor-detail": [api("get", ALL)],
    "api:actor-registry-export": [
        api("get", ALL, kwargs=lambda w: {"registry_format": "json"}),
    ],
    "api:actor-registry-import": [
        api(
            "post",
            members(200, 403, 403, 403),
            data=lambda w: {"file": _registry_file()},
            fmt="multipart",
        )
    ],
    "api:article-list": [api("get", ALL)],
    "api:article-import": [
        api("post", API_MANAGER_CREATES, data=lambda w: {"file": _upload()}, fmt="multipart")
    ],
    "api:article-detail": [api("get", ALL)],
    "api:annotation-set-list": [api("get", ALL)],
    "api:gold-set-list": [api("get", ALL)],
    "api:annotation-set-detail": [api("get", OWNER_OR_STAFF_SEES)],
    "api:annotation-set-submit": [api("post", api_owner_edits(200), data={})],
    "api:span-list": [
        api("get", OWNER_OR_STAFF_SEES),
        # The quote is wrong on purpose (tests/api/test_validation.py): past the permission
        # checks, the owner's request is refused as bad input.
        api(
            "post",
            api_owner_edits(400),
            data={"start": 8, "end": 19, "quote": "spokesperson", "label": "actor"},
        ),
        api(
            "post",
            GOLD_REFUSED,
            kwargs=on_gold,
            data={"start": 0, "end": 7, "quote": "Kremlin", "label": "actor"},
        ),
    ],
    "api:span-detail": [
        api("get", OWNER_OR_STAFF_SEES),
        api("patch", api_owner_edits(200), data={"note": "checked"}),
        api("delete", api_owner_edits(204), kwargs=lambda w: {"span_id": w.spare_span.pk}),
        api("patch", GOLD_REFUSED, kwargs=on_gold, data={"note": "checked"}),
        api("delete", GOLD_REFUSED, kwargs=on_gold_spare),
    ],
    "api:claim-list": [
        api("get", OWNER_OR_STAFF_SEES),
        api(
            "post",
            api_owner_edits(201),
            data=lambda w: {"span": w.span.pk, "claim_type": "warning"},
        ),
        api(
            "post",
            GOLD_REFUSED,
            kwargs=on_gold,
            data=lambda w: {"span": w.gold_span.pk, "claim_type": "warning"},
        ),
    ],
    "api:claim-detail": [
        api("get", OWNER_OR_STAFF_SEES),
        api("patch", api_owner_edits(200), data={"reliability": "B"}),
        api("delete", api_owner_edits(204)),
        api("patch", GOLD_REFUSED, kwargs=on_gold, data={"reliability": "B"}),
        api("delete", GOLD_REFUSED, kwargs=on_gold),
    ],
    "api:threat-assessment": [
        api("get", OWNER_OR_STAFF_SEES),
        api("put", api_owner_edits(200), data={"level": "severe"}),
        api("delete", api_owner_edits(204)),
        api("put", GOLD_REFUSED, kwargs=on_gold, data={"level": "severe"}),
        api("delete", GOLD_REFUSED, kwargs=on_gold),
    ],
    "api:comment-list": [
        api("get", OWNER_OR_STAFF_SEES),
        api(
            "post",
            members(201, 201, 404, 201),
            data=lambda w: {"body": "Why this label?", "span": w.span.pk},
        ),
    ],
    # The set is in progress, so a reviewer's transition is refused as a conflict.
    "api:annotation-set-approve": [api("post", members(403, 403, 404, 409), data={})],
    "api:annotation-set-request-changes": [
        api("post", members(403, 403, 404, 409), data={"comment": "Mark the claimant."})
    ],
    "api:assignment-create": [api("post", API_MANAGER_CREATES, data={"annotator": "alex"})],
    # Not adjudicable yet: the annotator's set is still in progress.
    "api:adjudicate": [
        api(
            "post",
            members(403, 403, 403, 409),
            data={"key": "span:21-34", "outcome": "rejected", "reason_code": "wrong_label"},
        )
    ],
    "api:adjudication-accept-unanimous": [api("post", members(403, 403, 403, 409), data={})],
    "api:adjudication-add-missed": [
        api(
            "post",
            members(403, 403, 403, 409),
            data={"kind": "span", "start": 0, "end": 7, "label": "actor"},
        )
    ],
    "api:adjudication-undo": [api("post", members(403, 403, 403, 409), data={})],
    "api:gold-set-approve": [api("post", members(403, 403, 403, 409), data={})],
    "api:agreement": [api("get", REVIEWER_OR_MANAGER)],
    "api:release-list": [
        api("get", ALL),
        api("post", members(202, 403, 403, 403), data={"formats": ["native"]}),
    ],
    "api:release-detail": [api("get", ALL), api("get", STAFF_SEES, kwargs=_annotators_release)],
    "api:release-retry": [api("post", members(409, 403, 403, 403), data={})],
    "api:release-file-download": [
        api("get", ALL),
        api("get", STAFF_SEES, kwargs=_annotators_release),
    ],
    # The API's schema and docs: for logged-in users (API_DOCS_PUBLIC is off; see
    # tests/api/test_schema.py): the schema answers anonymous visitors 401 as the API does, the
    # docs page sends them to the login page. The favicon: public.
    "api-schema": [Case("get", {"anonymous": 401} | dict.fromkeys(BROWSER_VISITORS[1:], 200))],
    "api-docs": [logged_in("get", 200)],
    "favicon.ico": [everyone("get", 301)],
    # For load balancers: no login, and nothing in it is the project's data.
    "healthz": [everyone("get", 200)],
}


# The URL patterns.


@dataclass(frozen=True)
class Pattern:
    key: str  # the namespaced name, or the route of an unnamed pattern
    route: str
    params: tuple[str, ...]


def url_patterns(
    resolver: URLResolver | None = None,
    prefix: str = "",
    namespace: str = "",
    params: tuple[str, ...] = (),
) -> Iterator[Pattern]:
    """Every URL pattern of the project, through every include."""
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        names = (*params, *getattr(entry.pattern, "converters", {}))
        if isinstance(entry, URLResolver):
            inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
            yield from url_patterns(entry, route, inner, names)
        else:
            assert isinstance(entry, URLPattern)
            key = f"{namespace}{entry.name}" if entry.name else route
            yield Pattern(key, route, names)


def checked_patterns(resolver: URLResolver | None = None) -> list[Pattern]:
    return [p for p in url_patterns(resolver) if not p.route.startswith(ADMIN_PREFIX)]


def patterns_without_a_case(resolver: URLResolver | None = None) -> list[str]:
    return [f"{p.key} (/{p.route})" for p in checked_patterns(resolver) if p.key not in CASES]


PATTERNS = {pattern.key: pattern for pattern in checked_patterns()}


def test_every_url_pattern_has_a_permission_case():
    missing = patterns_without_a_case()
    assert not missing, "URL patterns without a permission case in CASES: " + ", ".join(missing)


def test_it_names_a_new_url_pattern_that_has_no_case():
    def view(request):
        raise AssertionError("never called")

    urlconf = SimpleNamespace(
        urlpatterns=[
            path("", include(get_resolver().url_patterns)),
            path("projects/<slug:slug>/new-page/", view, name="new-page"),
            path("unnamed/", view),
            path("more/", include(([path("thing/", view, name="thing")], "more"))),
        ]
    )
    missing = patterns_without_a_case(URLResolver(RegexPattern(r"^/"), urlconf))
    assert missing == [
        "new-page (/projects/<slug:slug>/new-page/)",
        "unnamed/ (/unnamed/)",
        "more:thing (/more/thing/)",
    ]


def test_every_case_names_a_url_pattern():
    stale = sorted(set(CASES) - set(PATTERNS))
    assert not stale, f"Cases for URL patterns that no longer exist: {stale}"


@pytest.mark.parametrize("key", sorted(CASES))
def test_every_case_says_what_each_kind_of_visitor_gets(key):
    for case in CASES[key]:
        assert sorted(case.statuses) == sorted(visitors_of(key)), (key, case.method)


# The world the requests meet.


@dataclass
class World:
    """The demo project: the annotator's set with a span (a claim rests on it, linked to an
    actor), a spare span, a threat assessment, a ready gold release with one file and a ready
    release of the annotators' sets with one file, a token of the annotator's; and the article's
    gold set (adjudication under way) with the same rows."""

    project: Any
    article: Any
    annotation_set: Any
    label: Any
    unused_label: Any
    actor: Any
    span: Any
    spare_span: Any
    claim: Any
    level: Any
    release: Any
    release_file: Any
    annotators_release: Any
    annotators_release_file: Any
    token: Any
    suggestion: str
    gold: Any
    gold_span: Any
    gold_spare_span: Any
    gold_claim: Any
    region: Any
    prediction_source: Any

    def url_kwargs(self, pattern: Pattern, case: Case) -> dict[str, Any]:
        defaults = {
            "slug": self.project.slug,
            "article_id": self.article.pk,
            "set_id": self.annotation_set.pk,
            "span_id": self.span.pk,
            "claim_id": self.claim.pk,
            "actor_id": self.actor.pk,
            "version": self.release.version,
            "file_id": self.release_file.pk,
            "token_id": self.token.pk,
            "source_id": self.prediction_source.pk,
        }
        overrides = case.kwargs(self) if case.kwargs else {}
        return {name: overrides.get(name, defaults.get(name)) for name in pattern.params}


@pytest.fixture
def world(
    project, article, annotation_set, annotator, annotator2, reviewer, manager, settings, tmp_path
):
    label = project.labels.get(name="actor")
    actor = Actor.objects.create(project=project, name="Dmitry Peskov")
    ActorFactory(project=project, name="Russia")
    zelensky = Actor.objects.create(project=project, name="Zelensky")
    span = SpanFactory(annotation_set=annotation_set, start=21, end=34, label=label, actor=actor)
    us = article.body.index("US")
    spare_span = SpanFactory(annotation_set=annotation_set, start=us, end=us + 2, label=label)
    claim = Claim.objects.create(
        annotation_set=annotation_set,
        span=span,
        claim_type=ClaimType.objects.filter(project=project).first(),
        claimant=actor,
    )
    level = project.threat_levels.first()
    ThreatAssessment.objects.create(annotation_set=annotation_set, level=level)
    settings.MEDIA_ROOT = str(tmp_path)
    release = Release.objects.create(
        project=project, version=1, formats=["native"], status="ready", created_by=manager
    )
    (tmp_path / "r.jsonl").write_bytes(b"{}\n")
    release_file = ReleaseFile.objects.create(
        release=release, format="native", split="train", path="r.jsonl", size=3, sha256="0" * 64
    )
    annotators_release = Release.objects.create(
        project=project,
        version=2,
        filter={"sets": "annotators"},
        formats=["native"],
        status="ready",
        created_by=manager,
    )
    (tmp_path / "a.jsonl").write_bytes(b"{}\n")
    annotators_release_file = ReleaseFile.objects.create(
        release=annotators_release,
        format="native",
        split="train",
        path="a.jsonl",
        size=3,
        sha256="0" * 64,
    )
    token, _ = api_token_create(owner=annotator, name="old")
    zelensky_at = article.body.index("Zelensky")
    gold = AnnotationSet.objects.create(article=article, is_gold=True)
    gold_span = SpanFactory(annotation_set=gold, start=21, end=34, label=label, actor=actor)
    gold_claim = Claim.objects.create(
        annotation_set=gold, span=gold_span, claim_type=claim.claim_type, claimant=actor
    )
    ThreatAssessment.objects.create(annotation_set=gold, level=level)
    return World(
        project=project,
        article=article,
        annotation_set=annotation_set,
        label=label,
        unused_label=LabelFactory(project=project, name="unused"),
        actor=actor,
        span=span,
        spare_span=spare_span,
        claim=claim,
        level=level,
        release=release,
        release_file=release_file,
        annotators_release=annotators_release,
        annotators_release_file=annotators_release_file,
        token=token,
        suggestion=f"{zelensky_at}-{zelensky_at + 8}-{label.pk}-{zelensky.pk}",
        gold=gold,
        gold_span=gold_span,
        gold_spare_span=SpanFactory(annotation_set=gold, start=us, end=us + 2, label=label),
        gold_claim=gold_claim,
        region=_not_to_annotate(article),
        prediction_source=PredictionSource.objects.create(
            project=project, name="spancat", version="1", sha256="0" * 64
        ),
    )


def _not_to_annotate(article):
    end = len(article.body)
    article.not_to_annotate = [[end - 3, end]]
    article.save()
    return (end - 3, end)


# The visitors.


def _token_client(user, *, revoked: bool = False, expired: bool = False) -> APIClient:
    token, key = api_token_create(owner=user, name="visitor")
    if revoked:
        api_token_revoke(token=token)
    if expired:
        token.expires_at = timezone.now() - datetime.timedelta(seconds=1)
        token.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def visitor_client(request, db):
    """visitor_client(key, who): a browser (session) or, for API patterns, a token client."""

    def make(key: str, who: str) -> Client:
        if key.startswith("api:"):
            if who == "anonymous":
                return APIClient()
            if who == "bad_token":
                client = APIClient()
                client.credentials(HTTP_AUTHORIZATION="Token wbt_not-a-real-key")
                return client
            if who in {"revoked_token", "expired_token"}:
                manager = request.getfixturevalue("manager")
                return _token_client(
                    manager, revoked=who == "revoked_token", expired=who == "expired_token"
                )
            return _token_client(request.getfixturevalue(who))
        client = Client()
        if who != "anonymous":
            client.force_login(request.getfixturevalue(who))
        return client

    return make


def _url(pattern: Pattern, case: Case, world: World) -> str:
    if pattern.key == pattern.route:  # unnamed
        return "/" + pattern.route
    return reverse(pattern.key, kwargs=world.url_kwargs(pattern, case))


def _send(client: Client, pattern: Pattern, case: Case, world: World, *, htmx: bool):
    data = case.data(world) if callable(case.data) else case.data
    url = _url(pattern, case, world)
    headers = {"HX-Request": "true"} if htmx else {}
    if case.method == "get":
        return client.get(url, headers=headers)
    if isinstance(client, APIClient):
        return getattr(client, case.method)(url, data, format=case.fmt)
    return getattr(client, case.method)(url, data or {}, headers=headers)


MATRIX = [
    pytest.param(key, index, who, id=f"{key}-{case.method}{index}-{who}")
    for key, cases in CASES.items()
    for index, case in enumerate(cases)
    for who in visitors_of(key)
]


@pytest.mark.parametrize(("key", "index", "who"), MATRIX)
def test_each_visitor_gets_what_their_role_allows(world, visitor_client, key, index, who):
    case = CASES[key][index]
    response = _send(visitor_client(key, who), PATTERNS[key], case, world, htmx=case.htmx)
    expected = case.statuses[who]
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    else:
        assert response.status_code == expected, response.content[:500]
    if key.startswith("api:") and who in NOT_AUTHENTICATED:
        assert response["WWW-Authenticate"].startswith("Token")


# Opening an htmx endpoint directly.


def _allowed_member(key: str) -> str:
    """A member whom the pattern's first case lets through (the manager if none)."""
    statuses = CASES[key][0].statuses
    allowed = [who for who in MEMBERS if isinstance(statuses[who], int) and statuses[who] < 400]
    return (allowed or ["manager"])[0]


BROWSER_GETS = [
    pytest.param(key, _allowed_member(key), id=key) for key in CASES if not key.startswith("api:")
]


@pytest.mark.parametrize(("key", "who"), BROWSER_GETS)
def test_a_browser_url_opened_directly_answers_a_whole_page(world, visitor_client, key, who):
    """A GET without htmx, as when a link is opened in a new tab or the address typed: never a
    fragment, never a crash; a redirect, a refusal, or the whole page."""
    case = Case("get", {}, kwargs=CASES[key][0].kwargs)
    response = _send(visitor_client(key, who), PATTERNS[key], case, world, htmx=False)
    assert response.status_code < 500
    if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
        assert response.content.lstrip().lower().startswith(b"<!doctype html>"), key


# The admin.


def test_the_admin_is_for_staff_only(db, client, annotator, manager):
    """Every admin pattern is Django's admin site, which asks its own login of non-staff."""
    assert client.get("/admin/").status_code == 302
    for user in (annotator, manager):
        client.force_login(user)
        response = client.get("/admin/")
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    assert client.get("/admin/").status_code == 200
