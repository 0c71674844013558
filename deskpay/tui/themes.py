"""Themes are data files: ``themes/*.toml`` read, validated and turned into Textual ``Theme``s.

A theme file holds the Textual colour fields (``primary``, ``background``…)
and a ``[variables]`` table with our own variables (``status-paid``…). A file
that cannot be read or does not validate is skipped and reported; the app
then falls back to :data:`DEFAULT_THEME`, or Textual's own dark theme.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from textual.color import Color, ColorParseError
from textual.theme import Theme

from deskpay import paths
from deskpay.domain.i18n import Section

DEFAULT_THEME = "deskpay-dark"
FALLBACK_THEME = "textual-dark"

COLOUR_FIELDS = (
    "primary",
    "secondary",
    "warning",
    "error",
    "success",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
)
OTHER_FIELDS = {"name": str, "title": str, "dark": bool, "luminosity_spread": float, "text_alpha": float}

VARIABLE_DEFAULTS: dict[str, str] = {
    # Payment badges and link statuses.
    "status-paid": "#4EBF71",
    "status-deposit": "#5FB4C9",
    "status-open": "#E5B84B",
    "status-expired": "#E0707B",
    "status-unpaid": "#A0A0A0",
    "status-cancelled": "#808080",
    # The provider banner: fake money, Stripe test, real money.
    "banner-sandbox": "#8A6D00",
    "banner-test": "#5B4BA8",
    "banner-live": "#A11D2B",
    "banner-foreground": "#FFFFFF",
}
"""Our own theme variables and their values when a theme does not set them."""

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,40}$")

LABELS = Section("ui.themes")


@dataclass(frozen=True, slots=True)
class ThemeProblem:
    """Why one theme file was skipped (a message key of :data:`LABELS` and its parameters)."""

    key: str
    params: dict[str, str]

    def text(self, lang: str) -> str:
        return LABELS(self.key, lang, **self.params)


@dataclass(frozen=True)
class LoadedThemes:
    themes: list[Theme] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)
    """Theme name → the title shown in the picker."""
    problems: list[ThemeProblem] = field(default_factory=list)


def theme_from_mapping(data: dict, file: str) -> tuple[Theme, str]:
    """A validated Textual theme and its title, or :class:`ThemeError`."""
    for key in data:
        if key not in COLOUR_FIELDS and key not in OTHER_FIELDS and key != "variables":
            raise ThemeError(ThemeProblem("unknown_field", {"file": file, "key": key}))
    name = data.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ThemeError(ThemeProblem("no_name", {"file": file}))
    if "primary" not in data:
        raise ThemeError(ThemeProblem("no_primary", {"file": file}))
    kwargs: dict = {}
    for key in COLOUR_FIELDS:
        if key in data:
            kwargs[key] = _colour(data[key], key, file)
    for key, kind in OTHER_FIELDS.items():
        if key in data and key not in ("name", "title"):
            value = data[key]
            if kind is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if not isinstance(value, kind):
                raise ThemeError(ThemeProblem("bad_field", {"file": file, "key": key}))
            kwargs[key] = value
    variables = data.get("variables", {})
    if not isinstance(variables, dict):
        raise ThemeError(ThemeProblem("bad_field", {"file": file, "key": "variables"}))
    checked: dict[str, str] = {}
    for key, value in variables.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise ThemeError(ThemeProblem("bad_field", {"file": file, "key": f"variables.{key}"}))
        # Our variables are used as colours in Rich styles as well as in TCSS: they must parse.
        checked[key] = _colour(value, f"variables.{key}", file) if key in VARIABLE_DEFAULTS else value
    title = data["title"] if isinstance(data.get("title"), str) else name
    return Theme(name=name, variables=checked, **kwargs), title


def _colour(value: object, key: str, file: str) -> str:
    if not isinstance(value, str):
        raise ThemeError(ThemeProblem("bad_colour", {"file": file, "key": key, "value": str(value)[:40]}))
    try:
        Color.parse(value)
    except ColorParseError:
        raise ThemeError(ThemeProblem("bad_colour", {"file": file, "key": key, "value": value[:40]})) from None
    return value


class ThemeError(Exception):
    def __init__(self, problem: ThemeProblem) -> None:
        super().__init__(problem.key)
        self.problem = problem


def load_themes(directory: Path | None = None) -> LoadedThemes:
    """Every ``*.toml`` theme of ``directory`` (default: the shipped ``themes/``), sorted by file name."""
    folder = directory or paths.themes_dir()
    loaded = LoadedThemes()
    for path in sorted(folder.glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            theme, title = theme_from_mapping(data, path.name)
        except ThemeError as error:
            loaded.problems.append(error.problem)
            continue
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            loaded.problems.append(ThemeProblem("unreadable", {"file": path.name, "reason": str(error)[:120]}))
            continue
        loaded.themes.append(theme)
        loaded.titles[theme.name] = title
    return loaded


def stylesheets(directory: Path | None = None) -> list[str | PurePath]:
    """The app's TCSS (the modals bring their own ``modals.tcss`` as screen CSS)."""
    return [(directory or paths.themes_dir()) / "deskpay.tcss"]


def status_colour(variables: dict[str, str], status: str) -> str:
    """The concrete colour of ``status-<status>`` in the current theme (for Rich-rendered cells)."""
    return variables.get(f"status-{status}") or VARIABLE_DEFAULTS.get(f"status-{status}", "#A0A0A0")
