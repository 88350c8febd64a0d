from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    """The project's own plumbing: worker heartbeats, the health endpoint, request logging."""

    name = "workbench"
    verbose_name = "Workbench"
