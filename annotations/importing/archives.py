"""Uploads of several files, and zip archives of files: what the upload page imports one file
at a time (each still whole or not at all, ``import_articles``).

A zip archive is read member by member, refusing what a hostile or careless archive holds:
more than IMPORT_ZIP_MAX_MEMBERS files, a member (or all of them together) bigger than the
upload limits, a compression ratio no text reaches (a zip bomb), a zip inside the zip, a name
that climbs out of the archive or is absolute, a name not in UTF-8, an encrypted member. A
refusal of the archive itself (bomb, too many members, not a zip) refuses every member; a
refusal of one member refuses that member only. Directories and macOS's resource forks
(``__MACOSX/``, ``._name``) are passed over.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import PurePosixPath

from django.conf import settings

from annotations.importing.records import ImportRejected

ZIP_MAGIC = b"PK\x03\x04"
# News text compresses 3-5 times, JSONL some 10; a zip bomb, a thousand times.
MAX_COMPRESSION_RATIO = 100
UTF8_NAME_FLAG = 0x800
DRIVE = re.compile(r"[A-Za-z]:")  # C:, a Windows drive


@dataclass(frozen=True)
class UploadedMember:
    """A file to import: one uploaded file, or one member of an uploaded zip ("a.zip/b.txt")."""

    name: str
    data: bytes


def is_zip(name: str, data: bytes) -> bool:
    return name.lower().endswith(".zip") or data.startswith(ZIP_MAGIC)


def upload_members(name: str, data: bytes) -> Iterator[UploadedMember | ImportRejected]:
    """The files an upload holds: itself, or a zip's members, each a file to import or the
    reason it is refused (see the module's docstring)."""
    if not is_zip(name, data):
        yield UploadedMember(name, data)
        return
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as error:
        yield ImportRejected(name, None, f"this is not a readable zip archive ({error}).")
        return
    files = [info for info in infos if not info.is_dir() and not _is_resource_fork(info)]
    refused = _archive_problem(files)
    if refused:
        yield ImportRejected(name, None, refused)
        return
    if not files:
        yield ImportRejected(name, None, "the zip archive holds no files.")
        return
    with archive:
        for info in files:
            yield _member(archive, name, info)


def _is_resource_fork(info: zipfile.ZipInfo) -> bool:
    path = PurePosixPath(info.filename)
    return path.parts[:1] == ("__MACOSX",) or path.name.startswith("._")


def _archive_problem(files: list[zipfile.ZipInfo]) -> str | None:
    most: int = settings.IMPORT_ZIP_MAX_MEMBERS
    if len(files) > most:
        return f"the zip archive holds {len(files)} files; at most {most} are taken at once."
    total = sum(info.file_size for info in files)
    limit: int = settings.IMPORT_ZIP_MAX_TOTAL_BYTES
    if total > limit:
        return (
            f"the zip archive unpacks to {total / 2**20:.1f} MiB; at most "
            f"{limit / 2**20:.0f} MiB are taken at once."
        )
    compressed = sum(info.compress_size for info in files)
    if total > 2**20 and total > MAX_COMPRESSION_RATIO * max(compressed, 1):
        return "the zip archive unpacks to over 100 times its size; it looks like a zip bomb."
    return None


def _member(
    archive: zipfile.ZipFile, zip_name: str, info: zipfile.ZipInfo
) -> UploadedMember | ImportRejected:
    inner = _member_name(info)
    if inner is None:
        return ImportRejected(
            f"{zip_name}/{info.filename!r}",
            None,
            "the file's name is not in UTF-8; rename it, or zip it again with a tool that "
            "writes UTF-8 names.",
        )
    name = f"{zip_name}/{inner}"
    path = PurePosixPath(inner)
    if inner.startswith("/") or ".." in path.parts or "\\" in inner or DRIVE.match(inner):
        return ImportRejected(name, None, "the name leads outside the archive; refused.")
    if info.flag_bits & 0x1:
        return ImportRejected(name, None, "the file is encrypted.")
    limit: int = settings.IMPORT_UPLOAD_MAX_BYTES
    if info.file_size > limit:
        return ImportRejected(
            name,
            None,
            f"the file is {info.file_size / 2**20:.1f} MiB and files are limited to "
            f"{limit / 2**20:.0f} MiB; import it with the import_articles command.",
        )
    if info.file_size > 2**20 and info.file_size > MAX_COMPRESSION_RATIO * info.compress_size:
        return ImportRejected(name, None, "the file unpacks to over 100 times its size.")
    if inner.lower().endswith(".zip"):
        return ImportRejected(name, None, "a zip inside a zip is not opened; unpack it first.")
    try:
        with archive.open(info) as member:
            data = member.read(limit + 1)  # never more than the limit, whatever the header says
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, OSError) as error:
        return ImportRejected(name, None, f"the file cannot be unpacked ({error}).")
    if len(data) > limit:
        return ImportRejected(name, None, "the file is bigger than its archive says; refused.")
    if data.startswith(ZIP_MAGIC):
        return ImportRejected(name, None, "a zip inside a zip is not opened; unpack it first.")
    return UploadedMember(name, data)


def _member_name(info: zipfile.ZipInfo) -> str | None:
    """The member's name: as stored when flagged UTF-8 (or plain ASCII); else the bytes read as
    UTF-8, which many tools write without the flag; None when they are not UTF-8."""
    if info.flag_bits & UTF8_NAME_FLAG or info.filename.isascii():
        return info.filename
    try:
        return info.filename.encode("cp437").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None
