from typing import Any

from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate


def create_cache_tables(*, using: str, **kwargs: Any) -> None:
    """The database cache's table (CACHES), after every migrate: `make migrate`, `make run`, a
    deployment's `manage.py migrate` and the test databases all have it. Does nothing when the
    table exists or the cache is not in the database (Redis)."""
    call_command("createcachetable", database=using, verbosity=0)


class WorkbenchConfig(AppConfig):
    """The project's own plumbing: worker heartbeats, the health endpoint, request logging, the
    database cache's table."""

    name = "workbench"
    verbose_name = "Workbench"

    def ready(self) -> None:
        post_migrate.connect(create_cache_tables, sender=self)
