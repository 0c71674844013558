"""Payment links: opening them (reserve, ask the provider, finish), their life afterwards, sending them, QR codes."""

from __future__ import annotations
