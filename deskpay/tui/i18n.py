"""Screen labels in French and English.

Each screen or widget module keeps its own ``Labels`` table next to the code
that shows them; the app's language is ``app.lang`` ("fr" | "en").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class Labels:
    def __init__(self, table: Mapping[str, tuple[str, str]]) -> None:
        """``table`` maps a key to its (French, English) text; ``{name}`` placeholders allowed."""
        self._table = dict(table)

    def __call__(self, key: str, lang: str, /, **params: Any) -> str:
        fr, en = self._table.get(key, (key, key))
        text = fr if lang == "fr" else en
        return text.format(**params) if params else text

    def keys(self) -> list[str]:
        return list(self._table)
