import pytest


@pytest.fixture
def roles(manager, annotator, annotator2, reviewer, outsider, other_project_member):
    """Every kind of visitor by name: the permission tests run each view past all of them."""
    return {
        "manager": manager,
        "annotator": annotator,
        "annotator2": annotator2,
        "reviewer": reviewer,
        "outsider": outsider,
        "other_project_member": other_project_member,
    }


@pytest.fixture
def as_user(client):
    def log_in(user):
        client.force_login(user)
        return client

    return log_in


@pytest.fixture
def hx():
    """Headers htmx sends."""
    return {"HX-Request": "true"}
