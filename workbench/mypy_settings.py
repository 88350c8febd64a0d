"""Settings that mypy's Django plugin loads: the production settings, with stand-in values.

The plugin imports the settings to learn the installed apps and models. They refuse to load
without a SECRET_KEY when DEBUG is off, so this module supplies one (and DEBUG) first.
"""

import os

os.environ["DEBUG"] = "false"
os.environ["SECRET_KEY"] = "type-checking-only-not-a-secret"

from workbench.settings import *  # noqa: E402,F403
