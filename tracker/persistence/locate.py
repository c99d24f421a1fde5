"""Where a database lives: the per-user default, and which store a `--db` value names.

A path is an SQLite file; a `postgresql://` (or `postgres://`) URL is the shared store;
any other scheme is refused. `display_location` shows a location without its password.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from tracker.errors import UserError

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")


def is_postgres(location: str) -> bool:
    """A `postgresql://` or `postgres://` URL, in any case; another scheme is refused."""
    match = _SCHEME.match(location)
    if match is None:
        return False
    if match[1].lower() in ("postgresql", "postgres"):
        return True
    from tracker.persistence.postgres import redact

    raise UserError(
        f"--db {redact(location)}: {match[1]}:// is not a store tracker knows; give a file "
        "path, or a postgresql:// URL"
    )


def display_location(location: str) -> str:
    """The database as `tracker path` shows it: a URL loses its password."""
    if is_postgres(location):
        from tracker.persistence.postgres import redact

        return redact(location)
    return location


APP_NAME = "tracker"


def app_dir(app_name: str) -> str:
    """The per-user config folder, exactly as `typer.get_app_dir(app_name)` gives it.

    That is click's `get_app_dir` with its defaults (roaming, not forced POSIX), as
    vendored in typer 0.28; reproduced here so the fast path need not import typer.
    """
    if sys.platform.startswith("win"):
        folder = os.environ.get("APPDATA")
        if folder is None:
            folder = os.path.expanduser("~")
        return os.path.join(folder, app_name)
    if sys.platform == "darwin":
        return os.path.join(os.path.expanduser("~/Library/Application Support"), app_name)
    return os.path.join(
        os.environ.get("XDG_CONFIG_HOME", os.path.expanduser("~/.config")),
        "-".join(app_name.split()).lower(),
    )


def default_db_path() -> str:
    return str(Path(app_dir(APP_NAME)) / "tracker.db")
