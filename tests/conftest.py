import os

import pytest


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Under CI=true a skipped test fails the run: a skip there means a missing dependency."""
    if os.environ.get("CI", "").lower() not in {"1", "true", "yes"}:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and session.exitstatus == 0:
        reporter.write_line(f"CI=true: {len(skipped)} test(s) skipped; failing the run.", red=True)
        session.exitstatus = 1


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`postgres_only` tests need PostgreSQL's row locks: on another database they are
    deselected (not skipped, which CI=true would count as a failure)."""
    from django.conf import settings

    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    deselected = [item for item in items if item.get_closest_marker("postgres_only")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("postgres_only")]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path_factory):
    """Each test writes files (history checkpoints, releases) into a directory of its own."""
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def cache_culls_counted_afresh(monkeypatch):
    """The cache culls on one `set` in CULL_EVERY of the process (workbench.cache): each test
    counts from zero, so a test that counts queries never meets a cull left by the others."""
    import itertools

    from workbench.cache import DatabaseCache

    monkeypatch.setattr(DatabaseCache, "_sets", itertools.count(1))


# Roles. Each fixture is a user; `project` is the project they belong to, and
# `other_project_member` manages a different project and must never reach `project`.


@pytest.fixture
def project(db):
    from annotations.services import project_add_defaults
    from tests.factories import ProjectFactory

    project = ProjectFactory(slug="demo", name="Demo")
    project_add_defaults(project=project)
    return project


def _member(project, username, *roles):
    from tests.factories import MembershipFactory, UserFactory

    user = UserFactory(username=username)
    for role in roles:
        MembershipFactory(user=user, project=project, role=role)
    return user


@pytest.fixture
def manager(project):
    return _member(project, "maria", "manager")


@pytest.fixture
def annotator(project):
    return _member(project, "anna", "annotator")


@pytest.fixture
def annotator2(project):
    return _member(project, "alex", "annotator")


@pytest.fixture
def reviewer(project):
    return _member(project, "rita", "reviewer")


@pytest.fixture
def outsider(db):
    from tests.factories import UserFactory

    return UserFactory(username="oscar")


@pytest.fixture
def other_project(db):
    from annotations.services import project_add_defaults
    from tests.factories import ProjectFactory

    other = ProjectFactory(slug="other", name="Other")
    project_add_defaults(project=other)
    return other


@pytest.fixture
def other_project_member(other_project):
    return _member(other_project, "olga", "manager", "annotator", "reviewer")


@pytest.fixture
def article(project):
    from tests.factories import ArticleFactory

    return ArticleFactory(
        project=project,
        title="Russia warns US, NATO",
        body="Kremlin spokesperson Dmitry Peskov warned the US and NATO.\n"
        "Zelensky 🇺🇦 said 20 servicemen had been killed. 北约 café\u0301 مرحبا 👩‍👩‍👧",
    )


@pytest.fixture
def annotation_set(article, annotator):
    from tests.factories import AnnotationSetFactory

    return AnnotationSetFactory(article=article, annotator=annotator)
