"""``deskpay collect`` and ``deskpay split``: money at the desk and payment links, every refusal changing nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from deskpay.config import load_settings
from deskpay.services.desk import open_desk
from deskpay.store.models import EmailMessage
from tests.support.cli import run, run_json, snapshot, unpaid_reference


def test_collect_cash_records_payment(cli_env):
    reference = unpaid_reference()
    before = run_json("bookings", "show", reference)
    document = run_json("collect", reference, "--amount", "12,50", "--mode", "cash")
    assert document["payment"]["amount"] == 1250 and document["payment"]["method"] == "cash"
    assert document["payment"]["operator"] == "clara"
    after = run_json("bookings", "show", reference)
    assert after["paid"] == before["paid"] + 1250
    assert after["history"][0]["action"] == "payment.record"


def test_collect_online_prints_the_url_and_emails_it(cli_env):
    reference = unpaid_reference()
    result = run(
        "collect",
        reference,
        "--amount",
        "20",
        "--mode",
        "online",
        "--email",
        "guest@example.com",
        "--subject",
        "Votre lien",
    )
    url = result.stdout.strip()
    assert url.startswith("http://127.0.0.1:8765/pay/") and len(url.rsplit("/", 1)[1]) >= 43
    desk = open_desk(load_settings())
    with desk.read() as s:
        email = s.execute(select(EmailMessage).where(EmailMessage.to_addr == "guest@example.com")).scalar_one()
    desk.close()
    assert email.subject == "Votre lien" and url in email.text


def test_collect_online_with_a_message_file(cli_env, tmp_path):
    reference = unpaid_reference()
    message = tmp_path / "message.txt"
    message.write_text("Merci pour votre visite !\nÀ bientôt", encoding="utf-8")
    run(
        "collect",
        reference,
        "--amount",
        "5",
        "--mode",
        "online",
        "--email",
        "m@example.com",
        "--message-file",
        str(message),
    )
    desk = open_desk(load_settings())
    with desk.read() as s:
        email = s.execute(select(EmailMessage).where(EmailMessage.to_addr == "m@example.com")).scalar_one()
    desk.close()
    assert "Merci pour votre visite !" in email.text


def test_collect_online_no_email_queues_nothing(cli_env):
    reference = unpaid_reference()
    before = snapshot()
    document = run_json("collect", reference, "--amount", "7.00", "--mode", "online", "--no-email")
    assert document["emails_queued"] == 0 and document["links"][0]["amount"] == 700
    after = snapshot()
    assert after["EmailMessage"] == before["EmailMessage"] and after["PaymentLink"] == before["PaymentLink"] + 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["R-1999-000001", "--amount", "10", "--mode", "cash"], "No booking"),
        (["{ref}", "--amount", "abc", "--mode", "cash"], "not an amount"),
        (["{ref}", "--amount", "-5", "--mode", "cash"], "negative"),
        (["{ref}", "--amount", "0", "--mode", "cash"], "more than zero"),
        (["{ref}", "--amount", "12.345", "--mode", "cash"], "ambiguous"),
        (["{ref}", "--amount", "999999", "--mode", "cash"], "limit"),
        (["{ref}", "--amount", "99999", "--mode", "cash"], "more than"),
        (["{ref}", "--amount", "10", "--mode", "bitcoin"], "Unknown mode"),
        (["{ref}", "--amount", "10", "--mode", "online", "--email", "bad@"], "bad@"),
        (
            [
                "{ref}",
                "--amount",
                "10",
                "--mode",
                "online",
                "--subject",
                "x\r\nBcc: a@example.com",
                "--email",
                "a@example.com",
            ],
            "control",
        ),
        (["{ref}", "--amount", "10", "--mode", "online", "--message-file", "/nonexistent/message.txt"], "message file"),
    ],
)
def test_collect_refusals_change_nothing(cli_env, args, message):
    reference = unpaid_reference()
    before = snapshot()
    result = run("collect", *[a.replace("{ref}", reference) for a in args], ok=False)
    assert result.exit_code == 1, result.output
    assert message.lower() in result.stderr.lower(), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot() == before


def test_collect_online_without_customer_email_and_no_address_is_refused(cli_env):
    created = run_json(
        "bookings",
        "create",
        "--activity",
        "Canoë mini",
        "--start",
        "2026-12-06T10:00",
        "--participants",
        "2",
        "--name",
        "Sans Courriel",
    )
    before = snapshot()
    result = run("collect", created["reference"], "--amount", "10", "--mode", "online", ok=False)
    assert result.exit_code == 1 and "No email address" in result.stderr
    assert snapshot() == before


def test_split_equal_with_emails(cli_env):
    reference = unpaid_reference(minimum=3)
    shown = run_json("bookings", "show", reference)
    document = run_json("split", reference, "--parts", "3", "--emails", "a@example.com,,c@example.com")
    amounts = [link["amount"] for link in document["links"]]
    assert sum(amounts) == shown["requestable"] and max(amounts) - min(amounts) <= 1
    assert [link["label"] for link in document["links"]] == ["Participant 1", "Participant 2", "Participant 3"]
    assert [link["recipient_email"] for link in document["links"]] == ["a@example.com", None, "c@example.com"]
    assert document["emails_queued"] == 2
    assert run_json("bookings", "show", reference)["requestable"] == 0


def test_split_custom_amounts_and_labels(cli_env):
    reference = unpaid_reference()
    document = run_json("split", reference, "--amounts", "10,20.50", "--labels", "Léa,Tom", "--no-email")
    assert [(link["amount"], link["label"]) for link in document["links"]] == [(1000, "Léa"), (2050, "Tom")]
    french = run_json("split", reference, "--amounts", "1,50;2,25", "--no-email")
    assert [link["amount"] for link in french["links"]] == [150, 225]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--parts", "0"], "1 to 50"),
        (["--parts", "51"], "1 to 50"),
        (["--amounts", "10,0"], "more than zero"),
        (["--parts", "2", "--amount", "999999"], "limit"),
        (["--parts", "2", "--amount", "99999"], "more than"),
        (["--parts", "2", "--emails", "a@example.com"], "one per share"),
        (["--parts", "2", "--emails", "a@example.com,broken"], "broken"),
        (["--parts", "2", "--labels", "a,b,c"], "one per share"),
        ([], "--parts N"),
        (["--parts", "2", "--amounts", "1,2"], "--parts N"),
    ],
)
def test_split_refusals_change_nothing(cli_env, args, message):
    reference = unpaid_reference()
    before = snapshot()
    result = run("split", reference, *args, ok=False)
    assert result.exit_code == 1, result.output
    assert message.lower() in result.stderr.lower(), result.stderr
    assert snapshot() == before
