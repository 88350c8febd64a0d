import pytest
from django.apps import apps
from django.urls import reverse

from annotations import reviewing, services
from annotations.models import AdjudicationDecision, AnnotationSet, GuidelineVersion, HistoryRecord
from tests.factories import ActorFactory, UserFactory


def test_it_adds_guideline_versions_in_the_admin_through_the_service(client, project):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = reverse("admin:annotations_guidelineversion_add")
    for text in ("Mark every actor.", "Mark every actor and place."):
        response = client.post(url, {"project": project.pk, "text": text})
        assert response.status_code == 302
    versions = GuidelineVersion.objects.filter(project=project).order_by("number")
    assert [(v.number, v.text, v.created_by) for v in versions] == [
        (1, "Mark every actor.", admin),
        (2, "Mark every actor and place.", admin),
    ]


# Annotation data is read-only in the admin; the rest stays editable.


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def annotated(project, article, annotation_set, annotator, reviewer):
    """One row of every kind of annotation data, written through the services."""
    label = project.labels.get(name="actor")
    nato = ActorFactory(project=project, name="NATO")
    at = article.body.index("NATO")
    span = services.span_create(
        annotation_set=annotation_set,
        start=at,
        end=at + 4,
        quote="NATO",
        label=label,
        actor=nato,
        user=annotator,
    )
    claim = services.claim_create(
        annotation_set=annotation_set,
        span=span,
        claim_type=project.claim_types.get(name="warning"),
        targets=[nato],
        user=annotator,
    )
    assessment = services.threat_assessment_set(
        annotation_set=annotation_set, level=project.threat_levels.first(), user=annotator
    )
    comment = reviewing.comment_create(annotation_set=annotation_set, user=reviewer, body="Why?")
    gold = AnnotationSet.objects.create(article=article, is_gold=True)
    decision = AdjudicationDecision.objects.create(
        gold_set=gold,
        article=article,
        kind="span",
        key="span:1-2",
        outcome="rejected",
        decided_by=reviewer,
    )
    record = HistoryRecord.objects.filter(project=project).last()
    return {
        "annotationset": annotation_set,
        "span": span,
        "claim": claim,
        "threatassessment": assessment,
        "adjudicationdecision": decision,
        "comment": comment,
        "historyrecord": record,
        "actor": nato,
    }


ANNOTATION_DATA = [
    "annotationset",
    "span",
    "claim",
    "threatassessment",
    "adjudicationdecision",
    "comment",
    "historyrecord",
]


def _rows(model_name):
    model = apps.get_model("annotations", model_name)
    return sorted(model.objects.values_list(*[f.attname for f in model._meta.concrete_fields]))


@pytest.mark.parametrize("model_name", ANNOTATION_DATA)
def test_annotation_data_is_readable_but_not_writable_in_the_admin(
    client, root, annotated, model_name
):
    client.force_login(root)
    obj = annotated[model_name]
    rows = _rows(model_name)
    history = HistoryRecord.objects.count()
    changelist = reverse(f"admin:annotations_{model_name}_changelist")
    change = reverse(f"admin:annotations_{model_name}_change", args=[obj.pk])
    add = reverse(f"admin:annotations_{model_name}_add")
    delete = reverse(f"admin:annotations_{model_name}_delete", args=[obj.pk])

    assert client.get(changelist).status_code == 200
    page = client.get(change)
    assert page.status_code == 200
    assert b'name="_save"' not in page.content  # shown read-only, no Save button
    assert client.post(change, {"note": "edited", "status": "approved"}).status_code == 403
    assert client.get(add).status_code == 403
    assert client.post(add, {"note": "added"}).status_code == 403
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    bulk = client.post(
        changelist, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
    )
    assert bulk.status_code in {200, 302}  # Django answers an unknown action with the list
    assert _rows(model_name) == rows
    assert HistoryRecord.objects.count() == history


def test_the_admin_refuses_deletes_that_would_take_annotation_data_with_them(
    client, root, annotated, article
):
    client.force_login(root)
    actor = annotated["actor"]
    rows = {name: _rows(name) for name in ANNOTATION_DATA}
    for obj in (article, actor):
        url = reverse(f"admin:annotations_{obj._meta.model_name}_delete", args=[obj.pk])
        page = client.post(url, {"post": "yes"})
        assert page.status_code in {200, 403}  # the page says why instead of deleting
        assert type(obj).objects.filter(pk=obj.pk).exists()
    assert {name: _rows(name) for name in ANNOTATION_DATA} == rows
    assert list(annotated["claim"].targets.all()) == [actor]


def test_the_admin_still_edits_projects_vocabularies_actors_and_memberships(
    client, root, project, annotator
):
    client.force_login(root)
    for model_name in ("project", "membership", "label", "claimtype", "threatlevel", "actor"):
        assert client.get(reverse(f"admin:annotations_{model_name}_add")).status_code == 200
    response = client.post(
        reverse("admin:annotations_label_add"),
        {
            "project": project.pk,
            "name": "vessel",
            "kind": "entity",
            "colour": "#123456",
            "position": 9,
        },
    )
    assert response.status_code == 302
    assert project.labels.filter(name="vessel").exists()
    response = client.post(
        reverse("admin:annotations_membership_add"),
        {"user": annotator.pk, "project": project.pk, "role": "reviewer"},
    )
    assert response.status_code == 302
    assert "reviewer" in project.roles_of(annotator)
    user_admin = client.get(reverse("admin:accounts_user_change", args=[annotator.pk]))
    assert user_admin.status_code == 200
    assert b'name="_save"' in user_admin.content


@pytest.mark.parametrize("model_name", ["label", "actor"])
def test_the_admin_deletes_unused_labels_and_actors_one_or_several_at_a_time(
    client, root, project, model_name
):
    client.force_login(root)
    model = apps.get_model("annotations", model_name)
    first, second, third = (
        model.objects.create(project=project, name=f"unused {n}") for n in "123"
    )
    page = client.post(
        reverse(f"admin:annotations_{model_name}_delete", args=[first.pk]), {"post": "yes"}
    )
    assert page.status_code == 302
    chosen = {"action": "delete_selected", "_selected_action": [second.pk, third.pk]}
    confirm = client.post(reverse(f"admin:annotations_{model_name}_changelist"), chosen)
    assert "<title>Delete multiple objects" in confirm.text
    done = client.post(
        reverse(f"admin:annotations_{model_name}_changelist"),
        {**chosen, "post": "yes"},
        follow=True,
    )
    assert [str(m) for m in done.context["messages"]] == [
        f"Successfully deleted 2 {model._meta.verbose_name_plural}."
    ]
    assert not model.objects.filter(name__startswith="unused").exists()
