from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """An analyst, reviewer, manager or data scientist using the workbench."""

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username
