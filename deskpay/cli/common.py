"""What every CLI command shares: settings, the desk, JSON output, one-line errors.

Errors a user can act on (DeskpayError) print one line on stderr in the
configured language and exit 1; nothing else is ever printed as a traceback
unless DESKPAY_DEBUG is set.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import typer
from pydantic import ValidationError

from deskpay.config import Settings, load_settings
from deskpay.domain.errors import DeskpayError
from deskpay.services.desk import Desk, open_desk

T = TypeVar("T")
MAX_ID = 2**63 - 1  # the largest id a database integer column holds


class CliState:
    """Options given before the subcommand (``deskpay --operator bob collect ...``)."""

    operator: str | None = None
    lang: str | None = None
    settings_overrides: dict[str, Any] = {}


state = CliState()


def settings() -> Settings:
    overrides = dict(state.settings_overrides)
    if state.lang:
        overrides["locale"] = state.lang
    return load_settings(**overrides)


@contextmanager
def desk_session() -> Iterator[Desk]:
    desk = open_desk(settings(), operator=state.operator)
    try:
        yield desk
    finally:
        desk.close()


def lang() -> str:
    try:
        return state.lang or settings().locale
    except Exception:
        return "en"


def fail(message: str, code: int = 1) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def handle_errors(func: Callable[..., T]) -> Callable[..., T]:
    """Turn operator-facing errors into one line on stderr and a non-zero exit."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            return func(*args, **kwargs)
        except DeskpayError as error:
            fail(error.text(lang()))
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ()))
            fail(f"configuration: {where}: {first.get('msg')}")
        except KeyboardInterrupt:
            fail("interrupted", 130)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except Exception as error:  # the last line of defence: no traceback for the operator
            if os.environ.get("DESKPAY_DEBUG"):
                raise
            logging.getLogger("deskpay").exception("unexpected error")
            fail(f"unexpected error: {type(error).__name__}: {error}"[:300], 2)
        raise AssertionError("unreachable")

    return wrapper


def run_async(awaitable_factory: Callable[[], Any]) -> Any:
    return asyncio.run(awaitable_factory())


def print_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n")


def split_list(value: str | None) -> list[str] | None:
    """``a,b,,c`` → ``["a", "b", "", "c"]`` (an empty item means "none for this one")."""
    if value is None:
        return None
    return [item.strip() for item in value.split(",")]
