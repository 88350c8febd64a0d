import unicodedata
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.http import HttpRequest

from annotations.models import Actor, AnnotationSet, Article, Membership, Project
from annotations.text import normalise_text

SEED_FILE = Path(settings.BASE_DIR) / "seeds" / "iria-russia-warns-us-nato-ukraine.txt"


@pytest.fixture
def seeded(db, settings, tmp_path, monkeypatch):
    from annotations.management.commands import seed

    monkeypatch.setattr(seed, "CREDENTIALS_FILE", tmp_path / "demo-credentials.txt")
    settings.SEED_PASSWORD = ""
    call_command("seed")
    return Project.objects.get(slug="russia-ukraine-demo")


def test_it_stores_the_seed_article_as_the_normalised_file(seeded):
    article = seeded.articles.get()
    raw = SEED_FILE.read_text(encoding="utf-8")
    assert article.body == normalise_text(raw)
    assert article.body == unicodedata.normalize("NFC", raw.replace("\r\n", "\n"))
    assert article.title == "Russia warns US, NATO against deploying troops to Ukraine"


def test_it_ties_the_kremlin_and_peskov_to_russia(seeded):
    peskov = Actor.objects.named("Peskov").get(project=seeded)
    assert peskov.name == "Dmitry Peskov"
    assert [a.name for a in peskov.affiliation_chain()] == ["the Kremlin", "Russia"]
    for name in [
        "Ukraine",
        "United States",
        "NATO",
        "Volodymyr Zelensky",
        "Joe Biden",
        "Lloyd Austin",
        "Andrii Taran",
    ]:
        assert Actor.objects.filter(project=seeded, name=name).exists(), name


def test_it_gives_the_demo_project_its_vocabulary_and_users(seeded):
    labels = set(seeded.labels.values_list("name", flat=True))
    assert {"actor", "location", "claim", "military force", "event"} <= labels
    assert list(seeded.threat_levels.values_list("name", flat=True)) == [
        "low",
        "moderate",
        "substantial",
        "severe",
        "critical",
    ]
    assert "warning" in set(seeded.claim_types.values_list("name", flat=True))
    roles = set(Membership.objects.filter(project=seeded).values_list("user__username", "role"))
    assert {
        ("manager", "manager"),
        ("annotator1", "annotator"),
        ("annotator2", "annotator"),
        ("reviewer", "reviewer"),
    } <= roles
    assert AnnotationSet.objects.filter(article__project=seeded).count() == 2
    assert seeded.current_guideline().number == 1


def test_it_prints_generated_passwords_once_and_they_work(
    db, settings, tmp_path, monkeypatch, capsys, client
):
    from annotations.management.commands import seed

    monkeypatch.setattr(seed, "CREDENTIALS_FILE", tmp_path / "creds.txt")
    settings.SEED_PASSWORD = ""
    call_command("seed")
    first = capsys.readouterr().out
    line = next(line for line in first.splitlines() if line.strip().startswith("annotator1"))
    password = line.split()[1]
    # A request, as every login has one: the lockout (django-axes) counts per address.
    assert client.login(request=HttpRequest(), username="annotator1", password=password)
    call_command("seed")
    second = capsys.readouterr().out
    assert "annotator1" not in second
    assert client.login(request=HttpRequest(), username="annotator1", password=password)


def test_it_can_run_twice_without_duplicating_anything(seeded):
    counts = (
        Article.objects.count(),
        Actor.objects.count(),
        Membership.objects.count(),
        AnnotationSet.objects.count(),
        seeded.labels.count(),
        seeded.guideline_versions.count(),
    )
    call_command("seed")
    assert counts == (
        Article.objects.count(),
        Actor.objects.count(),
        Membership.objects.count(),
        AnnotationSet.objects.count(),
        seeded.labels.count(),
        seeded.guideline_versions.count(),
    )


def test_it_uses_the_password_from_the_environment(db, settings, tmp_path, monkeypatch, client):
    from annotations.management.commands import seed

    monkeypatch.setattr(seed, "CREDENTIALS_FILE", tmp_path / "creds.txt")
    settings.SEED_PASSWORD = "a demo password from the env"
    call_command("seed")
    assert client.login(
        request=HttpRequest(), username="reviewer", password="a demo password from the env"
    )
