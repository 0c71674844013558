"""Payment links after they are opened: email, cancel, expire on time, regenerate; provider failures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from deskpay.domain.errors import InvalidInput, NotFound, ProviderError, Refused
from deskpay.domain.links import LinkStatus
from deskpay.domain.money import Money
from deskpay.services.bookings.sheet import booking_detail
from deskpay.services.links.lifecycle import (
    cancel_link,
    expire_due_links,
    get_link,
    regenerate_link,
)
from deskpay.services.links.sending import send_link_email
from deskpay.services.money.collect import collect_offline, collect_online
from deskpay.store.models import AuditEvent, Booking, EmailMessage, PaymentLink
from tests.support.desk import add_activity, add_booking, unchanged


def eur(minor: int) -> Money:
    return Money(minor, "EUR")


async def open_link(desk, booking, amount="40", **kwargs):
    return (await collect_online(desk, booking.reference, amount, **kwargs)).links[0]


def badge(desk) -> str:
    with desk.read() as session:
        return session.execute(select(Booking.badge)).scalar_one()


def audit_actions(desk) -> list[tuple[str, str]]:
    with desk.read() as session:
        return session.execute(select(AuditEvent.operator, AuditEvent.action).order_by(AuditEvent.id)).all()


# --- cancel -------------------------------------------------------------------------------------------------


async def test_cancel_frees_the_money(desk, booking):
    link = await open_link(desk, booking)
    cancelled = await cancel_link(desk, link.id, reason="wrong amount")
    assert (cancelled.status, cancelled.status_reason) == (LinkStatus.CANCELLED, "wrong amount")
    detail = booking_detail(desk, booking.reference)
    assert (detail.amounts.pending, detail.amounts.requestable) == (eur(0), eur(10_000))
    assert badge(desk) == "unpaid"
    assert audit_actions(desk)[-1] == ("alice", "link.cancel")


async def test_cancel_twice_is_refused(desk, booking):
    link = await open_link(desk, booking)
    await cancel_link(desk, link.id)
    with unchanged(desk), pytest.raises(Refused) as caught:
        await cancel_link(desk, link.id)
    assert caught.value.text("en") == "This link is cancelled; it cannot become cancelled."
    assert caught.value.text("fr") == "Ce lien est annulé ; il ne peut pas devenir annulé."


async def test_cancel_refusals(desk, booking):
    link = await open_link(desk, booking)
    with unchanged(desk), pytest.raises(NotFound) as caught:
        await cancel_link(desk, 999)
    assert caught.value.text("en") == "No payment link #999."
    with unchanged(desk), pytest.raises(InvalidInput):
        await cancel_link(desk, link.id, reason="r" * 201)
    with unchanged(desk), pytest.raises(InvalidInput):
        await cancel_link(desk, link.id, reason="line\nbreak")


# --- send by email ------------------------------------------------------------------------------------------


async def test_send_link_email_queues_one_and_remembers_the_address(desk, booking):
    link = await open_link(desk, booking)
    draft = send_link_email(desk, link.id, to="papa@example.org", message="Merci !")
    assert (draft.to, draft.kind, draft.language) == ("papa@example.org", "payment_link", "fr")
    assert get_link(desk, link.id).recipient_email == "papa@example.org"
    with desk.read() as session:
        email = session.execute(select(EmailMessage)).scalar_one()
    assert (email.to_addr, email.link_id, email.status) == ("papa@example.org", link.id, "queued")
    assert "Merci !" in email.text and link.url in email.text
    assert audit_actions(desk)[-1] == ("alice", "link.email")


async def test_send_link_email_refusals_queue_nothing(desk, booking):
    link = await open_link(desk, booking)
    with unchanged(desk), pytest.raises(InvalidInput):
        send_link_email(desk, link.id, to="papa@")
    with unchanged(desk), pytest.raises(InvalidInput):
        send_link_email(desk, link.id, to="papa@example.org", subject="Hi\nBcc: evil@example.com")
    await cancel_link(desk, link.id)
    with unchanged(desk), pytest.raises(Refused) as caught:
        send_link_email(desk, link.id)
    assert caught.value.text("en") == f"Link #{link.id} is cancelled: only an open link can be sent or shown."
    with unchanged(desk), pytest.raises(NotFound):
        send_link_email(desk, 999)


# --- expiry -------------------------------------------------------------------------------------------------


async def test_links_expire_at_their_time_and_not_before(desk, booking, clock):
    desk.settings.link_validity_minutes = 30
    first = await open_link(desk, booking, "40")
    clock.advance(minutes=10)
    second = await open_link(desk, booking, "20")
    clock.advance(minutes=19, seconds=59)
    assert expire_due_links(desk) == 0
    clock.advance(seconds=1)  # exactly 30 minutes after the first
    assert expire_due_links(desk) == 1
    assert get_link(desk, first.id).status is LinkStatus.EXPIRED
    assert get_link(desk, second.id).status is LinkStatus.OPEN
    assert badge(desk) == "link_open"
    clock.advance(minutes=10)
    assert expire_due_links(desk) == 1
    assert expire_due_links(desk) == 0  # nothing twice
    detail = booking_detail(desk, booking.reference)
    assert (detail.amounts.pending, detail.amounts.requestable) == (eur(0), eur(10_000))
    assert badge(desk) == "link_expired"
    assert audit_actions(desk)[-2:] == [("system", "link.expire")] * 2


async def test_expiry_does_not_touch_closed_links(desk, booking, clock):
    link = await open_link(desk, booking)
    await cancel_link(desk, link.id)
    clock.advance(days=2)
    assert expire_due_links(desk) == 0
    assert get_link(desk, link.id).status is LinkStatus.CANCELLED


# --- regenerate ---------------------------------------------------------------------------------------------


async def test_regenerate_an_expired_link(desk, booking, clock):
    old = await open_link(desk, booking, "40", label="Acompte", send_email=True)
    clock.advance(hours=24)
    expire_due_links(desk)
    outcome = await regenerate_link(desk, old.id)
    (new,) = outcome.links
    assert new.id != old.id and new.url != old.url
    assert (new.amount, new.label, new.recipient_email, new.status) == (
        eur(4_000),
        "Acompte",
        "elodie@example.com",
        LinkStatus.OPEN,
    )
    assert new.expires_at == clock() + timedelta(hours=24)
    assert outcome.emails_queued == 1
    with desk.read() as session:
        assert session.get(PaymentLink, new.id).replaces_id == old.id
    assert get_link(desk, old.id).status is LinkStatus.EXPIRED


async def test_regenerate_refusals(desk, booking, clock):
    link = await open_link(desk, booking, "40")
    with unchanged(desk), pytest.raises(Refused) as caught:
        await regenerate_link(desk, link.id)
    assert caught.value.text("en") == (
        f"Link #{link.id} is open: only an expired, cancelled or failed link can be regenerated."
    )
    with unchanged(desk), pytest.raises(NotFound):
        await regenerate_link(desk, 999)
    await cancel_link(desk, link.id)
    collect_offline(desk, booking.reference, "70", "cash")  # only 30.00 left: a 40.00 link no longer fits
    with unchanged(desk), pytest.raises(Refused) as caught:
        await regenerate_link(desk, link.id)
    assert caught.value.key == "links.over_requestable"
    collect_offline(desk, booking.reference, "30", "cash")
    with unchanged(desk), pytest.raises(Refused) as caught:
        await regenerate_link(desk, link.id)
    assert caught.value.key == "links.nothing_to_request"


# --- provider failures ----------------------------------------------------------------------------------------


class FailingProvider:
    name = "sandbox"
    mode = "sandbox"
    validity_window = (timedelta(minutes=30), timedelta(hours=24))

    def __init__(self, error: Exception) -> None:
        self.error = error

    async def create_link(self, request):
        raise self.error

    async def cancel_link(self, provider_id):
        return None

    async def fetch_status(self, provider_id):
        from deskpay.services.providers.base import RemoteStatus

        return RemoteStatus("open")  # nothing was ever created, so nothing was ever paid

    async def aclose(self):
        return None


@pytest.mark.parametrize(
    ("error", "key"),
    [
        (ProviderError("provider.unexpected", kind="Timeout"), "provider.unexpected"),
        (RuntimeError("socket closed"), "provider.unexpected"),
    ],
)
async def test_provider_failure_marks_the_link_failed_and_frees_the_money(desk, booking, error, key):
    desk.use_provider(FailingProvider(error))
    with pytest.raises(ProviderError) as caught:
        await collect_online(desk, booking.reference, "40", send_email=True)
    assert caught.value.key == key
    with desk.read() as session:
        link = session.execute(select(PaymentLink)).scalar_one()
        assert session.execute(select(EmailMessage)).first() is None
    assert (link.status, link.url) == ("failed", None)
    assert link.status_reason.startswith("Le prestataire de paiement a échoué")
    assert booking_detail(desk, booking.reference).amounts.requestable == eur(10_000)
    assert ("alice", "link.failed") in audit_actions(desk)


def test_a_link_to_the_operators_own_email_is_refused(desk):
    """Like TrekkSoft: a payment link goes to the customer, never to the desk's own address."""
    import asyncio

    from deskpay.services.money.collect import collect_online
    from deskpay.services.operators import save_operator

    save_operator(desk, "alice", "manager", "alice@example.com")
    add_activity(desk, "Kayak own email")
    booking = add_booking(desk, "Kayak own email")
    with unchanged(desk):
        with pytest.raises(Refused, match="your own address"):
            asyncio.run(collect_online(desk, booking.reference, "10", email="ALICE@example.com", send_email=True))


def test_an_unsent_link_is_emailed_to_the_customer_by_default(desk):
    import asyncio

    from deskpay.services.links.sending import send_link_email
    from deskpay.services.money.collect import collect_online

    add_activity(desk, "Kayak later email")
    booking = add_booking(desk, "Kayak later email", email="later@example.com")
    link = asyncio.run(collect_online(desk, booking.reference, "10")).links[0]
    assert link.recipient_email is None
    assert send_link_email(desk, link.id).to == "later@example.com"


def test_stored_expiry_is_inside_the_providers_window(desk, settings):
    """A Stripe link is stored with an expiry Stripe accepts as is, so a repair sends identical parameters."""
    import asyncio

    from deskpay.services.money.collect import collect_online

    class Windowed(FailingProvider):
        validity_window = (timedelta(minutes=35), timedelta(hours=23, minutes=50))

        async def create_link(self, request):
            from deskpay.services.providers.base import CreatedLink

            return CreatedLink(provider_id="x", url="https://pay.example.com/x", expires_at=request.expires_at)

    desk.use_provider(Windowed(None))
    add_activity(desk, "Kayak window")
    booking = add_booking(desk, "Kayak window")
    link = asyncio.run(collect_online(desk, booking.reference, "10")).links[0]
    assert link.expires_at - desk.now() == timedelta(hours=23, minutes=50)
