"""Release files and trained models live in Django's configured storage (STORAGES["default"]),
not in a local path, so that every web and worker machine reads the same files."""

import hashlib

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from annotations import storage
from annotations.models import Release


@pytest.fixture
def configured_storage(settings, tmp_path):
    """A storage configured apart from MEDIA_ROOT: what is found there went through STORAGES."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "elsewhere")},
        },
    }
    return tmp_path / "elsewhere"


def test_it_builds_a_release_into_the_configured_storage_and_downloads_it_from_there(
    configured_storage, client, gold_project, manager, build, media
):
    release = build(gold_project, manager, formats=["native", "bio"])
    assert release.status == Release.Status.READY
    assert not media.exists()  # nothing went to MEDIA_ROOT
    assert (configured_storage / release.directory() / "card.json").is_file()
    native = release.files.get(format="native", split="train")
    client.force_login(manager)
    slug, version = gold_project.slug, release.version
    page = client.get(reverse("annotations:release-download", args=[slug, version, native.pk]))
    api = client.get(reverse("api:release-file-download", args=[slug, version, native.pk]))
    for response in (page, api):
        assert response.status_code == 200
        content = b"".join(response.streaming_content)
        assert hashlib.sha256(content).hexdigest() == native.sha256


def test_a_release_file_missing_from_storage_is_a_404_not_a_500(
    configured_storage, client, gold_project, manager, build
):
    release = build(gold_project, manager)
    native = release.files.get(format="native", split="train")
    default_storage.delete(native.path)
    client.force_login(manager)
    slug, version = gold_project.slug, release.version
    page = client.get(reverse("annotations:release-download", args=[slug, version, native.pk]))
    assert page.status_code == 404


def test_a_trained_model_is_stored_once_and_read_back(configured_storage):
    stored = storage.model_save(project_id=7, name="ner-1.bin", data=b"weights")
    assert stored == "models/7/ner-1.bin"
    assert storage.model_load(project_id=7, name="ner-1.bin") == b"weights"
    with pytest.raises(FileExistsError):
        storage.model_save(project_id=7, name="ner-1.bin", data=b"other weights")
    with pytest.raises(FileNotFoundError):
        storage.model_load(project_id=7, name="ner-2.bin")
    with pytest.raises(ValueError):
        storage.model_save(project_id=7, name="../../releases/x", data=b"")
