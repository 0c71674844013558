"""The demo business's identity (name, address, locale…), read from ``data/business.toml``.

Apart from ``demo`` (which imports the models to write bookings) so that
``deskpay demo`` builds its settings without loading the ORM before the
first screen.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from deskpay import paths


def business_overrides(data_dir: Path | None = None) -> dict[str, Any]:
    """Settings of the demo business (name, address, locale...), to build the demo's Settings from."""
    data = tomllib.loads(((data_dir or paths.demo_data_dir()) / "business.toml").read_text(encoding="utf-8"))
    keys = {
        "name": "business_name",
        "address": "business_address",
        "phone": "business_phone",
        "email": "business_email",
        "signature": "business_signature",
        "reply_to": "smtp_reply_to",
        "currency": "currency",
        "locale": "locale",
        "timezone": "timezone",
    }
    return {target: str(data[source]).strip() for source, target in keys.items() if source in data}
