"""What every CLI command shares: the settings, the desk it opens and closes, one way to fail, JSON output.

Errors a user can act on (:class:`DeskpayError`) print one line on stderr in
the operator's language and exit 1; nothing else is ever printed as a
traceback unless ``DESKPAY_DEBUG`` is set.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
import sys
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import typer
from pydantic import ValidationError

from deskpay.config import Settings, load_settings
from deskpay.domain.errors import DeskpayError, InvalidInput
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


@dataclass(frozen=True, slots=True)
class CliDesk:
    """The desk a command works with, and the one event loop its asynchronous services run on."""

    desk: Desk
    _runner: asyncio.Runner

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run an asynchronous service (a provider call, an email) to its end."""
        return self._runner.run(coroutine)


@contextmanager
def cli_desk() -> Iterator[CliDesk]:
    """Open the desk for one command, and close it afterwards: its payment provider (on the loop that used it), then
    its database connections — whatever the command did or raised."""
    desk = open_desk(settings(), operator=state.operator)
    runner = asyncio.Runner()
    try:
        yield CliDesk(desk, runner)
    finally:
        try:
            runner.run(desk.aclose())
        finally:
            runner.close()
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


def print_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n")


def split_list(value: str | None) -> list[str] | None:
    """``a,b,,c`` → ``["a", "b", "", "c"]`` (an empty item means "none for this one")."""
    if value is None:
        return None
    return [item.strip() for item in value.split(",")]


def read_message_file(path: Path | None) -> str:
    """The operator's own message for an email, from a text file."""
    if path is None:
        return ""
    try:
        return path.read_text(encoding="utf-8")[:20_000]
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput("cli.message_file", path=str(path), reason=exc.__class__.__name__) from None
