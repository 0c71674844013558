"""The offline sandbox: links point at deskpay's own checkout page; nothing leaves the machine.

The state of a sandbox link lives in the database only; the checkout page
(and ``deskpay sandbox pay``) record payments through the same function as
Stripe's webhooks and polling.
"""

from __future__ import annotations

from deskpay.domain.links import MAX_VALIDITY, MIN_VALIDITY, RemoteState
from deskpay.services.providers.base import CreatedLink, LinkRequest, ProviderMode, RemoteStatus


class SandboxProvider:
    name = "sandbox"
    mode: ProviderMode = "sandbox"
    validity_window = (MIN_VALIDITY, MAX_VALIDITY)

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    async def create_link(self, request: LinkRequest) -> CreatedLink:
        return CreatedLink(
            provider_id=f"sbx_{request.link_id}",
            url=f"{self.base_url}/pay/{request.token}",
            expires_at=request.expires_at,
        )

    async def cancel_link(self, provider_id: str) -> None:
        """Nothing remote to cancel: the page reads the link's status from the database."""

    async def fetch_status(self, provider_id: str) -> RemoteStatus:
        return RemoteStatus(RemoteState.OPEN)

    async def aclose(self) -> None:
        pass
