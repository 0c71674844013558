"""The configuration tests' files: where DESKPAY_CONFIG_FILE and DESKPAY_SECRETS_FILE point for this test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture
def config_file() -> Path:
    return Path(os.environ["DESKPAY_CONFIG_FILE"])


@pytest.fixture
def secrets_file() -> Path:
    return Path(os.environ["DESKPAY_SECRETS_FILE"])
