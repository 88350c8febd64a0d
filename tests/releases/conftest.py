import pytest

from tests.exports.conftest import gold_project  # noqa: F401 - shared fixture


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def build(django_capture_on_commit_callbacks):
    """build(project, manager, **definition) -> the release, built by the queued task."""
    from annotations.models import Release
    from annotations.releases import release_create

    def make(project, user, **definition):
        definition.setdefault("formats", ["native"])
        with django_capture_on_commit_callbacks(execute=True):
            release = release_create(project=project, user=user, **definition)
        return Release.objects.get(pk=release.pk)

    return make
