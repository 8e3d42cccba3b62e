"""Where callq keeps its files by default: the platform's user config and data directories."""

import os
from pathlib import Path

import platformdirs

APP_NAME = "callq"


def user_config_file() -> Path:
    """The rules file `callq init` writes and discovery falls back to."""
    return platformdirs.user_config_path(APP_NAME) / "callq.toml"


def user_data_dir() -> Path:
    return platformdirs.user_data_path(APP_NAME)


def default_db_path() -> Path:
    return user_data_dir() / "callq.db"


def demo_db_path() -> Path:
    """The demo gets its own file so it never mixes with real leads."""
    return user_data_dir() / "demo.db"


def user_cache_dir() -> Path:
    """Caches that only make start-up faster (safe to delete); $CALLQ_CACHE_DIR moves them."""
    return Path(os.environ.get("CALLQ_CACHE_DIR") or platformdirs.user_cache_path(APP_NAME))


def phone_display_cache() -> Path:
    """Formatted numbers of the queue's first screen, so it paints without phonenumbers."""
    return user_cache_dir() / "phone-display.json"
