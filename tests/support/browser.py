"""A real headless Chromium for the tests that must see what a customer's browser does.

Debian's ``chromium`` and ``chromium-driver`` (``apt-get install -y chromium
chromium-driver``) at fixed paths: selenium is told both, so its manager
never tries to download a browser or a driver (there is no network here).
Missing browser: the test is skipped with the reason locally, and fails
when ``CI=true``, so a CI that lost its install step cannot pass silently.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # selenium is imported only by the tests that drive a browser
    from selenium import webdriver

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--window-size=412,915",
)  # a phone-sized window: the page is meant for phones


def require_chromium() -> None:
    """Skip (locally) or fail (CI=true) unless Chromium and its driver are installed."""
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    if not missing:
        return
    reason = f"headless Chromium is not installed ({', '.join(missing)} missing): apt-get install -y chromium chromium-driver"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason + " — required when CI=true")
    pytest.skip(reason)


@contextmanager
def headless_chromium(profile_dir: Path) -> Iterator[webdriver.Chrome]:
    """A Chrome WebDriver on Debian's Chromium with a throwaway profile; always quit afterwards."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    require_chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile_dir}")
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    try:
        driver.set_page_load_timeout(30)
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile_dir, ignore_errors=True)
