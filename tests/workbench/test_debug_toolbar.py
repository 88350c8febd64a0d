"""django-debug-toolbar loads in development only: DEBUG on and the package installed."""

import os
import subprocess
import sys

from django.conf import settings

SHOW = (
    "from django.conf import settings; "
    "print('debug_toolbar' in settings.INSTALLED_APPS, "
    "'debug_toolbar.middleware.DebugToolbarMiddleware' in settings.MIDDLEWARE)"
)


def loaded_with(debug):
    environment = {**os.environ, "ENV_FILE": "", "DEBUG": debug}
    environment["DJANGO_SETTINGS_MODULE"] = "workbench.settings"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", SHOW],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_it_is_not_loaded_in_tests(client):
    assert "debug_toolbar" not in settings.INSTALLED_APPS
    assert client.get("/__debug__/render_panel/").status_code == 404


def test_it_loads_in_development_and_not_in_production():
    assert loaded_with("true") == ["True", "True"]
    assert loaded_with("false") == ["False", "False"]
