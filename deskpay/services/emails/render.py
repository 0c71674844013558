"""Turning an email kind, a language and a context into subject, text and HTML.

Templates live in ``templates/<lang>/<kind>.{subject,txt,html}.j2`` and get
strings already formatted by the services (amounts, dates): they only choose
words. This is the only module that imports jinja2; the TUI imports it lazily,
when an email is first rendered, so start-up stays fast.

The context every kind is rendered with::

    business: {name, address (multi-line, may be ""), signature (may be ""), email, phone}
    customer: {name}                      # may be "": the greeting then has no name
    booking:  {reference, activity, start, participants (int), total, paid, balance}
    link:     {url, amount, label, expires} | None   # confirmation, payment_link,
                                                      # balance_request, split_share
    deposit:  bool                        # confirmation: the link asks a deposit
    balance_after: str                    # link kinds: left to pay once the link is paid
    split:    {index, count} | None       # split_share
    message:  str                         # the operator's plain text, may be ""
    payment:  {amount, method, when} | None   # receipt
    tickets:  [{code, holder}] | None     # tickets; holder may be ""

"Fully paid" is decided by comparing formatted strings (``booking.paid ==
booking.total``, ``link.amount == booking.balance``), so the services must
format all amounts of one email the same way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup, escape

from deskpay.domain.errors import InvalidInput
from deskpay.domain.i18n import has, text
from deskpay.paths import templates_dir

KINDS: tuple[str, ...] = (
    "confirmation",
    "payment_link",
    "balance_request",
    "split_share",
    "receipt",
    "tickets",
)
"""Every kind of email deskpay sends; each has a subject, text and HTML template per language."""


def email_kind_label(kind: str, lang: str) -> str:
    """What an email is, for the operator reading the outbox (``demande de solde``)."""
    key = f"email.kind.{kind}"
    return text(key, lang) if has(key) else kind


LANGUAGES: tuple[str, ...] = ("fr", "en")
"""Languages the templates are written in."""

PARTS: tuple[str, ...] = ("subject", "txt", "html")
"""The three templates of a kind: ``<kind>.<part>.j2``."""

# Context keys the services may leave out: they are documented as "may be
# None/empty", so a missing one means "none" rather than a bug. Everything
# else is required and a missing key fails loudly (StrictUndefined).
OPTIONAL_CONTEXT: Mapping[str, Any] = {
    "message": "",
    "link": None,
    "split": None,
    "payment": None,
    "tickets": None,
}

_LINE_BREAKS = re.compile(r"\r\n|\r|\n")
# Line breaks of every kind (and tabs) with the spaces around them; not U+00A0/U+202F,
# which keep "250,00 €" together in French.
_SUBJECT_BREAKS = re.compile(r"[ \t]*[\r\n\t\v\f\x1c-\x1e\x85\u2028\u2029]+[ \t]*")
_LINK_SCHEMES = frozenset({"https", "http"})


@dataclass(frozen=True, slots=True)
class RenderedEmail:
    """The three parts of an email, ready to be put in a MIME message."""

    subject: str
    """One line, stripped, no CR/LF."""
    text: str
    """The plain-text part, ending with a newline."""
    html: str
    """The HTML part, a whole document with inline styles."""


def render_email(
    kind: str,
    lang: str,
    context: Mapping[str, Any],
    *,
    directory: Path | None = None,
) -> RenderedEmail:
    """Render the subject, text and HTML of ``kind`` in ``lang``.

    ``context`` holds already formatted strings (see the module docstring);
    ``message``, ``link``, ``split``, ``payment`` and ``tickets`` may be left out.
    ``directory`` overrides the shipped templates folder (tests).
    A missing required variable raises :class:`jinja2.UndefinedError`.
    """
    if kind not in KINDS:
        raise InvalidInput("email.unknown_kind", kind=_shorten(str(kind)), known=", ".join(KINDS))
    if lang not in LANGUAGES:
        raise InvalidInput("email.unknown_language", lang=_shorten(str(lang)), known=", ".join(LANGUAGES))
    values = {**OPTIONAL_CONTEXT, **context}
    _check_link(values.get("link"))
    env = _environment(str(directory or templates_dir()))
    subject, text, html = (env.get_template(f"{lang}/{kind}.{part}.j2").render(values) for part in PARTS)
    return RenderedEmail(
        subject=_one_line(subject),
        text=text.rstrip() + "\n",
        html=html.strip() + "\n",
    )


def nl2br(value: str) -> Markup:
    """Escape plain text for HTML and keep its line breaks as ``<br>``."""
    return Markup(_LINE_BREAKS.sub("<br>\n", str(escape(value))))


@lru_cache(maxsize=8)
def _environment(directory: str) -> jinja2.Environment:
    """One environment (and so one compiled-template cache) per templates folder."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        # Only the HTML part is markup; subjects and text parts are sent verbatim.
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html.j2",), disabled_extensions=(), default_for_string=False, default=False
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters["nl2br"] = nl2br
    return env


def _one_line(subject: str) -> str:
    # A line break in a subject would end the header: each one becomes a single space.
    return _SUBJECT_BREAKS.sub(" ", subject).strip(" ")


def _check_link(link: Any) -> None:
    """Refuse a link that is not http(s): it ends up in an ``href``."""
    if link is None:
        return
    url = link.get("url") if isinstance(link, Mapping) else getattr(link, "url", None)
    try:
        parts = urlsplit(url) if isinstance(url, str) else None
    except ValueError:  # e.g. an unclosed "[" in the host
        parts = None
    # No whitespace at all: the text part puts the link alone on its line.
    if (
        parts is None
        or parts.scheme.lower() not in _LINK_SCHEMES
        or not parts.netloc
        or not isinstance(url, str)
        or any(ch.isspace() or not ch.isprintable() for ch in url)
    ):
        shown = repr(url)[1:-1] if isinstance(url, str) else str(url)  # line breaks made visible
        raise InvalidInput("email.link_url_invalid", url=_shorten(shown))


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
