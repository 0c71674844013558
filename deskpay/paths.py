"""Where deskpay finds its shipped resources and keeps its files.

Resources (templates, themes, demo data) sit at the top of a source checkout
and are copied under the package in a wheel; both layouts are looked up.
User paths come from platformdirs and are computed on call, never at import.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "deskpay"
_PACKAGE_DIR = Path(__file__).resolve().parent


def _resource(name: str) -> Path:
    for candidate in (_PACKAGE_DIR / f"_{name}", _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"deskpay resource folder {name!r} is missing from the installation")


def templates_dir() -> Path:
    return _resource("templates")


def themes_dir() -> Path:
    return _resource("themes")


def demo_data_dir() -> Path:
    return _resource("data")


def user_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def user_config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
