"""Money: Encaisser, splits, the ledger of what is paid and pending, manager corrections."""

from __future__ import annotations
