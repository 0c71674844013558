"""Every CLI command fed hostile input: a clear one-line message or a correct result, never a traceback,
and nothing changed by a refusal."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.support.cli import run, run_json, snapshot

HOSTILE = {
    "empty": "",
    "blank": "   ",
    "huge number": "9" * 400,
    "arabic digits": "١٢٣",
    "negative": "-12",
    "exponent": "1e5",
    "crlf header": "12\r\nBcc: victim@example.com",
    "sql": "'; DROP TABLE booking; --",
    "emoji": "💶💶 🛶",
    "rtl override": "\u202eevil\u202c",
    "arabic text": "مرحبا بكم",
    "ten thousand": "x" * 10_000,
    "nul": "ab\x00cd",
    "like wildcards": "%_\\",
}


COMMANDS = {
    "list --search": lambda r, h: ["bookings", "list", "--search", h],
    "list --date": lambda r, h: ["bookings", "list", "--date", h],
    "show": lambda r, h: ["bookings", "show", h],
    "create --activity": lambda r, h: [
        "bookings",
        "create",
        "--activity",
        h,
        "--start",
        "2026-12-01T10:00",
        "--participants",
        "2",
        "--name",
        "A",
    ],
    "create --start": lambda r, h: [
        "bookings",
        "create",
        "--activity",
        "Canoë mini",
        "--start",
        h,
        "--participants",
        "2",
        "--name",
        "A",
    ],
    "create --name": lambda r, h: [
        "bookings",
        "create",
        "--activity",
        "Canoë mini",
        "--start",
        "2026-12-01T10:00",
        "--participants",
        "2",
        "--name",
        h,
    ],
    "create --email": lambda r, h: [
        "bookings",
        "create",
        "--activity",
        "Canoë mini",
        "--start",
        "2026-12-01T10:00",
        "--participants",
        "2",
        "--name",
        "A",
        "--email",
        h,
    ],
    "create --phone": lambda r, h: [
        "bookings",
        "create",
        "--activity",
        "Canoë mini",
        "--start",
        "2026-12-01T10:00",
        "--participants",
        "2",
        "--name",
        "A",
        "--phone",
        h,
    ],
    "create --total": lambda r, h: [
        "bookings",
        "create",
        "--activity",
        "Canoë mini",
        "--start",
        "2026-12-01T10:00",
        "--participants",
        "2",
        "--name",
        "A",
        "--total",
        h,
    ],
    "create --notes": lambda r, h: [
        "bookings",
        "create",
        "--activity",
        "Canoë mini",
        "--start",
        "2026-12-01T10:00",
        "--participants",
        "2",
        "--name",
        "A",
        "--notes",
        h,
    ],
    "collect REF": lambda r, h: ["collect", h, "--amount", "5", "--mode", "cash"],
    "collect --amount": lambda r, h: ["collect", r, "--amount", h, "--mode", "cash"],
    "collect --mode": lambda r, h: ["collect", r, "--amount", "5", "--mode", h],
    "collect --email": lambda r, h: ["collect", r, "--amount", "5", "--mode", "online", "--email", h],
    "collect --subject": lambda r, h: [
        "collect",
        r,
        "--amount",
        "5",
        "--mode",
        "online",
        "--email",
        "guest@example.com",
        "--subject",
        h,
    ],
    "split --amounts": lambda r, h: ["split", r, "--amounts", h, "--no-email"],
    "split --emails": lambda r, h: ["split", r, "--parts", "2", "--emails", f"a@example.com,{h}"],
    "split --labels": lambda r, h: ["split", r, "--parts", "2", "--labels", f"{h},B", "--no-email"],
    "split --amount": lambda r, h: ["split", r, "--parts", "2", "--amount", h, "--no-email"],
    "resend REF": lambda r, h: ["resend-confirmation", h],
    "resend --mode": lambda r, h: ["resend-confirmation", r, "--mode", h],
    "links list REF": lambda r, h: ["links", "list", h],
    "links list --status": lambda r, h: ["links", "list", "--status", h],
    "links qr": lambda r, h: ["links", "qr", h],
    "links cancel": lambda r, h: ["links", "cancel", h],
    "refund --amount": lambda r, h: ["refund", r, "--amount", h, "--method", "cash"],
    "operators add": lambda r, h: ["operators", "add", h, "--role", "manager"],
    "activities terms": lambda r, h: ["activities", "terms", h, "--full"],
}

# Inputs a command may accept as they are: free text may hold digits, emoji, quotes or
# SQL-looking words; it may not hold control or bidi-override characters, or be too long.
_TEXT = set(HOSTILE) - {"empty", "blank", "crlf header", "rtl override", "ten thousand", "nul"}
_OPTIONAL = {"empty", "blank"}  # an empty optional value means "not given"
ACCEPTABLE = {
    "list --search": set(HOSTILE),
    "create --name": _TEXT,
    "create --notes": _TEXT | _OPTIONAL | {"crlf header"},  # notes are several lines
    "split --labels": _TEXT | _OPTIONAL,
    "collect --subject": _TEXT | _OPTIONAL,
    "operators add": _TEXT,
    "create --email": _OPTIONAL,
    "create --phone": _OPTIONAL,
    "collect --email": _OPTIONAL,
    "split --emails": _OPTIONAL,
    "links list REF": _OPTIONAL,
}


@pytest.mark.parametrize("hostile", list(HOSTILE), ids=list(HOSTILE))
@pytest.mark.parametrize("command", list(COMMANDS), ids=list(COMMANDS))
def test_hostile_input_never_crashes_and_refusals_change_nothing(hostile_ref, command, hostile):
    before = snapshot()
    result = run(*COMMANDS[command](hostile_ref, HOSTILE[hostile]), ok=False)
    output = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in output and "unexpected error" not in output, output[:2000]
    assert result.exit_code in (0, 1, 2), (result.exit_code, output[:500])
    if result.exit_code == 0:
        assert hostile in ACCEPTABLE.get(command, set()), f"{command} accepted {hostile!r}: {result.stdout[:300]}"
        return
    assert snapshot() == before
    if result.exit_code == 1:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and 0 < len(lines[0]) <= 400, result.stderr[:600]


def test_accepted_text_is_stored_exactly(hostile_env):
    created = run_json(
        "bookings",
        "create",
        "--activity",
        "Canoë mini",
        "--start",
        "2026-12-01T10:00",
        "--participants",
        "2",
        "--name",
        "O'Brien 💶 مرحبا",
        "--notes",
        "'; DROP TABLE booking; --",
    )
    shown = run_json("bookings", "show", created["reference"])
    assert shown["customer"]["name"] == "O'Brien 💶 مرحبا"
    assert shown["notes"] == "'; DROP TABLE booking; --"
    assert run_json("bookings", "list", "--search", "O'Brien")["total_count"] >= 1


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=60))
def test_any_amount_text_is_a_result_or_a_clear_refusal(hostile_ref, text):
    """Whatever is typed as an amount: recorded exactly, or one line of explanation and nothing changed."""
    before = snapshot()
    result = run("collect", hostile_ref, "--amount", text, "--mode", "cash", "--json", ok=False)
    assert "Traceback" not in result.output
    if result.exit_code == 0:
        assert snapshot()["Payment"] == before["Payment"] + 1
    else:
        assert result.exit_code == 1 and len(result.stderr.strip().splitlines()) == 1
        assert snapshot() == before


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85", "\x1c", "\x0b", "\r\n", "\u202e"])
def test_echoed_input_never_breaks_the_one_line_message(hostile_env, separator):
    """Every character str.splitlines() breaks on, or that reorders text, is shown escaped."""
    result = run("collect", "R-2026-000001", "--amount", f"a{separator}b", "--mode", "cash", ok=False)
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert separator not in result.stderr
