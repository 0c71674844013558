"""Addresses and header values are checked before they reach a message; messages are deterministic."""

from __future__ import annotations

import email
import email.policy
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from deskpay.domain.errors import InvalidInput
from deskpay.services.emails.mime import (
    MAX_SUBJECT_LENGTH,
    build_mime,
    check_header_value,
    make_message_id,
    validate_address,
)

PARIS_SUMMER = timezone(timedelta(hours=2))


def mime_args(**changes: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "message_id": "<20250610143200.4242.1@kayaks-odet.fr>",
        "date": datetime(2025, 6, 10, 14, 32, 5, tzinfo=PARIS_SUMMER),
        "from_addr": "bonjour@kayaks-odet.fr",
        "from_name": "Kayaks de l'Odet",
        "to": "marie.dupont@example.com",
        "reply_to": "resa@kayaks-odet.fr",
        "subject": "Reçu de votre paiement de 140,00\xa0€ – réservation R-1042",
        "text": "Bonjour Marie,\n\nMerci !\nhttps://pay.example.com/c/x?a=1&b=2\n",
        "html": '<p>Bonjour Marie,</p>\n<p><a href="https://pay.example.com/c/x?a=1&amp;b=2">Payer</a></p>\n',
    }
    args.update(changes)
    return args


def parse(message: email.message.EmailMessage) -> email.message.EmailMessage:
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    assert isinstance(parsed, email.message.EmailMessage)
    return parsed


# --- addresses ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [
        ("marie.dupont@example.com", "marie.dupont@example.com"),
        ("  Marie.Dupont@Example.COM ", "Marie.Dupont@example.com"),
        ("resa+kayak@sub.example.fr", "resa+kayak@sub.example.fr"),
        ("léa@exemple.fr", "léa@exemple.fr"),
        ("x@bücher.de", "x@bücher.de"),
    ],
)
def test_valid_addresses_come_back_normalized(typed: str, normalized: str) -> None:
    assert validate_address(typed) == normalized


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("", "email.address_empty"),
        ("   ", "email.address_empty"),
        ("a@b.c\r\nBcc: x@y.z", "email.address_control"),
        ("marie@example.com\nBcc: x@example.org", "email.address_control"),
        ("marie@example.com\r", "email.address_control"),
        ("marie\x00@example.com", "email.address_control"),
        ("marie@example.com\t", "email.address_control"),
        ("marie\u200b@example.com", "email.address_control"),  # zero-width space from a copy-paste
        ("marie@example.com\u2028", "email.address_control"),
        ("Marie <marie@example.com>", "email.address_display_name"),
        ("marie@example.com <attacker@example.org>", "email.address_display_name"),
        ("<marie@example.com>", "email.address_display_name"),
        ('"marie@example.com"@example.org', "email.address_invalid"),
        ("marie@example.com,attacker@example.org", "email.address_invalid"),
        ("marie@example.com;attacker@example.org", "email.address_invalid"),
        ("attacker@example.org (marie@example.com)", "email.address_invalid"),
        ("marie@[192.0.2.1]", "email.address_invalid"),
        ("marie@@example.com", "email.address_invalid"),
        ("marie.example.com", "email.address_invalid"),
        ("marie@example", "email.address_invalid"),
        (".marie@example.com", "email.address_invalid"),
        ("ma rie@example.com", "email.address_invalid"),
        ("x" * 250 + "@example.com", "email.address_too_long"),
    ],
)
def test_bad_addresses_are_refused_with_a_clear_message(typed: str, key: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        validate_address(typed)
    assert refused.value.key == key
    for lang in ("en", "fr"):
        text = refused.value.text(lang)
        assert text != key and "\n" not in text and "\r" not in text and "\x00" not in text


def test_the_refused_address_is_named_made_visible_and_shortened() -> None:
    with pytest.raises(InvalidInput) as refused:
        validate_address("a@b.c\r\nBcc: x@y.z")
    assert "a@b.c��Bcc: x@y.z" in str(refused.value)
    assert "« a@b.c��Bcc: x@y.z »" in refused.value.text("fr")

    huge = "marie." + "x" * 400 + "@example.com"
    with pytest.raises(InvalidInput) as refused:
        validate_address(huge)
    shown = refused.value.params["address"]
    assert len(shown) <= 60 and shown.endswith("…") and shown.startswith("marie.xxx")
    assert "254" in str(refused.value)


@pytest.mark.parametrize("value", [None, 42])
def test_an_address_that_is_not_text_is_refused_as_empty(value: Any) -> None:
    with pytest.raises(InvalidInput) as refused:
        validate_address(value)
    assert refused.value.key == "email.address_empty"


# --- header values -----------------------------------------------------------------------------


def test_a_safe_header_value_is_returned_unchanged() -> None:
    value = "Réservation R-1042 – Balade en kayak : 1\u202f234,50\xa0€ 🛶"
    assert check_header_value("Subject", value) is value
    assert check_header_value("X-Deskpay-Booking", "R-1042") == "R-1042"


@pytest.mark.parametrize(
    "value",
    ["Hello\nBcc: x@y.z", "Hello\r\nBcc: x@y.z", "Hello\r", "Hel\x00lo", "a\tb"]
    + ["a\x1bb", "a\x7fb", "a\x85b", "a\u2028b", "a\u2029b"],
)
def test_line_breaks_and_control_characters_are_refused_naming_the_header(value: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_header_value("Subject", value)
    assert refused.value.key == "email.header_control"
    assert "“Subject”" in str(refused.value) and "« Subject »" in refused.value.text("fr")


def test_an_overlong_subject_is_refused() -> None:
    check_header_value("Subject", "x" * MAX_SUBJECT_LENGTH)
    with pytest.raises(InvalidInput) as refused:
        check_header_value("Subject", "x" * (MAX_SUBJECT_LENGTH + 1))
    assert refused.value.key == "email.subject_too_long"
    assert "251" in str(refused.value) and "250" in refused.value.text("fr")
    assert check_header_value("X-Note", "x" * 400) == "x" * 400
    with pytest.raises(InvalidInput):
        check_header_value("X-Note", "x" * 999)


# --- Message-ID --------------------------------------------------------------------------------


def test_message_ids_are_unique_and_carry_the_domain() -> None:
    first, second = make_message_id("kayaks-odet.fr"), make_message_id("kayaks-odet.fr")
    assert first != second
    assert first.startswith("<") and first.endswith("@kayaks-odet.fr>")
    assert make_message_id(" Bücher.DE. ").endswith("@xn--bcher-kva.de>")


@pytest.mark.parametrize(
    "domain", ["", " ", "kayaks odet.fr", "kayaks-odet.fr\r\nBcc: x", "-kayaks.fr", "a..b", "a@b.fr", "x" * 64 + ".fr"]
)
def test_a_bad_message_id_domain_is_refused(domain: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        make_message_id(domain)
    assert refused.value.key == "email.domain_invalid"


# --- building the message ----------------------------------------------------------------------


def test_the_message_is_multipart_alternative_in_utf8() -> None:
    args = mime_args()
    parsed = parse(build_mime(**args))
    assert parsed.get_content_type() == "multipart/alternative"
    text, html = parsed.iter_parts()
    assert (text.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    for part in (text, html):
        assert part.get_content_charset() == "utf-8"
        assert part["Content-Transfer-Encoding"] == "quoted-printable"
        assert part["MIME-Version"] is None
    assert text.get_content().replace("\r\n", "\n") == args["text"]
    assert html.get_content().replace("\r\n", "\n") == args["html"]
    assert parsed["MIME-Version"] == "1.0"


def test_headers_round_trip() -> None:
    args = mime_args()
    parsed = parse(build_mime(**args))
    assert parsed["Subject"] == args["subject"]
    assert parsed["Message-ID"] == args["message_id"]
    assert parsed["Date"].datetime == args["date"]
    assert str(parsed["Date"]) == "Tue, 10 Jun 2025 14:32:05 +0200"
    assert parsed["From"].addresses[0].display_name == "Kayaks de l'Odet"
    assert parsed["From"].addresses[0].addr_spec == "bonjour@kayaks-odet.fr"
    assert parsed["To"].addresses[0].addr_spec == "marie.dupont@example.com"
    assert parsed["Reply-To"].addresses[0].addr_spec == "resa@kayaks-odet.fr"
    assert parsed["Bcc"] is None and parsed["Cc"] is None


def test_unicode_names_and_subject_are_encoded_and_decode_back() -> None:
    args = mime_args(from_name="Kayaks de l'Île, « Odet » <Quimper>", to_name="Léa Müller-Ørsted")
    raw = build_mime(**args).as_bytes()
    raw.decode("ascii")  # every header encoded, every body quoted-printable: 7-bit clean
    assert b"=?utf-8?" in raw
    assert all(len(line) <= 78 for line in raw.split(b"\r\n"))
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Subject"] == args["subject"]
    assert parsed["From"].addresses[0].display_name == "Kayaks de l'Île, « Odet » <Quimper>"
    assert parsed["From"].addresses[0].addr_spec == "bonjour@kayaks-odet.fr"
    assert parsed["To"].addresses[0].display_name == "Léa Müller-Ørsted"


def test_the_same_inputs_give_the_same_bytes() -> None:
    first = build_mime(**mime_args()).as_bytes()
    assert build_mime(**mime_args()).as_bytes() == first
    other = build_mime(**mime_args(message_id="<other.1@kayaks-odet.fr>")).as_bytes()
    assert other != first
    boundary = email.message_from_bytes(first, policy=email.policy.default).get_boundary()
    assert boundary and boundary.startswith("=_deskpay_")


def test_an_internationalized_domain_is_sent_in_ascii() -> None:
    parsed = parse(build_mime(**mime_args(to="x@bücher.de")))
    assert parsed["To"].addresses[0].addr_spec == "x@xn--bcher-kva.de"


def test_a_non_ascii_local_part_switches_to_smtputf8() -> None:
    message = build_mime(**mime_args(to="léa@exemple.fr"))
    assert message.policy.utf8 is True
    # RFC 6532: headers travel as raw UTF-8, which an SMTPUTF8-aware client reads as such.
    parsed = email.message_from_string(message.as_bytes().decode("utf-8"), policy=email.policy.SMTPUTF8)
    assert parsed["To"].addresses[0].addr_spec == "léa@exemple.fr"
    assert parsed["Subject"] == mime_args()["subject"]
    assert build_mime(**mime_args()).policy.utf8 is False


def test_extra_headers_are_added_in_order() -> None:
    parsed = parse(build_mime(**mime_args(headers={"X-Deskpay-Booking": "R-1042", "Auto-Submitted": "auto-generated"})))
    assert parsed["X-Deskpay-Booking"] == "R-1042"
    assert parsed["Auto-Submitted"] == "auto-generated"
    names = [name for name, _ in parsed.items()]
    assert names.index("X-Deskpay-Booking") < names.index("Auto-Submitted")


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"to": "a@b.c\r\nBcc: x@y.z"}, "email.address_control"),
        ({"to": "marie@example.com\nBcc: attacker@example.org"}, "email.address_control"),
        ({"to": "Marie <marie@example.com>"}, "email.address_display_name"),
        ({"to": "marie@example.com, attacker@example.org"}, "email.address_invalid"),
        ({"from_addr": "bonjour@kayaks-odet.fr\r\nBcc: x@y.z"}, "email.address_control"),
        ({"reply_to": "resa@kayaks-odet.fr\nBcc: x@y.z"}, "email.address_control"),
        ({"reply_to": ""}, "email.address_empty"),
        ({"subject": "Reçu\nBcc: attacker@example.org"}, "email.header_control"),
        ({"subject": "Reçu\r\n\r\n<html>"}, "email.header_control"),
        ({"subject": "Reçu\x00"}, "email.header_control"),
        ({"subject": "x" * 251}, "email.subject_too_long"),
        ({"from_name": "Kayaks\r\nBcc: attacker@example.org"}, "email.header_control"),
        ({"to_name": "Marie\nBcc: attacker@example.org"}, "email.header_control"),
        ({"headers": {"X-Booking": "R-1042\r\nBcc: attacker@example.org"}}, "email.header_control"),
        ({"headers": {"Bcc": "attacker@example.org"}}, "email.header_reserved"),
        ({"headers": {"subject": "Other"}}, "email.header_reserved"),
        ({"headers": {"X-Bad:Name": "v"}}, "email.header_name_invalid"),
        ({"headers": {"X-Bad\nName": "v"}}, "email.header_name_invalid"),
        ({"message_id": "no-brackets@kayaks-odet.fr"}, "email.message_id_invalid"),
        ({"message_id": "<a@b>\r\nBcc: x@y.z"}, "email.message_id_invalid"),
        ({"message_id": "<a b@c>"}, "email.message_id_invalid"),
    ],
)
def test_header_injection_and_bad_values_are_refused(changes: dict[str, Any], key: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        build_mime(**mime_args(**changes))
    assert refused.value.key == key


def test_a_naive_date_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        build_mime(**mime_args(date=datetime(2025, 6, 10, 14, 32)))


def test_no_reply_to_means_no_header() -> None:
    assert parse(build_mime(**mime_args(reply_to=None)))["Reply-To"] is None
