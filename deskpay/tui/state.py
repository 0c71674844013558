"""What the TUI remembers between runs (the chosen theme), in a small JSON file in the data dir.

The file is advisory: a missing, unreadable or malformed one gives the
defaults, and a failed write never stops the app.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from deskpay.config import Settings

STATE_FILE = "tui-state.json"


@dataclass(frozen=True, slots=True)
class UiState:
    theme: str | None = None
    """Name of the last theme chosen; None: the default theme."""


def state_path(settings: Settings) -> Path:
    return settings.resolved_data_dir() / STATE_FILE


def load_state(path: Path) -> UiState:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return UiState()
    if not isinstance(data, dict):
        return UiState()
    theme = data.get("theme")
    return UiState(theme=theme if isinstance(theme, str) and theme else None)


def save_state(path: Path, state: UiState) -> bool:
    """Write ``state`` atomically (temporary file, then rename); False when it could not be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(asdict(state), indent=2), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        return False
    return True
