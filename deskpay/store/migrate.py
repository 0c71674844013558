"""Running the Alembic migrations shipped inside the package.

Every start checks the schema version with one plain query; Alembic (slow to
import) is loaded only when there is something to migrate.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
HEAD = "0002"  # the newest revision in migrations/versions; a test keeps the two in step


def alembic_config(url: str | None = None) -> Config:
    from alembic.config import Config  # Alembic only when there is something to migrate

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        config.set_main_option("sqlalchemy.url", url)
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory  # Alembic only when there is something to migrate

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None  # the package ships its migrations
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision``; one cheap query when it is already there."""
    if revision in ("head", HEAD) and current_revision(engine) == HEAD:
        return
    from alembic import command  # Alembic only when there is something to migrate

    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
