"""The workbench's files in Django's storage (``STORAGES["default"]``): release files and trained
models, so that every web and worker machine sees the same files.

The default storage is a local directory (MEDIA_ROOT), which several machines share as a
mounted directory; with STORAGE_S3_BUCKET set it is an S3-compatible bucket through
django-storages (workbench/settings.py, README "Storage"). Files are written once under a name
the caller chooses and never overwritten; they are read as streams, never whole.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import IO

from django.core.files import File
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404

MODELS = "models"


class _LocalFile(File[bytes]):
    """A finished local file handed to storage: a local directory storage moves it into place
    (one rename on the same disk) instead of copying it, as it does Django's temporary uploads."""

    def temporary_file_path(self) -> str:
        return str(self.name)


def save_file(name: str, path: Path) -> str:
    """Put the local file `path` into storage as `name` (it may be moved, not copied: the caller
    is done with it); its stored name. Refuses to replace a stored file."""
    if default_storage.exists(name):
        raise FileExistsError(f"{name} is in storage already; refusing to overwrite it.")
    with path.open("rb") as stream:
        stored: str = default_storage.save(name, _LocalFile(stream, name=str(path)))
    if stored != name:  # a storage that renamed it rather than replace a file saved meanwhile
        default_storage.delete(stored)
        raise FileExistsError(f"{name} is in storage already; refusing to overwrite it.")
    return stored


def open_file(name: str) -> IO[bytes]:
    """A stored file, opened for reading in binary; FileNotFoundError if it is not there."""
    if not default_storage.exists(name):
        raise FileNotFoundError(name)
    stream: IO[bytes] = default_storage.open(name, "rb")
    return stream


def file_response(name: str, *, filename: str) -> FileResponse:
    """A download of the stored file `name` as `filename`, streamed from storage in blocks;
    Http404 if the file is missing."""
    try:
        stream = open_file(name)
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
    response = FileResponse(stream, as_attachment=True, filename=filename)
    response.block_size = 1 << 16
    return response


def listed(directory: str) -> bool:
    """Whether storage holds any file or folder under `directory`."""
    try:
        folders, files = default_storage.listdir(directory)
    except (FileNotFoundError, NotADirectoryError):
        return False
    return bool(folders or files)


def delete_tree(directory: str) -> None:
    """Delete every stored file under `directory` (nothing if there is none)."""
    try:
        folders, files = default_storage.listdir(directory)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        default_storage.delete(f"{directory}/{name}")
    for folder in folders:
        delete_tree(f"{directory}/{folder}")
    with contextlib.suppress(NotImplementedError, OSError):  # a bucket has no folders
        os.rmdir(default_storage.path(directory))


def model_path(project_id: int, name: str) -> str:
    """Where a trained model of a project is stored: models/<project id>/<name>."""
    if not name or "/" in name or name.startswith("."):
        raise ValueError(f"{name!r} is not a model file name.")
    return f"{MODELS}/{project_id}/{name}"


def model_save(*, project_id: int, name: str, data: bytes) -> str:
    """Store a trained model's bytes (a spaCy ``nlp.to_bytes()``, a pickled scikit-learn
    estimator) under a new `name`; its stored name. Models are written once, never replaced:
    train a new one under a new name."""
    from django.core.files.base import ContentFile

    path = model_path(project_id, name)
    if default_storage.exists(path):
        raise FileExistsError(f"{path} is in storage already; refusing to overwrite it.")
    stored: str = default_storage.save(path, ContentFile(data))
    return stored


def model_load(*, project_id: int, name: str) -> bytes:
    """The bytes of a stored model; FileNotFoundError if there is none of that name."""
    with open_file(model_path(project_id, name)) as stream:
        return stream.read()
