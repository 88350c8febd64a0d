"""A manager uploads several files and a zip at once and reads each file's result."""

import io
import zipfile

from annotations.models import Article


def _zip(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def test_it_uploads_several_files_and_a_zip_with_a_result_per_file(login, project, manager):
    page = login(manager)
    page.get_by_role("link", name=project.name).click()
    page.get_by_role("link", name="Upload articles").click()
    files = [
        {"name": "kyiv.txt", "mimeType": "text/plain", "buffer": "Київ under fire\nBody.".encode()},
        {"name": "broken.jsonl", "mimeType": "application/json", "buffer": b"{oops\n"},
        {
            "name": "batch.zip",
            "mimeType": "application/zip",
            "buffer": _zip([("one.txt", b"One\nBody."), ("../escape.txt", b"Two\nBody.")]),
        },
    ]
    page.get_by_label("Files").set_input_files(files)
    page.get_by_role("button", name="Upload").click()
    results = page.locator(".upload-results")
    results.get_by_role("heading", name="Imported 2 articles from 4 files").wait_for()
    rows = results.locator("tbody tr")
    assert rows.count() == 4
    assert "Imported 1 article" in rows.filter(has_text="kyiv.txt").inner_text()
    assert (
        "Refused: broken.jsonl, line 1: malformed JSON"
        in rows.filter(has_text="broken.jsonl").inner_text()
    )
    assert "outside the archive" in rows.filter(has_text="escape.txt").inner_text()
    assert "Imported 1 article" in rows.filter(has_text="batch.zip/one.txt").inner_text()
    assert set(Article.objects.values_list("title", flat=True)) == {"Київ under fire", "One"}
    page.get_by_role("link", name="See the project's articles").click()
    page.get_by_role("cell", name="Київ under fire").wait_for()
    assert page.js_errors == []
