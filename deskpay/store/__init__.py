"""Persistence: SQLModel tables, engines and sessions, Alembic migrations. No Textual here."""
