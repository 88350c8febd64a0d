from django.core.management import call_command


def test_it_generates_a_valid_schema_without_warnings(db, tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))
    assert (
        "/api/v1/projects/{slug}/annotation-sets/{set_id}/spans/"
        in (tmp_path / "s.yml").read_text()
    )


def test_it_serves_the_docs_with_no_inline_script(client, db):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<script>" not in html and "<style>" not in html
    assert "script-src 'self'" in page["Content-Security-Policy"]
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"/api/schema/" in script.content
