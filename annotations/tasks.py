"""Background tasks (django.tasks). They take primary keys, never model instances."""

from django.tasks import task

from annotations.release_build import release_build


@task()
def build_release(release_id: int) -> None:
    release_build(release_id=release_id)
