"""The whole path through the API: assign, annotate, submit, adjudicate, release, download."""

import orjson

from tests.api.conftest import token_client


def test_it_takes_an_article_from_assignment_to_a_downloaded_release(
    project,
    article,
    manager,
    annotator,
    annotator2,
    reviewer,
    settings,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    settings.MEDIA_ROOT = str(tmp_path)
    boss, anna, alex, rita = (token_client(u) for u in (manager, annotator, annotator2, reviewer))
    base = "/api/v1/projects/demo/"
    sets = {}
    for name, client in (("anna", anna), ("alex", alex)):
        response = boss.post(base + f"articles/{article.pk}/assignments/", {"annotator": name})
        assert response.status_code == 201, response.content
        sets[name] = response.json()["id"]
        url = base + f"annotation-sets/{sets[name]}/"
        span = {"start": 0, "end": 7, "quote": "Kremlin", "label": "actor"}
        assert client.post(url + "spans/", span, format="json").status_code == 201
        assert client.post(url + "submit/").json()["status"] == "submitted"

    comment = rita.post(
        base + f"annotation-sets/{sets['anna']}/comments/", {"body": "Looks right."}
    )
    assert comment.status_code == 201
    assert (
        anna.get(base + f"annotation-sets/{sets['anna']}/comments/").json()["results"][0]["body"]
        == "Looks right."
    )

    decided = rita.post(base + f"articles/{article.pk}/adjudication/accept-unanimous/", {})
    assert decided.status_code == 200, decided.content
    assert [d["outcome"] for d in decided.json()] == ["accepted"]
    gold = rita.post(base + f"articles/{article.pk}/gold-set/approve/", {})
    assert gold.status_code == 200, gold.content
    assert gold.json()["is_gold"] and gold.json()["status"] == "approved"
    assert len(rita.get(base + "gold-sets/").json()["results"]) == 1
    agreement = rita.get(base + "agreement/")
    assert agreement.status_code == 200
    assert agreement.json()["annotation_sets"] == 2

    with django_capture_on_commit_callbacks(execute=True):
        created = boss.post(
            base + "releases/",
            {"formats": ["native", "w3c"], "split_ratios": {"train": 1, "dev": 0, "test": 0}},
            format="json",
        )
    assert created.status_code == 202, created.content
    release = boss.get(base + f"releases/{created.json()['version']}/").json()
    assert release["status"] == "ready", release["error"]
    assert release["card"]["annotators"] == ["alex", "anna"]
    native = next(f for f in release["files"] if f["format"] == "native")
    download = anna.get(native["download_url"])
    assert download.status_code == 200
    [line] = b"".join(download.streaming_content).splitlines()
    record = orjson.loads(line)
    assert [(s["quote"], s["label"]) for s in record["spans"]] == [("Kremlin", "actor")]
    assert record["provenance"]["reviewer"] == "rita"
    assert record["provenance"]["annotators"] == ["alex", "anna"]


def test_it_names_a_bad_release_definition(project, manager):
    response = token_client(manager).post(
        "/api/v1/projects/demo/releases/",
        {"formats": ["native"], "split_ratios": {"train": 0.5, "dev": 0.1, "test": 0.1}},
        format="json",
    )
    assert response.status_code == 400
    assert "add up to 1" in response.json()["split_ratios"][0]
    response = token_client(manager).post(
        "/api/v1/projects/demo/releases/", {"formats": ["xml"]}, format="json"
    )
    assert response.status_code == 400
    assert "formats" in response.json()
