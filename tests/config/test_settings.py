"""Settings: defaults, the TOML file named by DESKPAY_CONFIG_FILE, environment overrides, and secrets kept secret."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from deskpay.config import Settings, config_file_path, load_settings, secrets_file_path
from deskpay.domain.errors import InvalidInput
from deskpay.domain.money import Money
from deskpay.domain.terms import PaymentTerms


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def test_defaults_work_offline():
    s = Settings()
    assert (s.currency, s.locale, s.timezone, s.provider) == ("EUR", "fr", "Europe/Paris", "sandbox")
    assert s.terms() == PaymentTerms("deposit_percent", percent=30)
    assert s.ceiling() == Money(10_000_000, "EUR")
    assert s.link_validity() == timedelta(hours=24)
    assert s.stripe_api_key is None and s.smtp_password is None
    assert s.resolved_database_url().startswith("sqlite:///") and s.resolved_database_url().endswith("deskpay.sqlite3")


def test_paths_come_from_the_environment(config_file, secrets_file):
    assert config_file_path() == config_file
    assert secrets_file_path() == secrets_file


def test_toml_file_is_read_flat_and_in_tables(config_file, tmp_path):
    write(
        config_file,
        f"""
currency = "chf"
locale = "en"
timezone = "Europe/Zurich"
amount_ceiling = "5000.00"
link_validity_minutes = 60
data_dir = "{tmp_path / "data"}"
payment_terms = {{ kind = "deposit_fixed", amount = "50.00" }}

[business]
name = "Les Pagaies"
phone = "+33 4 00 00 00 00"

[smtp]
url = "smtp+starttls://desk@mail.example.com:587"
from = "desk@example.com"
""",
    )
    s = Settings()
    assert s.currency == "CHF"  # normalised to upper case
    assert (s.locale, s.timezone, s.business_name, s.business_phone) == (
        "en",
        "Europe/Zurich",
        "Les Pagaies",
        "+33 4 00 00 00 00",
    )
    assert s.smtp_url == "smtp+starttls://desk@mail.example.com:587" and s.smtp_from == "desk@example.com"
    assert s.terms() == PaymentTerms("deposit_fixed", fixed_minor=5_000)
    assert s.ceiling() == Money(500_000, "CHF")
    assert s.link_validity() == timedelta(hours=1)
    assert s.resolved_database_url() == f"sqlite:///{tmp_path / 'data' / 'deskpay.sqlite3'}"


def test_environment_overrides_the_file(config_file, monkeypatch):
    write(config_file, 'business_name = "From file"\nlocale = "en"\n')
    monkeypatch.setenv("DESKPAY_BUSINESS_NAME", "From env")
    s = Settings()
    assert s.business_name == "From env"
    assert s.locale == "en"


def test_init_arguments_override_everything(monkeypatch):
    monkeypatch.setenv("DESKPAY_LOCALE", "en")
    assert load_settings(locale="fr").locale == "fr"


def test_stripe_key_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_env")
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "whsec_env")
    s = Settings()
    assert s.stripe_api_key.get_secret_value() == "sk_test_env"
    assert s.stripe_webhook_secret.get_secret_value() == "whsec_env"
    assert "sk_test_env" not in repr(s) and "sk_test_env" not in str(s.model_dump())


def test_prefixed_stripe_key_also_works(monkeypatch):
    monkeypatch.setenv("DESKPAY_STRIPE_API_KEY", "sk_test_prefixed")
    assert Settings().stripe_api_key.get_secret_value() == "sk_test_prefixed"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ('stripe_api_key = "sk_live_x"', "stripe_api_key"),
        ('smtp_password = "hunter2"', "smtp_password"),
        ('[stripe]\nwebhook_secret = "whsec_x"', "stripe_webhook_secret"),
        ('[smtp]\npassword = "hunter2"', "smtp_password"),
        ('STRIPE_API_KEY = "sk_live_x"', "STRIPE_API_KEY"),
        ('DESKPAY_STRIPE_WEBHOOK_SECRET = "whsec_x"', "DESKPAY_STRIPE_WEBHOOK_SECRET"),
        ('SMTP_PASSWORD = "hunter2"', "SMTP_PASSWORD"),
    ],
)
def test_secrets_are_refused_in_the_config_file(config_file, text, name):
    write(config_file, text + "\n", mode=0o644)
    with pytest.raises(InvalidInput) as caught:
        Settings()
    assert caught.value.key == "config.secret_in_file"
    assert caught.value.text("en") == (
        f"{name} cannot be set in {config_file}: put secrets in the environment or in an owner-only secrets file."
    )


def test_owner_only_secrets_file_is_read(secrets_file):
    write(
        secrets_file,
        'stripe_api_key = "sk_test_file"\nstripe_webhook_secret = "whsec_file"\n'
        'smtp_password = "pw_file"\nbusiness_name = "ignored here"\n',
    )
    s = Settings()
    assert s.stripe_api_key.get_secret_value() == "sk_test_file"
    assert s.stripe_webhook_secret.get_secret_value() == "whsec_file"
    assert s.smtp_password.get_secret_value() == "pw_file"
    assert s.business_name == "Mon activité"  # the secrets file holds secrets only


def test_environment_beats_the_secrets_file(secrets_file, monkeypatch):
    write(secrets_file, 'stripe_api_key = "sk_test_file"\n')
    monkeypatch.setenv("STRIPE_API_KEY", "sk_test_env")
    assert Settings().stripe_api_key.get_secret_value() == "sk_test_env"


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660, 0o644, 0o700 | 0o004])
def test_secrets_file_readable_by_others_is_refused(secrets_file, mode):
    write(secrets_file, 'smtp_password = "pw"\n', mode=mode)
    with pytest.raises(InvalidInput) as caught:
        Settings()
    assert caught.value.key == "config.secrets_file_mode"
    assert caught.value.text("en") == (
        f"The secrets file {secrets_file} is readable by others: run chmod 600 {secrets_file}."
    )


def test_broken_toml_is_a_clear_refusal(config_file):
    write(config_file, "currency = \n")
    with pytest.raises(InvalidInput) as caught:
        Settings()
    assert caught.value.key == "config.bad_file"
    assert caught.value.text("en").startswith(f"Cannot read the configuration file {config_file}: ")


def test_unknown_currency_and_timezone_are_refused():
    with pytest.raises(InvalidInput, match="Unknown currency “XQZ”"):
        Settings(currency="XQZ")
    with pytest.raises(ValidationError, match="unknown timezone"):
        Settings(timezone="Mars/Olympus")


@pytest.mark.parametrize("minutes", [29, 24 * 60 + 1])
def test_link_validity_bounds(minutes):
    with pytest.raises(ValidationError):
        Settings(link_validity_minutes=minutes)


def test_shown_masks_secrets_and_url_passwords(monkeypatch, secrets_file, tmp_path):
    monkeypatch.setenv("STRIPE_API_KEY", "sk_live_supersecret")
    write(secrets_file, 'smtp_password = "hunter2"\n')
    s = Settings(
        smtp_url="smtps://desk:smtp-pass@mail.example.com:465",
        database_url="postgresql+psycopg://deskpay:db-pass@db.example.com/deskpay",
        data_dir=tmp_path,
    )
    shown = s.shown()
    assert shown["stripe_api_key"] == "********"
    assert shown["smtp_password"] == "********"
    assert shown["stripe_webhook_secret"] is None
    assert shown["smtp_url"] == "smtps://desk:********@mail.example.com:465"
    assert shown["database_url"] == "postgresql+psycopg://deskpay:********@db.example.com/deskpay"
    assert shown["data_dir"] == str(tmp_path)
    text = repr(shown)
    for secret in ("sk_live_supersecret", "hunter2", "smtp-pass", "db-pass"):
        assert secret not in text


def test_shown_leaves_urls_without_password_alone():
    s = Settings(smtp_url="smtp://mail.example.com:25", database_url="postgresql+psycopg://deskpay@db/deskpay")
    assert s.shown()["smtp_url"] == "smtp://mail.example.com:25"
    assert s.shown()["database_url"] == "postgresql+psycopg://deskpay@db/deskpay"


def test_sandbox_base_url():
    assert Settings().sandbox_base_url() == "http://127.0.0.1:8765"
    assert Settings(sandbox_bind="0.0.0.0:9000").sandbox_base_url() == "http://127.0.0.1:9000"
    assert Settings(sandbox_public_url="http://192.168.1.20:8765/").sandbox_base_url() == "http://192.168.1.20:8765"


def test_operator_name():
    assert Settings(operator="bob").operator_name() == "bob"
    assert Settings().operator_name()  # the OS user, never empty


def test_settings_are_built_on_call_not_at_import(config_file):
    write(config_file, 'business_name = "First"\n')
    assert Settings().business_name == "First"
    write(config_file, 'business_name = "Second"\n')
    assert Settings().business_name == "Second"


def test_secrets_file_accepts_the_environment_spelling(secrets_file):
    write(secrets_file, 'STRIPE_API_KEY = "sk_test_upper"\n[smtp]\npassword = "pw"\n')
    s = Settings()
    assert s.stripe_api_key.get_secret_value() == "sk_test_upper"
    assert s.smtp_password.get_secret_value() == "pw"
