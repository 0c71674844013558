"""Fixtures for a desk in Stripe test mode against the Stripe double (a pytest plugin: ``tests/conftest.py``).

* ``double``: the Stripe double on a free port of 127.0.0.1; ``provider``: a
  StripeProvider on it (``make_provider``), for the provider's own tests.
* ``stripe_settings``: the test business on Stripe (links valid 60 minutes,
  webhooks signed with :data:`WEBHOOK_SECRET`, the receipt ``receipt`` names:
  parametrize ``receipt`` to change it).
* ``stripe_desk``: a desk on those settings, with a Stripe client that retries
  fast and one activity to book. Its clock is ``wall_clock``: the double and
  the SDK check expiries against real time; it moves only when the test moves it.
"""

from __future__ import annotations

import pytest

from deskpay.config import Settings
from deskpay.services.desk import open_desk
from deskpay.services.providers.stripe import StripeProvider
from tests.support.desk import add_activity
from tests.support.stripe_server import StripeDouble

API_KEY = "sk_test_51DeskpayStripeDesk000000"
WEBHOOK_SECRET = "whsec_deskpay_test_0123456789"
#: The key of the provider tests' clients (``make_provider``).
PROVIDER_API_KEY = "sk_test_51DeskpayTestKey0000000000"


def make_provider(base_url: str, **options) -> StripeProvider:
    """A StripeProvider on the double at ``base_url``: short timeouts, real retries with 10 ms pauses."""
    settings = {"api_base": base_url, "timeout": 2.0, "max_network_retries": 3, "max_retry_delay": 0.01}
    return StripeProvider(
        options.pop("api_key", PROVIDER_API_KEY),
        success_url="https://pay.example.com/done?link={CHECKOUT_SESSION_ID}",
        cancel_url="https://pay.example.com/cancelled",
        **{**settings, **options},
    )


@pytest.fixture
async def double():
    async with StripeDouble() as server:
        yield server


@pytest.fixture
def receipt() -> str:
    """What is emailed when a link is paid (the ``receipt`` setting)."""
    return "receipt"


@pytest.fixture
def stripe_settings(tmp_path, database_url, double, receipt) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        business_name="Test Canoës",
        operator="alice",
        provider="stripe",
        stripe_api_key=API_KEY,
        stripe_api_base=double.base_url,
        stripe_webhook_secret=WEBHOOK_SECRET,
        link_validity_minutes=60,
        receipt=receipt,
    )


@pytest.fixture
async def provider(double):
    """A StripeProvider on the double (``make_provider``), closed afterwards."""
    provider = make_provider(double.base_url)
    yield provider
    await provider.aclose()


@pytest.fixture
async def stripe_desk(stripe_settings, double, wall_clock):
    """The SDK's own retries, with its pauses capped, and one activity to book."""
    desk = open_desk(stripe_settings, operator="alice", clock=wall_clock)
    try:
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
    finally:
        desk.close()
