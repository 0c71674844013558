"""``deskpay`` with no command: the front-desk TUI."""

from __future__ import annotations

from deskpay.cli.context import settings, state
from deskpay.config import Settings


def open_tui(the_settings: Settings | None = None) -> None:
    """Textual is imported only here, so the other commands start fast."""
    from deskpay.tui.app import (
        run_tui,  # the TUI (Textual) only when the TUI is asked for
    )  # Textual only when the TUI is asked for

    run_tui(the_settings or settings(), operator=state.operator)
