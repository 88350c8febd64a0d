"""Background tasks (django.tasks). They take primary keys, never model instances."""

from django.tasks import task


@task()
def build_release(release_id: int) -> None:
    from annotations.releases import release_build

    release_build(release_id=release_id)
