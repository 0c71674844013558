"""The context every use case runs in: settings, database, provider, operator, clock.

Built once per process by the interface (CLI command or TUI) and passed to
the services; nothing here is created at import time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine

from deskpay.config import Settings
from deskpay.services.providers.base import PaymentProvider
from deskpay.store.columns import utcnow
from deskpay.store.engine import make_engine, read_session, write_session
from deskpay.store.migrate import upgrade

if TYPE_CHECKING:
    from sqlmodel import Session


@dataclass
class Desk:
    settings: Settings
    engine: Engine
    operator: str
    clock: Callable[[], datetime] = utcnow
    _provider: PaymentProvider | None = field(default=None, repr=False)

    @property
    def lang(self) -> str:
        return self.settings.locale

    @property
    def currency(self) -> str:
        return self.settings.currency

    def now(self) -> datetime:
        return self.clock()

    @contextmanager
    def read(self) -> Iterator[Session]:
        with read_session(self.engine) as session:
            yield session

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A read in SQLAlchemy Core, for what must not wait for the ORM to load (the list, the poll)."""
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def write(self) -> Iterator[Session]:
        with write_session(self.engine) as session:
            yield session

    @property
    def provider(self) -> PaymentProvider:
        if self._provider is None:
            from deskpay.services.providers.factory import (
                make_provider,  # the provider when first used: Stripe's SDK is slow to import
            )

            self._provider = make_provider(self.settings)
        return self._provider

    def use_provider(self, provider: PaymentProvider) -> None:
        """Swap the provider (tests, and the TUI sharing one Stripe client)."""
        self._provider = provider

    async def aclose(self) -> None:
        if self._provider is not None:
            await self._provider.aclose()

    def close(self) -> None:
        self.engine.dispose()


def open_desk(
    settings: Settings, *, operator: str | None = None, migrate: bool = True, clock: Callable[[], datetime] = utcnow
) -> Desk:
    """Connect to the configured database, bring its schema up to date, and name the operator."""
    engine = make_engine(settings.resolved_database_url())
    if migrate:
        upgrade(engine)
    return Desk(settings=settings, engine=engine, operator=operator or settings.operator_name(), clock=clock)
