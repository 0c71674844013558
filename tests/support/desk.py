"""Desks for tests: the business as the tests know it, bookings made in one line, proof that nothing changed."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from deskpay.config import Settings
from deskpay.services.desk import Desk

_SETTINGS_FIELDS = {name.upper() for name in Settings.model_fields}


def isolate(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """No developer's config, secrets or DESKPAY_* / STRIPE_* variables: settings come from the test alone."""
    monkeypatch.setenv("DESKPAY_CONFIG_FILE", str(home / "config.toml"))
    monkeypatch.setenv("DESKPAY_SECRETS_FILE", str(home / "secrets.toml"))
    for name in list(os.environ):
        upper = name.upper()
        if upper.removeprefix("DESKPAY_") in _SETTINGS_FIELDS or upper.startswith("STRIPE_"):
            monkeypatch.delenv(name)


def make_settings(folder: Path, database_url: str | None = None) -> Settings:
    """The business as the tests know it: EUR, French, Paris, 30 % deposit, sandbox provider."""
    return Settings(
        data_dir=folder / "data",
        database_url=database_url or f"sqlite:///{folder / 'desk.sqlite3'}",
        business_name="Test Canoës",
        operator="alice",
        provider="sandbox",
        sandbox_public_url="http://127.0.0.1:8765",
    )


def add_activity(
    desk: Desk,
    name: str = "Canoë 7 km",
    *,
    price: int = 2_000,
    max_participants: int = 10,
    terms_kind: str | None = None,
    terms_percent: int = 0,
    terms_fixed_minor: int = 0,
    currency: str = "EUR",
) -> int:
    """Insert an activity (price in minor units per participant) and return its id."""
    from deskpay.store.models import Activity

    with desk.write() as session:
        activity = Activity(
            name=name,
            unit_price_minor=price,
            currency=currency,
            max_participants=max_participants,
            terms_kind=terms_kind,
            terms_percent=terms_percent,
            terms_fixed_minor=terms_fixed_minor,
        )
        session.add(activity)
        session.flush()
        return activity.id


def add_booking(
    desk: Desk,
    activity: str | int = "Canoë 7 km",
    *,
    participants: int = 2,
    name: str = "Élodie Martin",
    email: str | None = "elodie@example.com",
    phone: str | None = "+33 6 12 34 56 78",
    language: str = "fr",
    start: datetime | None = None,
    total: str | None = None,
):
    """Create a booking through the service (so it is as real as the desk's) and return its BookingDetail."""
    from deskpay.services.bookings.create import NewBooking, create_booking
    from deskpay.services.bookings.customers import NewCustomer

    return create_booking(
        desk,
        NewBooking(
            activity=activity,
            start=start or desk.now() + timedelta(days=3),
            participants=participants,
            customer=NewCustomer(name=name, email=email, phone=phone, language=language),
            total=total,
        ),
    )


def db_state(desk: Desk) -> dict[str, list[tuple]]:
    """Every row of every table (the revision counter included), to prove a refusal changed nothing."""
    from sqlalchemy import select
    from sqlmodel import SQLModel

    with desk.read() as session:
        return {
            name: sorted((tuple(row) for row in session.execute(select(table))), key=repr)
            for name, table in sorted(SQLModel.metadata.tables.items())
        }


@contextmanager
def unchanged(desk: Desk) -> Iterator[None]:
    """``with unchanged(desk), pytest.raises(...):`` — the refusal must leave every table as it was."""
    before = db_state(desk)
    yield
    assert db_state(desk) == before
