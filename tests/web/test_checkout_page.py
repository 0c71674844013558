"""The sandbox checkout page over real HTTP (aiohttp on a free port of 127.0.0.1), and ``deskpay sandbox pay``."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from deskpay.domain.dates import format_when
from deskpay.domain.errors import Refused
from deskpay.domain.money import Money
from deskpay.services.links.lifecycle import cancel_link
from deskpay.services.money.collect import collect_online
from deskpay.services.providers.sandbox_checkout import (
    pay_sandbox_link,
    sandbox_reference,
)
from deskpay.store.models import AuditEvent, Booking, EmailMessage, Payment, PaymentLink
from deskpay.web.runner import build_worker, sandbox_page_service
from tests.support.desk import add_booking
from tests.support.web import NONCE


async def open_link(desk, *, language: str = "fr", amount: str = "12,00", label: str = "Acompte") -> PaymentLink:
    reference = add_booking(desk, language=language).reference
    outcome = await collect_online(desk, reference, amount, label=label)
    return row(desk, outcome.links[0].id)


def row(desk, link_id: int) -> PaymentLink:
    with desk.read() as session:
        return session.get(PaymentLink, link_id)


def payments(desk) -> list[Payment]:
    with desk.read() as session:
        return list(session.execute(select(Payment)).scalars())


def booking_of(desk, link: PaymentLink) -> Booking:
    with desk.read() as session:
        return session.get(Booking, link.booking_id)


# -- what the customer sees ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", ["Payer avec la carte de test", "Refuser", "Réservation", "Valable jusqu&#39;au", "Mode test"]),
        ("en", ["Pay with test card", "Decline", "Booking", "Valid until", "Test mode"]),
    ],
)
async def test_the_page_shows_the_payment_in_the_bookings_language(shop, page, language, expected):
    link = await open_link(shop, language=language)
    status, text, headers = await page.get(link.token)

    assert status == 200
    assert f'<html lang="{language}">' in text
    assert "Test Canoës" in text
    assert booking_of(shop, link).reference in text
    assert "Acompte" in text
    assert Money(1200, "EUR").format(language) in text  # 12,00 € / €12.00
    assert format_when(link.expires_at, shop.settings.tz(), language) in text
    for words in expected:
        assert words in text
    assert 'name="viewport"' in text
    assert headers["Content-Type"].startswith("text/html")


async def test_the_page_is_never_cached_framed_or_scripted(shop, page):
    link = await open_link(shop)
    _, text, headers = await page.get(link.token)
    assert headers["Cache-Control"] == "no-store"
    assert headers["Referrer-Policy"] == "no-referrer"  # the token is in the URL
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "form-action 'self'" in csp
    style_nonce = re.search(r"style-src 'nonce-([^']+)'", csp).group(1)
    assert f'<style nonce="{style_nonce}">' in text
    assert "<script" not in text
    _, again, headers_again = await page.get(link.token)
    assert style_nonce not in headers_again["Content-Security-Policy"]  # one per response


async def test_what_the_desk_typed_is_escaped(shop, page):
    link = await open_link(shop, label='<img src=x onerror="alert(1)">')
    _, text, _ = await page.get(link.token)
    assert "<img" not in text
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in text


@pytest.mark.parametrize("token", ["nosuchtoken_0123456789abcdef", "short", "bad%20chars%3Cscript%3E0123456789"])
async def test_an_unknown_token_is_404(page, token):
    status, text, headers = await page.get(token)
    assert status == 404
    assert "Lien inconnu" in text and "Unknown link" in text
    assert headers["Cache-Control"] == "no-store"


async def test_a_stripe_links_token_has_no_sandbox_page(shop, page):
    link = await open_link(shop)
    with shop.write() as session:
        stripe_link = session.get(PaymentLink, link.id)
        stripe_link.provider = "stripe"
        session.add(stripe_link)
    assert (await page.get(link.token))[0] == 404


# -- paying, declining, replaying ----------------------------------------------------------------------


async def test_paying_records_the_payment_and_shows_the_receipt(shop, page):
    link = await open_link(shop)
    status, _, location = await page.press(link.token, "pay")

    assert (status, location) == (303, f"/pay/{link.token}")
    [payment] = payments(shop)
    assert (payment.provider_reference, payment.amount_minor, payment.link_id) == (f"sbx_pay_{link.id}", 1200, link.id)
    assert row(shop, link.id).status == "paid"
    assert booking_of(shop, link).paid_minor == 1200
    with shop.read() as session:
        assert session.execute(select(EmailMessage.kind)).scalars().all() == ["receipt"]
        [details] = session.execute(select(AuditEvent.details).where(AuditEvent.action == "payment.online")).scalars()
    assert json.loads(details)["source"] == "page"

    status, text, _ = await page.get(link.token)
    assert status == 200 and "Paiement reçu" in text and 'name="nonce"' not in text


async def test_a_booking_paid_in_full_through_the_page_is_paid(shop, page):
    link = await open_link(shop, amount="40,00")
    await page.press(link.token, "pay")
    paid = booking_of(shop, link)
    assert (paid.paid_minor, paid.badge) == (4000, "paid")


async def test_a_replayed_form_records_one_payment(shop, page):
    link = await open_link(shop)
    nonce = await page.nonce(link.token)
    first = await page.press(link.token, "pay", nonce)
    replay = await page.press(link.token, "pay", nonce)
    assert first[0] == 303
    assert replay[0] == 409 and "Paiement reçu" in replay[1]
    assert len(payments(shop)) == 1


async def test_a_double_click_records_one_payment(shop, page):
    link = await open_link(shop)
    nonce = await page.nonce(link.token)
    answers = await asyncio.gather(*(page.press(link.token, "pay", nonce) for _ in range(4)))
    assert all(status in (303, 409) for status, _, _ in answers)
    assert len(payments(shop)) == 1


async def test_declining_charges_nothing_and_the_link_stays_payable(shop, page):
    link = await open_link(shop, language="en")
    status, text, _ = await page.press(link.token, "decline")
    assert status == 200 and "Payment declined" in text and "nothing was charged" in text
    assert payments(shop) == []
    assert row(shop, link.id).status == "open"
    with shop.read() as session:
        assert (
            session.execute(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "link.declined")
            ).scalar_one()
            == 1
        )
    assert (await page.press(link.token, "pay"))[0] == 303  # and can be paid after all
    assert len(payments(shop)) == 1


async def test_a_stale_or_forged_form_gets_a_fresh_page_and_pays_nothing(shop, page):
    link = await open_link(shop)
    for nonce in (
        "",
        "123.abc",
        f"{int(datetime.now(UTC).timestamp())}.{'0' * 32}",
        "1.deadbeef",
        "²." + "0" * 32,
        "9" * 5_000 + ".abc",
        "١٢٣." + "0" * 32,
    ):
        status, text, _ = await page.press(link.token, "pay", nonce)
        assert status == 400 and "Cette page avait expiré" in text and NONCE.search(text)
    assert payments(shop) == []


@pytest.mark.parametrize(
    "headers",
    [{"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}],
    ids=["other-origin", "cross-site"],
)
async def test_a_cross_site_post_is_refused(shop, page, headers):
    link = await open_link(shop)
    status, _, _ = await page.press(link.token, "pay", headers=headers)
    assert status == 403
    assert payments(shop) == []


async def test_an_unknown_action_is_400(shop, page):
    link = await open_link(shop)
    assert (await page.press(link.token, "refund"))[0] == 400


# -- links that cannot be paid ---------------------------------------------------------------------------


async def test_an_expired_link_says_so_and_cannot_be_paid(shop, page, clock):
    link = await open_link(shop)
    nonce = await page.nonce(link.token)
    clock.now = link.expires_at  # the expiry job has not run: the page knows anyway
    status, text, _ = await page.get(link.token)
    assert status == 200 and "Lien expiré" in text and 'name="nonce"' not in text
    status, text, _ = await page.press(link.token, "pay", nonce)
    assert status == 409 and "Lien expiré" in text
    assert payments(shop) == []


async def test_a_cancelled_link_says_so_and_cannot_be_paid(shop, page):
    link = await open_link(shop, language="en")
    nonce = await page.nonce(link.token)
    await cancel_link(shop, link.id)
    _, text, _ = await page.get(link.token)
    assert "Link cancelled" in text
    status, _, _ = await page.press(link.token, "pay", nonce)
    assert status == 409
    assert payments(shop) == []


async def test_a_cancel_between_the_check_and_the_payment_wins(shop):
    """The open check is made again under the booking lock: a link cancelled a moment before is refused."""
    link = await open_link(shop)
    await cancel_link(shop, link.id)
    with pytest.raises(Refused) as refused:
        await pay_sandbox_link(shop, link.id)
    assert refused.value.key == "link.not_payable"
    assert payments(shop) == []


# -- the server's port ------------------------------------------------------------------------------------


async def test_a_second_desk_finds_the_port_taken_and_runs_without_the_page(shop, taken_port, caplog):
    shop.settings.sandbox_bind = f"127.0.0.1:{taken_port}"
    worker = build_worker(shop, embedded=True)
    stop = asyncio.Event()
    caplog.set_level(logging.WARNING, logger="deskpay.web.runner")
    running = asyncio.create_task(worker.run(stop))
    await worker.started.wait()  # the jobs run: expiry, repairs, email
    stop.set()
    await running
    [service] = worker.components
    assert not service.serving
    assert "already in use" in caplog.text and str(taken_port) in caplog.text


async def test_a_standalone_worker_refuses_a_taken_port(shop, taken_port):
    service = sandbox_page_service(shop, bind=f"127.0.0.1:{taken_port}", required=True)
    with pytest.raises(Refused) as refused:
        await service.start()
    assert refused.value.key == "web.port_taken"
    assert str(taken_port) in str(refused.value)


@pytest.mark.parametrize(
    "bind",
    [
        "8765",
        "localhost",
        ":8765",
        "host:port",
        "127.0.0.1:99999",
        "127.0.0.1:²",
        "127.0.0.1:" + "9" * 5_000,
        "127.0.0.1:-1",
    ],
)
def test_a_bad_bind_address_is_a_clear_refusal(shop, bind):
    from deskpay.domain.errors import InvalidInput

    with pytest.raises(InvalidInput) as refused:
        sandbox_page_service(shop, bind=bind)
    assert "HOST:PORT" in str(refused.value)


# -- deskpay sandbox pay --------------------------------------------------------------------------------------


async def test_sandbox_pay_from_the_cli_pays_once(shop, cli):
    link = await open_link(shop)
    first = await asyncio.to_thread(cli, "pay", str(link.id), "--json")
    assert first.exit_code == 0, first.output
    document = json.loads(first.stdout)
    assert document["created"] is True and document["booking_reference"] == booking_of(shop, link).reference
    again = await asyncio.to_thread(cli, "pay", str(link.id))
    assert again.exit_code == 0 and "already paid" in again.stdout
    [payment] = payments(shop)
    assert payment.provider_reference == sandbox_reference(link.id)
    assert row(shop, link.id).status == "paid"


async def test_sandbox_pay_refuses_what_cannot_be_paid(shop, cli):
    link = await open_link(shop)
    await cancel_link(shop, link.id)
    cancelled = await asyncio.to_thread(cli, "pay", str(link.id))
    assert cancelled.exit_code == 1
    assert f"Link #{link.id} is cancelled: it can no longer be paid." in cancelled.output
    missing = await asyncio.to_thread(cli, "pay", "9999")
    assert missing.exit_code == 1 and "No payment link #9999." in missing.output
    assert payments(shop) == []


async def test_sandbox_pay_refuses_a_stripe_link(shop, cli):
    link = await open_link(shop)
    with shop.write() as session:
        stripe_link = session.get(PaymentLink, link.id)
        stripe_link.provider = "stripe"
        session.add(stripe_link)
    result = await asyncio.to_thread(cli, "pay", str(link.id))
    assert result.exit_code == 1 and "not to the sandbox" in result.output


def test_the_page_forms_expire(shop):
    from deskpay.web.checkout_page import FORM_LIFETIME, CheckoutPages

    pages = CheckoutPages(shop, form_key=b"k" * 32)
    now = int(datetime.now(UTC).timestamp())
    assert pages.nonce_is_valid("tok", pages.form_nonce("tok", now))
    assert not pages.nonce_is_valid("other", pages.form_nonce("tok", now))
    assert not pages.nonce_is_valid("tok", pages.form_nonce("tok", now - FORM_LIFETIME - 1))
    assert not pages.nonce_is_valid("tok", pages.form_nonce("tok", now + int(timedelta(minutes=5).total_seconds())))
    assert not CheckoutPages(shop, form_key=b"x" * 32).nonce_is_valid("tok", pages.form_nonce("tok", now))
