"""Bookings: creating, editing and reading them, their customers and activities, the reservations list."""

from __future__ import annotations
