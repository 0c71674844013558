"""The email tests' fixtures: desks that deliver to a given SMTP server, and a test CA for TLS."""

from __future__ import annotations

from pathlib import Path

import pytest
import trustme

from deskpay.config import Settings
from deskpay.services.desk import Desk, open_desk


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def cert(ca) -> trustme.LeafCert:
    return ca.issue_cert("127.0.0.1", "localhost")


@pytest.fixture
def make_desk(tmp_path: Path, clock, database_url):
    """``make_desk(smtp_url, **settings)``: a desk on the test's database (and clock) sending to ``smtp_url``.

    Each one has its own engine and connections, as another process or TUI would; all are closed afterwards.
    """
    desks: list[Desk] = []

    def make(smtp_url: str | None, **overrides) -> Desk:
        fields = {
            "data_dir": tmp_path / "data",
            "database_url": database_url,
            "business_name": "Canoës de l'Ardèche",
            "smtp_url": smtp_url,
            "smtp_from": "resa@canoes.example",
            "smtp_reply_to": "contact@canoes.example",
            **overrides,
        }
        desk = open_desk(Settings(**fields), operator="alice", clock=clock)
        desks.append(desk)
        return desk

    yield make
    for desk in desks:
        desk.close()
