"""Settings: one object built once from defaults, a TOML file and ``DESKPAY_*`` variables.

Secrets (Stripe keys, SMTP password) are read only from the environment or
from a secrets file that only its owner can read; the TOML file cannot hold
them, and :meth:`Settings.shown` masks them.
"""

from __future__ import annotations

import getpass
import os
import stat
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from deskpay import paths
from deskpay.domain.errors import InvalidInput
from deskpay.domain.money import Money, currency_digits, parse_amount
from deskpay.domain.terms import PaymentTerms

SECRET_FIELDS = ("stripe_api_key", "stripe_webhook_secret", "smtp_password")


def config_file_path() -> Path:
    """``DESKPAY_CONFIG_FILE`` if set (tests and several installs), else the platform config dir."""
    override = os.environ.get("DESKPAY_CONFIG_FILE")
    return Path(override) if override else paths.user_config_dir() / "config.toml"


def secrets_file_path() -> Path:
    override = os.environ.get("DESKPAY_SECRETS_FILE")
    return Path(override) if override else paths.user_config_dir() / "secrets.toml"


class _TomlSource(PydanticBaseSettingsSource):
    """Reads config.toml, refusing secrets in it (they belong in the environment)."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path, *, secrets: bool) -> None:
        super().__init__(settings_cls)
        self.path, self.secrets = path, secrets

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:  # pragma: no cover - unused
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        if not self.path.is_file():
            return {}
        if self.secrets:
            mode = self.path.stat().st_mode
            if mode & (stat.S_IRWXG | stat.S_IRWXO):
                raise InvalidInput("config.secrets_file_mode", path=str(self.path))
        try:
            data = tomllib.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InvalidInput("config.bad_file", path=str(self.path), reason=str(exc)) from None
        flat = _flatten(data)
        if self.secrets:
            return {name: v for k, v in flat.items() if (name := _secret_name(k))}
        for key in flat:
            if _secret_name(key):
                raise InvalidInput("config.secret_in_file", name=key, path=str(self.path))
        return flat


def _secret_name(key: str) -> str | None:
    """The secret field ``key`` names however it is spelled (``STRIPE_API_KEY``, ``deskpay_smtp_password``)."""
    name = key.lower().removeprefix("deskpay_")
    return name if name in SECRET_FIELDS else None


def _flatten(data: dict[str, Any]) -> dict[str, Any]:
    """Allow ``[business] name = ...`` as well as ``business_name = ...``; keep payment_terms a table."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict) and key not in ("payment_terms", "activity_terms"):
            for sub, subvalue in value.items():
                flat[f"{key}_{sub}"] = subvalue
        else:
            flat[key] = value
    return flat


class Settings(BaseSettings):
    """Everything deskpay can be told, with the defaults that make it work offline."""

    # populate_by_name: the secrets file names stripe_api_key as the field, not by its STRIPE_API_KEY alias.
    model_config = SettingsConfigDict(
        env_prefix="DESKPAY_", extra="ignore", validate_default=True, populate_by_name=True
    )

    data_dir: Path | None = None
    """Where the SQLite database, mailbox and state live (default: the platform user data dir)."""
    database_url: str | None = None
    """Any SQLAlchemy URL; default SQLite in the data dir. PostgreSQL: postgresql+psycopg://user@host/db."""

    business_name: str = "Mon activité"
    business_address: str = ""
    business_phone: str = ""
    business_email: str = "contact@example.com"
    business_signature: str = ""
    currency: str = "EUR"
    """ISO 4217 code of the business's prices."""
    locale: Literal["fr", "en"] = "fr"
    """Language of the screens and of the business (customers have their own)."""
    timezone: str = "Europe/Paris"
    """Times are stored in UTC and shown in this zone."""
    payment_terms: dict[str, Any] = Field(default_factory=lambda: {"kind": "deposit_percent", "percent": 30})
    """Default terms: {kind="full"}, {kind="deposit_percent", percent=30} or {kind="deposit_fixed", amount="50.00"}."""
    amount_ceiling: str = "100000.00"
    """No single amount above this is accepted."""

    provider: Literal["sandbox", "stripe"] = "sandbox"
    link_validity_minutes: int = Field(default=24 * 60, ge=30, le=24 * 60)
    sandbox_bind: str = "127.0.0.1:8765"
    """host:port the sandbox checkout page listens on (0.0.0.0:8765 so a phone on the shop Wi-Fi can pay)."""
    sandbox_public_url: str | None = None
    """Base URL put in sandbox links, e.g. http://192.168.1.20:8765 (default: from sandbox_bind)."""

    stripe_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("STRIPE_API_KEY", "DESKPAY_STRIPE_API_KEY")
    )
    stripe_webhook_secret: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("STRIPE_WEBHOOK_SECRET", "DESKPAY_STRIPE_WEBHOOK_SECRET")
    )
    stripe_api_base: str | None = None
    """Override the Stripe API base (a local test server or a proxy)."""
    stripe_success_url: str = "https://example.com/merci"
    stripe_cancel_url: str = "https://example.com/annule"

    smtp_url: str | None = None
    """smtp://host:25, smtp+starttls://user@host:587 or smtps://user@host:465; unset: emails go to the mailbox folder."""
    smtp_password: SecretStr | None = None
    smtp_from: str = "reservations@example.com"
    smtp_from_name: str | None = None
    smtp_reply_to: str | None = None
    smtp_max_attempts: int = Field(default=8, ge=1, le=50)
    smtp_rate_per_minute: int = Field(default=0, ge=0)
    """0 means no limit."""

    receipt: Literal["receipt", "receipt_and_tickets", "none"] = "receipt"
    """What is emailed when a link is paid."""
    operator: str | None = None
    """Who is at the desk; default the OS user."""
    embedded_worker: bool = True
    """Run the background jobs inside the TUI (turn off when a separate `deskpay worker` runs)."""

    @classmethod
    def settings_customise_sources(
        cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings
    ):
        return (
            init_settings,
            env_settings,
            _TomlSource(settings_cls, secrets_file_path(), secrets=True),
            _TomlSource(settings_cls, config_file_path(), secrets=False),
        )

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        currency_digits(value.upper())
        return value.upper()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {value!r}") from None
        return value

    # Derived values, computed on call so that Settings stays plain data.
    def resolved_data_dir(self) -> Path:
        return self.data_dir or paths.user_data_dir()

    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.resolved_data_dir() / 'deskpay.sqlite3'}"

    def mailbox_dir(self) -> Path:
        return self.resolved_data_dir() / "mailbox"

    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def terms(self) -> PaymentTerms:
        return PaymentTerms.from_mapping(self.payment_terms, self.currency)

    def ceiling(self) -> Money:
        return parse_amount(self.amount_ceiling, self.currency, ceiling_minor=10**15)

    def link_validity(self) -> timedelta:
        return timedelta(minutes=self.link_validity_minutes)

    def operator_name(self) -> str:
        if self.operator:
            return self.operator
        try:
            return getpass.getuser()
        except (KeyError, OSError):
            return "desk"

    def sandbox_base_url(self) -> str:
        if self.sandbox_public_url:
            return self.sandbox_public_url.rstrip("/")
        host, _, port = self.sandbox_bind.rpartition(":")
        if host in ("0.0.0.0", "", "::"):
            host = "127.0.0.1"
        return f"http://{host}:{port}"

    def shown(self) -> dict[str, Any]:
        """The settings as `config show` prints them: secrets masked, derived paths filled in."""
        data = self.model_dump(mode="json")
        for name in SECRET_FIELDS:
            data[name] = "********" if getattr(self, name) else None
        data["database_url"] = _mask_url(self.resolved_database_url())
        if data.get("smtp_url"):
            data["smtp_url"] = _mask_url(data["smtp_url"])
        data["data_dir"] = str(self.resolved_data_dir())
        data["config_file"] = str(config_file_path())
        data["secrets_file"] = str(secrets_file_path())
        return data


def _mask_url(url: str) -> str:
    """Hide a password written inside a URL (user:secret@host)."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    creds, _, host = rest.rpartition("@")
    user, colon, _ = creds.partition(":")
    return f"{scheme}://{user}{':********' if colon else ''}@{host}"


def load_settings(**overrides: Any) -> Settings:
    return Settings(**overrides)
