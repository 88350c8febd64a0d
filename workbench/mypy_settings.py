"""Settings that mypy's Django plugin loads: the production settings, with stand-in values.

The plugin imports the settings to learn the installed apps and models. They refuse to load
without a SECRET_KEY and HISTORY_KEYS when DEBUG is off, and a developer's .env must not change
what is checked, so this module sets them and reads no .env.
"""

import os

os.environ["ENV_FILE"] = ""
os.environ["DEBUG"] = "false"
os.environ["SECRET_KEY"] = "type-checking-only-not-a-secret"
os.environ["HISTORY_KEYS"] = "mypy:type-checking-only-not-a-history-key"

from workbench.settings import *  # noqa: E402,F403
