"""The sandbox the TUI tests use makes the same URL for the same link: snapshots and QR codes do not change."""

from __future__ import annotations

from deskpay.services.providers.base import LinkRequest
from tests.support.tui import BASE_URL, MODALS_NOW, FixedSandbox


def test_the_fixed_sandbox_makes_the_same_url_for_the_same_link(tmp_path) -> None:
    import asyncio

    provider = FixedSandbox(BASE_URL)
    request = LinkRequest(
        link_id=7,
        token="x",
        idempotency_key="k",
        amount=None,
        booking_reference="R",  # type: ignore[arg-type]
        label="",
        recipient_email=None,
        language="fr",
        expires_at=MODALS_NOW,
        business_name="B",
        operator="o",
    )
    first = asyncio.run(provider.create_link(request)).url
    assert first == asyncio.run(provider.create_link(request)).url
    assert first.startswith(f"{BASE_URL}/pay/") and len(first) == len(BASE_URL) + 5 + 43
