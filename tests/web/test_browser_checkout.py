"""Once, in a real headless Chromium: open a sandbox link, press Pay, the booking is paid.

What only a browser checks: the page renders under its CSP, the form posts
with the browser's own Origin/Sec-Fetch headers and follows the redirect.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from deskpay.services.money.collect import collect_online
from deskpay.store.models import Booking, Payment, PaymentLink
from deskpay.web.checkout_page import sandbox_app
from deskpay.web.runner import HttpService
from tests.support.browser import headless_chromium, require_chromium
from tests.support.desk import add_activity, add_booking


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.sqlite_only(
    "the page and the payment path are the same on both databases; tests/web/test_checkout_page.py runs them on each"
)
async def test_a_customer_pays_a_sandbox_link_in_a_real_browser(desk, tmp_path):
    require_chromium()
    add_activity(desk)
    reference = add_booking(desk, language="fr").reference
    outcome = await collect_online(desk, reference, "40,00", label="Solde")
    link_id = outcome.links[0].id
    with desk.read() as session:
        token = session.get(PaymentLink, link_id).token
    service = HttpService("sandbox checkout page", lambda: sandbox_app(desk), "127.0.0.1:0")
    await service.start()
    url = f"{service.base_url}/pay/{token}"

    def customer() -> tuple[str, str, list]:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as ready
        from selenium.webdriver.support.ui import WebDriverWait

        with headless_chromium(tmp_path / "chromium-profile") as browser:
            browser.get(url)
            amount = browser.find_element(By.ID, "amount").text
            pay = browser.find_element(By.ID, "pay")
            assert pay.text == "Payer avec la carte de test"
            browser.save_screenshot(str(tmp_path / "checkout.png"))
            pay.click()
            WebDriverWait(browser, 20).until(ready.text_to_be_present_in_element((By.ID, "outcome"), "Paiement reçu"))
            browser.save_screenshot(str(tmp_path / "paid.png"))
            console = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
            return amount, browser.current_url, console

    try:
        amount, landed_on, console = await asyncio.to_thread(customer)
    finally:
        await service.stop()

    assert amount == "40,00 €"  # WebDriver reports the non-breaking space as a space
    assert landed_on == url  # Post/Redirect/Get: a reload cannot pay twice
    assert console == []  # no CSP violation, nothing blocked
    with desk.read() as session:
        booking = session.execute(select(Booking).where(Booking.reference == reference)).scalar_one()
        assert (booking.paid_minor, booking.badge) == (4000, "paid")
        assert session.get(PaymentLink, link_id).status == "paid"
        assert session.execute(select(Payment.provider_reference)).scalars().all() == [f"sbx_pay_{link_id}"]


@pytest.mark.parametrize(("ci", "outcome"), [("true", pytest.fail.Exception), ("", pytest.skip.Exception)])
def test_a_missing_browser_is_skipped_locally_and_fails_on_ci(monkeypatch, tmp_path, ci, outcome):
    import tests.support.browser as browser

    monkeypatch.setattr(browser, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="chromium"):
        browser.require_chromium()
