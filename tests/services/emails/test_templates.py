"""Every email template, in French and English, rendered and carried through MIME.

Each kind is rendered with the kind of context the services pass (amounts
formatted with ``Money.format``), built into a message with ``build_mime``,
serialised, parsed back as a mail client would, and checked: structure,
subject, link, amounts, the operator's message escaped in HTML and verbatim in
text.
"""

from __future__ import annotations

import copy
import email
import email.policy
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from typing import Any

import jinja2
import pytest

from deskpay.domain.errors import InvalidInput
from deskpay.domain.money import Money
from deskpay.paths import templates_dir
from deskpay.services.emails.mime import build_mime
from deskpay.services.emails.render import (
    KINDS,
    LANGUAGES,
    PARTS,
    RenderedEmail,
    nl2br,
    render_email,
)

LINK_URL = "https://pay.example.com/c/pay_7Hq2?booking=R-1042&lang=fr"
OPERATOR_MESSAGE = 'Merci pour votre appel !\n<script>alert("x")</script> & <b>bonjour</b>\n\nÀ samedi, Claire'
LINK_KINDS = ("confirmation", "payment_link", "balance_request", "split_share")

# Amounts in minor units per kind: total, paid, balance, link amount, balance after the link.
AMOUNTS: dict[str, dict[str, int]] = {
    "confirmation": {"total": 123450, "paid": 0, "balance": 123450, "link": 37000, "after": 86450},
    "payment_link": {"total": 123450, "paid": 30000, "balance": 93450, "link": 25000, "after": 68450},
    "balance_request": {"total": 48000, "paid": 14400, "balance": 33600, "link": 20000, "after": 13600},
    "split_share": {"total": 48000, "paid": 12000, "balance": 36000, "link": 12000, "after": 24000},
    "receipt": {"total": 48000, "paid": 26000, "balance": 22000, "payment": 14000},
    "tickets": {"total": 48000, "paid": 48000, "balance": 0},
}

EXPECTED_SUBJECTS = {
    ("confirmation", "fr"): "Réservation R-1042 – Balade en kayak sur l'Odet : acompte à régler",
    ("confirmation", "en"): "Booking R-1042 – Kayak trip on the Odet: deposit due",
    ("payment_link", "fr"): "Lien de paiement de 250,00\xa0€ – réservation R-1042",
    ("payment_link", "en"): "Payment link for €250.00 – booking R-1042",
    ("balance_request", "fr"): "Solde à régler – réservation R-1042 (Balade en kayak sur l'Odet)",
    ("balance_request", "en"): "Balance due – booking R-1042 (Kayak trip on the Odet)",
    ("split_share", "fr"): "Votre part pour la réservation R-1042 (2/4) – Balade en kayak sur l'Odet",
    ("split_share", "en"): "Your share for booking R-1042 (2 of 4) – Kayak trip on the Odet",
    ("receipt", "fr"): "Reçu de votre paiement de 140,00\xa0€ – réservation R-1042",
    ("receipt", "en"): "Receipt for your payment of €140.00 – booking R-1042",
    ("tickets", "fr"): "Vos billets – Balade en kayak sur l'Odet, samedi 14 juin 2025 à 10:00 (R-1042)",
    ("tickets", "en"): "Your tickets – Kayak trip on the Odet, Saturday 14 June 2025 at 10:00 (R-1042)",
}

WORDS = {
    "fr": {
        "activity": "Balade en kayak sur l'Odet",
        "start": "samedi 14 juin 2025 à 10:00",
        "expires": "13 juin 2025 à 18:00",
        "when": "10 juin 2025 à 14:32",
        "method": "Carte bancaire",
    },
    "en": {
        "activity": "Kayak trip on the Odet",
        "start": "Saturday 14 June 2025 at 10:00",
        "expires": "13 June 2025 at 18:00",
        "when": "10 June 2025 at 14:32",
        "method": "Card",
    },
}


def eur(minor: int, lang: str) -> str:
    return Money(minor, "EUR").format(lang)


def make_context(kind: str, lang: str) -> dict[str, Any]:
    """The context the services would pass for ``kind``: every value already formatted."""
    amounts, words = AMOUNTS[kind], WORDS[lang]
    context: dict[str, Any] = {
        "business": {
            "name": "Kayaks de l'Odet",
            "address": "12 quai de l'Odet\n29000 Quimper",
            "signature": "Claire & Yann\nKayaks de l'Odet",
            "email": "bonjour@kayaks-odet.fr",
            "phone": "+33 2 98 00 00 00",
        },
        "customer": {"name": "Marie Dupont"},
        "booking": {
            "reference": "R-1042",
            "activity": words["activity"],
            "start": words["start"],
            "participants": 4,
            "total": eur(amounts["total"], lang),
            "paid": eur(amounts["paid"], lang),
            "balance": eur(amounts["balance"], lang),
        },
        "message": OPERATOR_MESSAGE,
    }
    if kind in LINK_KINDS:
        context["link"] = {
            "url": LINK_URL,
            "amount": eur(amounts["link"], lang),
            "label": "Acompte R-1042" if lang == "fr" else "Deposit R-1042",
            "expires": words["expires"],
        }
        context["balance_after"] = eur(amounts["after"], lang)
    if kind == "confirmation":
        context["deposit"] = True
    if kind == "split_share":
        context["split"] = {"index": 2, "count": 4}
    if kind == "receipt":
        context["payment"] = {"amount": eur(amounts["payment"], lang), "method": words["method"], "when": words["when"]}
    if kind == "tickets":
        context["tickets"] = [
            {"code": "K7F-29Q", "holder": "Marie Dupont"},
            {"code": "K7F-30R", "holder": "Paul Dupont"},
            {"code": "K7F-31S", "holder": ""},
            {"code": "K7F-32T", "holder": "Léa Martin"},
        ]
    return context


SHOWN_AMOUNTS = {
    "confirmation": ("total", "link", "after"),
    "payment_link": ("total", "paid", "link", "after"),
    "balance_request": ("total", "paid", "balance", "link", "after"),
    "split_share": ("total", "link", "after"),
    "receipt": ("payment", "total", "paid", "balance"),
    "tickets": (),  # fully paid: a ticket shows no amount
}


def expected_amounts(kind: str, lang: str) -> list[str]:
    return [eur(AMOUNTS[kind][name], lang) for name in SHOWN_AMOUNTS[kind]]


class _HtmlReader(HTMLParser):
    """Collects hrefs and visible text, and checks that tags close in order."""

    VOID = frozenset({"br", "meta", "hr", "img", "input", "link"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.text: list[str] = []
        self.stack: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.hrefs += [value or "" for name, value in attrs if name == "href"]
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def read_html(html: str) -> _HtmlReader:
    reader = _HtmlReader()
    reader.feed(html)
    reader.close()
    assert reader.stack == [], f"unclosed tags: {reader.stack}"
    return reader


def send_and_parse(rendered: RenderedEmail) -> email.message.EmailMessage:
    """Build the message the outbox would send, and read it back as a mail client does."""
    message = build_mime(
        message_id="<20250610143200.4242.1@kayaks-odet.fr>",
        date=datetime(2025, 6, 10, 14, 32, tzinfo=timezone(timedelta(hours=2))),
        from_addr="bonjour@kayaks-odet.fr",
        from_name="Kayaks de l'Odet",
        to="marie.dupont@example.com",
        to_name="Marie Dupont",
        reply_to="bonjour@kayaks-odet.fr",
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
    )
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    assert isinstance(parsed, email.message.EmailMessage)
    return parsed


def body(parsed: email.message.EmailMessage, subtype: str) -> str:
    part = parsed.get_body(preferencelist=(subtype,))
    assert part is not None and part.get_content_type() == f"text/{subtype}"
    assert part.get_content_charset() == "utf-8"
    return part.get_content().replace("\r\n", "\n")


def test_every_kind_has_its_three_templates_in_every_language() -> None:
    for lang in LANGUAGES:
        for kind in KINDS:
            for part in PARTS:
                assert (templates_dir() / lang / f"{kind}.{part}.j2").is_file(), f"{lang}/{kind}.{part}.j2"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_template_renders_into_a_sendable_message(kind: str, lang: str) -> None:
    context = make_context(kind, lang)
    rendered = render_email(kind, lang, context)
    parsed = send_and_parse(rendered)

    assert parsed.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in parsed.iter_parts()] == ["text/plain", "text/html"]
    assert parsed["Subject"] == EXPECTED_SUBJECTS[kind, lang] == rendered.subject
    text, html = body(parsed, "plain"), body(parsed, "html")
    reader = read_html(html)
    visible = "".join(reader.text)

    for part in (text, html, rendered.subject):
        assert "None" not in part and "{{" not in part and "{%" not in part
    assert f'<html lang="{lang}">' in html
    assert not reader.tags & {"script", "style", "link", "img", "iframe", "form"}, "no script, external CSS or image"

    # The operator's message: verbatim in text, escaped with its line breaks kept in HTML.
    assert OPERATOR_MESSAGE in text
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;bonjour&lt;/b&gt;" in html
    assert "Merci pour votre appel !<br>\n&lt;script&gt;" in html
    assert "<br>\n<br>\nÀ samedi, Claire" in html

    for amount in expected_amounts(kind, lang):
        assert amount in text, amount
        assert amount in visible, amount

    if kind in LINK_KINDS:
        assert LINK_URL in text.splitlines(), "the link sits alone on its line"
        assert reader.hrefs.count(LINK_URL) == 2, "a button and the plain link"
        assert LINK_URL in visible, "the address itself is visible"
        assert context["link"]["expires"] in text and context["link"]["expires"] in visible
    else:
        assert "https://" not in text
        assert all(href.startswith("mailto:") for href in reader.hrefs)

    for tag in ("Marie Dupont", "Kayaks de l'Odet", "+33 2 98 00 00 00", "29000 Quimper"):
        assert tag in text and tag in visible


@pytest.mark.parametrize("lang", LANGUAGES)
def test_tickets_list_every_participant_with_their_code(lang: str) -> None:
    rendered = render_email("tickets", lang, make_context("tickets", lang))
    for ticket in make_context("tickets", lang)["tickets"]:
        assert ticket["code"] in rendered.text and ticket["code"] in rendered.html
    assert "Participant 3" in rendered.text and "Participant 3" in rendered.html
    assert "Léa Martin" in rendered.text
    assert "https://" not in rendered.text, "fully paid: nothing to pay, no amount"

    context = make_context("tickets", lang)
    context["booking"].update(paid=eur(14400, lang), balance=eur(33600, lang))
    owing = render_email("tickets", lang, context)
    assert eur(33600, lang) in owing.text and eur(33600, lang) in owing.html


@pytest.mark.parametrize(
    ("lang", "fully_paid", "remaining"),
    [("fr", "entièrement réglée", "Reste à régler"), ("en", "fully paid", "Left to pay")],
)
def test_receipt_says_fully_paid_or_what_remains(lang: str, fully_paid: str, remaining: str) -> None:
    context = make_context("receipt", lang)
    partly = render_email("receipt", lang, context)
    assert f"{remaining} : " in partly.text or f"{remaining}: " in partly.text
    assert eur(22000, lang) in partly.text and fully_paid not in partly.text

    context["booking"].update(paid=eur(48000, lang), balance=eur(0, lang))
    settled = render_email("receipt", lang, context)
    assert fully_paid in settled.text and fully_paid in settled.html
    assert remaining not in settled.text


@pytest.mark.parametrize(
    ("lang", "full", "settled"),
    [("fr", "en régler le montant", "entièrement réglée"), ("en", "please pay €", "fully paid")],
)
def test_confirmation_asking_full_payment(lang: str, full: str, settled: str) -> None:
    context = make_context("confirmation", lang)
    context.update(deposit=False, balance_after=eur(0, lang))
    context["link"]["amount"] = context["booking"]["balance"]
    rendered = render_email("confirmation", lang, context)
    assert full in rendered.text and settled in rendered.text and settled in rendered.html
    assert "acompte" not in rendered.text.lower() and "deposit" not in rendered.text.lower()
    assert "acompte" not in rendered.subject.lower() and "deposit" not in rendered.subject.lower()


def test_empty_optional_business_fields_leave_no_gap() -> None:
    context = make_context("payment_link", "fr")
    context["business"].update(address="", signature="", phone="")
    context["customer"]["name"] = ""
    context["message"] = ""
    context["link"].update(label="", expires="")
    rendered = render_email("payment_link", "fr", context)
    assert rendered.text.startswith("Bonjour,\n\nVoici votre lien")
    assert "L'équipe Kayaks de l'Odet" in rendered.text
    assert "\n\n\n" not in rendered.text
    assert "Tél." not in rendered.text and "valable" not in rendered.text and "Objet" not in rendered.text
    assert "Tél." not in rendered.html and "Objet" not in rendered.html
    assert "The Kayaks de l&#39;Odet team" in render_email("payment_link", "en", context).html


@pytest.mark.parametrize("kind", KINDS)
def test_text_part_has_no_runs_of_blank_lines(kind: str) -> None:
    for lang in LANGUAGES:
        text = render_email(kind, lang, make_context(kind, lang)).text
        assert "\n\n\n" not in text.replace(OPERATOR_MESSAGE + "\n\n", "")
        assert text.endswith("\n") and not text.endswith("\n\n")


@pytest.mark.parametrize("kind", KINDS)
def test_a_missing_context_variable_raises(kind: str) -> None:
    context = make_context(kind, "fr")
    del context["booking"]["reference"]
    with pytest.raises(jinja2.UndefinedError):
        render_email(kind, "fr", context)


def test_a_missing_link_or_flag_raises_for_the_kinds_that_need_them() -> None:
    context = make_context("payment_link", "en")
    del context["link"]
    with pytest.raises(jinja2.UndefinedError):
        render_email("payment_link", "en", context)
    context = make_context("confirmation", "en")
    del context["deposit"]
    with pytest.raises(jinja2.UndefinedError):
        render_email("confirmation", "en", context)


def test_optional_keys_may_be_left_out() -> None:
    context = make_context("receipt", "en")
    del context["message"]
    rendered = render_email("receipt", "en", context)
    assert "Hello Marie Dupont,\n\nWe have received" in rendered.text


def test_unknown_kind_or_language_is_refused_with_a_message() -> None:
    with pytest.raises(InvalidInput) as refused:
        render_email("invoice", "fr", make_context("receipt", "fr"))
    assert refused.value.key == "email.unknown_kind"
    assert "invoice" in refused.value.text("fr") and "confirmation" in str(refused.value)
    with pytest.raises(InvalidInput) as refused:
        render_email("receipt", "de", make_context("receipt", "fr"))
    assert refused.value.key == "email.unknown_language"
    assert "de" in refused.value.text("fr") and "« de »" in refused.value.text("fr")
    with pytest.raises(InvalidInput):
        render_email("../fr/receipt", "fr", make_context("receipt", "fr"))


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "ftp://pay.example.com/x", "https:nohost", " https://pay.example.com/x", ""]
    + ["https://pay.example.com/x\nhttps://evil.example", "https://pay.example.com/a b", "https://[::1/x", None],
)
def test_a_link_that_is_not_a_web_address_is_refused(url: str) -> None:
    context = make_context("payment_link", "en")
    context["link"]["url"] = url
    with pytest.raises(InvalidInput) as refused:
        render_email("payment_link", "en", context)
    assert refused.value.key == "email.link_url_invalid"


def test_subject_is_one_stripped_line_even_with_line_breaks_in_values() -> None:
    context = make_context("receipt", "fr")
    context["booking"]["reference"] = "R-1042\r\nBcc: attacker@example.com"
    subject = render_email("receipt", "fr", context).subject
    assert "\r" not in subject and "\n" not in subject
    assert subject == subject.strip()
    assert "R-1042 Bcc: attacker@example.com" in subject


def test_values_are_escaped_in_html_but_not_in_text() -> None:
    context = make_context("payment_link", "en")
    context["customer"]["name"] = 'Tom <img src=x onerror="alert(1)">'
    rendered = render_email("payment_link", "en", context)
    assert "<img" not in rendered.html and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in rendered.html
    assert 'Hello Tom <img src=x onerror="alert(1)">,' in rendered.text
    assert "&lt;" not in rendered.text and "&amp;" not in rendered.text
    assert "Claire & Yann" in rendered.text


def test_nl2br_escapes_then_keeps_every_kind_of_line_break() -> None:
    assert nl2br("a<b>\r\nc\rd\ne & f") == "a&lt;b&gt;<br>\nc<br>\nd<br>\ne &amp; f"
    assert nl2br("") == ""


def test_environment_is_cached_per_templates_folder(tmp_path: Any) -> None:
    from deskpay.services.emails import render

    first = render._environment(str(templates_dir()))
    assert render._environment(str(templates_dir())) is first
    for lang in LANGUAGES:
        (tmp_path / lang).mkdir()
        for kind in KINDS:
            (tmp_path / lang / f"{kind}.subject.j2").write_text("S {{ booking.reference }}\n")
            (tmp_path / lang / f"{kind}.txt.j2").write_text("T {{ message }}")
            (tmp_path / lang / f"{kind}.html.j2").write_text("H {{ message }}")
    context = copy.deepcopy(make_context("receipt", "en"))
    rendered = render_email("receipt", "en", context, directory=tmp_path)
    assert rendered == RenderedEmail(
        subject="S R-1042",
        text=f"T {OPERATOR_MESSAGE}\n",
        html=(
            "H Merci pour votre appel !\n&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; "
            "&amp; &lt;b&gt;bonjour&lt;/b&gt;\n\nÀ samedi, Claire\n"
        ),
    )


def test_only_the_renderer_imports_jinja2() -> None:
    """The TUI imports the renderer lazily; the MIME builder and the package stay jinja-free."""
    code = (
        "import sys\n"
        "import deskpay.services.emails, deskpay.services.emails.mime\n"
        "assert 'jinja2' not in sys.modules, 'jinja2 imported too early'\n"
        "import deskpay.services.emails.render\n"
        "assert 'jinja2' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_confirmation_with_nothing_left_to_ask_has_no_link(lang) -> None:
    """A fully paid booking's confirmation says so, with no payment link and no button."""
    context = make_context("confirmation", lang)
    url = context["link"]["url"]
    context["link"] = None
    context["booking"]["paid"] = context["booking"]["total"]
    rendered = render_email("confirmation", lang, context)
    assert ("confirmée" if lang == "fr" else "confirmed") in rendered.subject
    assert ("entièrement réglée" if lang == "fr" else "fully paid") in rendered.text
    assert url not in rendered.text and url not in rendered.html
