"""``deskpay links``: list, cancel, regenerate, show as QR; and its errors."""

from __future__ import annotations

from tests.support.cli import run, run_json, snapshot, unpaid_reference


def test_links_list_cancel_regenerate_qr(cli_env):
    reference = unpaid_reference()
    link = run_json("collect", reference, "--amount", "15", "--mode", "online", "--no-email")["links"][0]
    listed = run_json("links", "list", reference, "--status", "open")["links"]
    assert link["id"] in [item["id"] for item in listed]
    qr = run("links", "qr", str(link["id"])).stdout
    assert "█" in qr and link["url"] in qr
    cancelled = run_json("links", "cancel", str(link["id"]), "--reason", "changed plans")["link"]
    assert cancelled["status"] == "cancelled" and cancelled["status_reason"] == "changed plans"
    before = snapshot()
    again = run("links", "cancel", str(link["id"]), ok=False)
    assert again.exit_code == 1 and "cancelled" in again.stderr
    assert run("links", "qr", str(link["id"]), ok=False).exit_code == 1
    assert snapshot() == before
    fresh = run_json("links", "regenerate", str(link["id"]))["links"][0]
    assert fresh["amount"] == link["amount"] and fresh["status"] == "open" and fresh["id"] != link["id"]


def test_links_errors(cli_env):
    before = snapshot()
    assert "No payment link #99999" in run("links", "cancel", "99999", ok=False).stderr
    assert "Unknown status" in run("links", "list", "--status", "bogus", ok=False).stderr
    assert "No booking" in run("links", "list", "R-2000-000001", ok=False).stderr
    assert snapshot() == before
