"""Building the configured provider (Stripe is imported only when chosen)."""

from __future__ import annotations

from deskpay.config import Settings
from deskpay.domain.errors import ProviderError
from deskpay.services.providers.base import PaymentProvider
from deskpay.services.providers.sandbox import SandboxProvider


def make_provider(settings: Settings) -> PaymentProvider:
    if settings.provider == "stripe":
        if settings.stripe_api_key is None:
            raise ProviderError("stripe.no_key")
        from deskpay.services.providers.stripe import StripeProvider  # Stripe's SDK only for a Stripe desk

        return StripeProvider(
            api_key=settings.stripe_api_key.get_secret_value(),
            api_base=settings.stripe_api_base,
            success_url=settings.stripe_success_url,
            cancel_url=settings.stripe_cancel_url,
        )
    return SandboxProvider(settings.sandbox_base_url())
