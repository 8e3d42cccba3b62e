"""Where callq keeps its files by default: the platform's user config and data directories."""

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


def phone_display_cache() -> Path:
    """Formatted numbers of the queue's first screen, so it paints without phonenumbers."""
    return platformdirs.user_cache_path(APP_NAME) / "phone-display.json"
