"""Fixtures for tests that run a desk against the Stripe double: import them into the test module.

``clock`` starts at the wall time (the double and the SDK use it for expiries)
and moves only when the test moves it; ``stripe_desk`` is ``desk`` with a
Stripe client that retries fast, on the module's ``settings``.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from deskpay.services.providers.stripe import StripeProvider
from tests.conftest import Clock, add_activity
from tests.support.stripe_server import StripeDouble


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
async def double():
    async with StripeDouble() as server:
        yield server


@pytest.fixture
async def stripe_desk(desk, double):
    """The SDK's own retries, with its pauses capped, and one activity to book."""
    desk.use_provider(
        StripeProvider(
            desk.settings.stripe_api_key.get_secret_value(),
            success_url="https://example.com/ok",
            cancel_url="https://example.com/ko",
            api_base=double.base_url,
            timeout=2.0,
            max_network_retries=1,
            max_retry_delay=0.01,
        )
    )
    add_activity(desk)
    yield desk
    await desk.aclose()
