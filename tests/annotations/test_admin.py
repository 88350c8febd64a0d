from django.urls import reverse

from annotations.models import GuidelineVersion
from tests.factories import UserFactory


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
