"""Uploads of several files and zips of files (annotations.importing.archives, and the upload
page that lists each file's result)."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from annotations.importing.archives import UploadedMember, upload_members
from annotations.models import Article


def make_zip(members, *, method=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        for name, data in members:
            if name.endswith("/"):
                archive.mkdir(name.rstrip("/"))
            else:
                archive.writestr(name, data)
    return buffer.getvalue()


def results(name, data):
    return [
        (m.name, "ok") if isinstance(m, UploadedMember) else (m.filename, m.reason)
        for m in upload_members(name, data)
    ]


def test_it_takes_every_file_of_a_zip_passing_over_folders_and_resource_forks():
    data = make_zip(
        [
            ("news/", b""),
            ("news/a.txt", b"Kremlin warns NATO\nBody."),
            ("news/b.html", b"<html><body><p>x</p></body></html>"),
            ("__MACOSX/news/._a.txt", b"\x00\x05\x16\x07"),
        ]
    )
    assert results("batch.zip", data) == [
        ("batch.zip/news/a.txt", "ok"),
        ("batch.zip/news/b.html", "ok"),
    ]


def test_it_passes_a_plain_file_through():
    assert results("a.txt", b"Title\nBody") == [("a.txt", "ok")]


@pytest.mark.parametrize(
    "name",
    [
        "../evil.txt",
        "news/../../evil.txt",
        "/etc/cron.d/evil.txt",
        "C:/evil.txt",
        "a\\..\\evil.txt",
    ],
)
def test_it_refuses_a_member_whose_name_leads_out_of_the_archive(name):
    data = make_zip([(name, b"Title\nBody"), ("good.txt", b"Title\nBody")])
    (refused_name, reason), good = results("batch.zip", data)
    assert reason == "the name leads outside the archive; refused."
    assert good == ("batch.zip/good.txt", "ok")


def test_it_refuses_a_zip_inside_the_zip_and_takes_the_rest():
    inner = make_zip([("a.txt", b"Title\nBody")])
    data = make_zip([("inner.zip", inner), ("renamed.txt", inner), ("b.txt", b"Title\nBody")])
    assert results("outer.zip", data) == [
        ("outer.zip/inner.zip", "a zip inside a zip is not opened; unpack it first."),
        ("outer.zip/renamed.txt", "a zip inside a zip is not opened; unpack it first."),
        ("outer.zip/b.txt", "ok"),
    ]


def test_it_refuses_a_zip_bomb_whole():
    data = make_zip([("zeros.txt", b"0" * (20 * 2**20)), ("b.txt", b"Title\nBody")])
    assert len(data) < 200_000
    [(name, reason)] = results("bomb.zip", data)
    assert name == "bomb.zip"
    assert "looks like a zip bomb" in reason


def test_it_refuses_a_zip_unpacking_to_more_than_the_total_limit(settings):
    settings.IMPORT_ZIP_MAX_TOTAL_BYTES = 2000
    data = make_zip([(f"{n}.txt", b"Title\n" + bytes(range(32, 127)) * 10) for n in range(3)])
    [(name, reason)] = results("big.zip", data)
    assert reason.startswith("the zip archive unpacks to 0.0 MiB; at most 0 MiB")


def test_it_refuses_a_zip_with_too_many_files(settings):
    settings.IMPORT_ZIP_MAX_MEMBERS = 3
    data = make_zip([(f"{n}.txt", b"Title\nBody") for n in range(4)])
    [(name, reason)] = results("many.zip", data)
    assert reason == "the zip archive holds 4 files; at most 3 are taken at once."


def test_it_refuses_an_oversize_member_and_takes_the_rest(settings):
    settings.IMPORT_UPLOAD_MAX_BYTES = 1000
    data = make_zip([("big.txt", b"Title\n" + bytes(range(32, 127)) * 20), ("b.txt", b"T\nB")])
    (name, reason), good = results("batch.zip", data)
    assert name == "batch.zip/big.txt"
    assert reason.startswith("the file is 0.0 MiB and files are limited to 0 MiB")
    assert good == ("batch.zip/b.txt", "ok")


def test_it_refuses_a_name_not_in_utf8_and_reads_utf8_names_without_the_flag():
    data = make_zip([("cafX.txt", b"Title\nBody"), ("menuXX.txt", b"Title\nBody")])
    # Names as old tools write them, without the UTF-8 flag: Latin-1 (not UTF-8) and UTF-8.
    data = data.replace(b"cafX.txt", b"caf\xe9.txt").replace(b"menuXX.txt", b"menu\xc3\xa9.txt")
    (name, reason), good = results("old.zip", data)
    assert "the file's name is not in UTF-8" in reason
    assert good == ("old.zip/menué.txt", "ok")


def test_it_refuses_a_file_named_zip_that_is_not_one():
    [(name, reason)] = results("broken.zip", b"PK\x03\x04 not really")
    assert name == "broken.zip"
    assert reason.startswith("this is not a readable zip archive")


# The upload page.


def _upload(client, project, *files, **data):
    url = reverse("annotations:article-upload", args=[project.slug])
    uploads = [SimpleUploadedFile(name, content) for name, content in files]
    return client.post(url, {"article_files": uploads, **data})


def test_it_imports_several_files_and_a_zip_listing_each_files_result(client, manager, project):
    client.force_login(manager)
    archive = make_zip(
        [("z1.txt", b"Zip one\nBody one."), ("z2.txt", b"Zip two\nBody two."), ("bad.txt", b"\xff")]
    )
    response = _upload(
        client,
        project,
        ("a.txt", b"First\nBody a."),
        ("feed.jsonl", b'{"title": "ok", "text": "fine"}\n{bad'),
        ("batch.zip", archive),
    )
    assert response.status_code == 400  # one file or more was refused
    text = response.text
    assert "Imported 3 articles from 5 files" in text
    assert "feed.jsonl" in text and "line 2: malformed JSON" in text
    assert "batch.zip/bad.txt" in text and "the file is not valid UTF-8" in text
    titles = set(Article.objects.filter(project=project).values_list("title", flat=True))
    assert titles == {"First", "Zip one", "Zip two"}  # each file whole or not at all


def test_it_escapes_the_names_of_uploaded_files(client, manager, project):
    client.force_login(manager)
    archive = make_zip([("<img src=x onerror=alert(1)>.txt", b"T\nB")])
    response = _upload(client, project, ("batch.zip", archive))
    assert "<img src=x" not in response.text
    assert "&lt;img src=x onerror=alert(1)&gt;.txt" in response.text
