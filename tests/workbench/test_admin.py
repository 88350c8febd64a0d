"""The admin works for an administrator (with USE_I18N off: nothing is translated)."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(django_user_model):
    return django_user_model.objects.create_superuser(username="root", password="x")


def test_it_shows_the_admin_index_and_a_change_list_to_an_administrator(client, administrator):
    client.force_login(administrator)
    index = client.get("/admin/")
    assert index.status_code == 200
    assert b"Site administration" in index.content
    users = client.get("/admin/accounts/user/")
    assert users.status_code == 200
    assert b"root" in users.content


def test_it_sends_anyone_else_to_the_admin_login(client, django_user_model):
    client.force_login(django_user_model.objects.create_user(username="anna", password="x"))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
