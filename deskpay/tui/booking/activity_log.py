"""The booking's activity log: who did what, when — newest first, in the operator's language."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable

from deskpay.domain.dates import format_short
from deskpay.domain.i18n import Section
from deskpay.domain.money import Money
from deskpay.domain.payments import method_label
from deskpay.services.bookings.views import AuditView

LABELS = Section("ui.history")


def _money(value: Any, lang: str) -> str:
    if isinstance(value, dict) and "amount" in value and "currency" in value:
        try:
            return Money(int(value["amount"]), str(value["currency"])).format(lang)
        except Exception:  # a malformed old entry is shown raw rather than hiding the log
            return str(value)
    return "" if value is None else str(value)


def describe(event: AuditView, lang: str) -> str:
    """One line for one audit event; an action we do not know is shown by its name."""
    d = event.details
    action = event.action
    try:
        if action == "booking.create":
            return LABELS(action, lang, participants=d.get("participants", "?"), total=_money(d.get("total"), lang))
        if action == "booking.edit":

            def side(values: dict) -> str:
                return (
                    f"{LABELS('people', lang, n=values.get('participants', '?'))}, {_money(values.get('total'), lang)}"
                )

            return LABELS(action, lang, before=side(d.get("before", {})), after=side(d.get("after", {})))
        if action == "customer.edit":
            before, after = d.get("before", {}), d.get("after", {})
            changes = ", ".join(
                f"{key} {before.get(key) or '—'} → {after.get(key) or '—'}"
                for key in ("name", "email", "phone")
                if before.get(key) != after.get(key)
            )
            return LABELS(action, lang, changes=changes or "—")
        if action == "link.create":
            links = "; ".join(
                " ".join(
                    part
                    for part in (
                        _money(link.get("amount"), lang),
                        f"({link['label']})" if link.get("label") else "",
                        f"→ {link['to']}" if link.get("to") else "",
                    )
                    if part
                )
                for link in d.get("links", [])
            )
            return LABELS(action, lang, links=links)
        if action in ("link.cancel", "link.declined"):
            return LABELS(action, lang, link_id=d.get("link_id", "?"), amount=_money(d.get("amount"), lang))
        if action == "link.email":
            return LABELS(action, lang, link_id=d.get("link_id", "?"), to=d.get("to", "?"))
        if action == "link.expire":
            return LABELS(action, lang, ids=", ".join(str(i) for i in d.get("links", [])))
        if action == "link.failed":
            return LABELS(action, lang, errors="; ".join(str(x.get("error", "")) for x in d.get("links", [])))
        if action == "payment.record":
            method = d.get("method", "")
            return LABELS(action, lang, amount=_money(d.get("amount"), lang), method=method_label(method, lang))
        if action == "payment.online":
            return LABELS(action, lang, amount=_money(d.get("amount"), lang), link_id=d.get("link_id", "?"))
        if action in ("confirmation.send", "email.retry"):
            return LABELS(action, lang, to=d.get("to", "?"))
    except (AttributeError, KeyError, TypeError, ValueError):
        pass
    return action


class ActivityLog(DataTable):
    """The history of one booking, newest first."""

    def __init__(self, lang: str, tz: ZoneInfo, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.lang, self.tz = lang, tz

    def on_mount(self) -> None:
        self._add_columns(what_width=0)

    def _add_columns(self, what_width: int) -> None:
        """Every column at a width set here: DataTable measures an automatic one only when idle, after a
        frame may already have drawn (and cached) the header at its old width."""
        what = LABELS("what", self.lang)
        self.add_column(LABELS("when", self.lang), key="when", width=11)
        self.add_column(LABELS("who", self.lang), key="who", width=10)
        self.add_column(what, key="what", width=max(cell_len(what), what_width))

    def show(self, history: tuple[AuditView, ...]) -> None:
        rows = [
            (
                Text(format_short(event.created_at, self.tz, self.lang), no_wrap=True),
                Text(event.operator, no_wrap=True, overflow="ellipsis"),
                Text(describe(event, self.lang), no_wrap=True, overflow="ellipsis"),
            )
            for event in history
        ]
        self.clear(columns=True)
        self._add_columns(what_width=max((row[2].cell_len for row in rows), default=0))
        self.add_rows(rows)
