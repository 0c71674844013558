"""A real SMTP server for the delivery tests: aiosmtpd on 127.0.0.1, an ephemeral port, in the test's loop.

:class:`MailServer` listens in plain SMTP, STARTTLS or implicit TLS (with a
certificate from a trustme CA made by the test), optionally requiring AUTH.
Its :class:`ScriptedHandler` records every accepted message and can be told
what to answer next: a 4xx or 5xx to a recipient or to the data, a dropped
connection at the next MAIL FROM. Tests await :meth:`ScriptedHandler.wait_for`
instead of sleeping.

The server runs in the test's own event loop (no thread), so stopping it,
restarting it on the same port, and counting connections are all plain awaits.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import ssl
import warnings
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any, Literal

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

Mode = Literal["plain", "starttls", "tls"]


@dataclass(frozen=True)
class Received:
    """One message the server accepted (answered 250 to its data)."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes
    connection: int
    """The number of the connection it came on (1 for the first one the server accepted)."""
    login: str | None
    tls: bool

    @property
    def message(self) -> EmailMessage:
        """The message parsed (line endings made Python's, so bodies compare with what was queued)."""
        return email.message_from_bytes(
            self.data.replace(b"\r\n", b"\n"),  # type: ignore[return-value]
            policy=email.policy.default,
        )

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


@dataclass
class ScriptedHandler:
    """Accepts everything unless told otherwise; what it is told applies once, in order."""

    received: list[Received] = field(default_factory=list)
    mail_replies: deque[str] = field(default_factory=deque)
    """Answers for the next MAIL FROM commands, e.g. ``"553 5.7.1 Sender not allowed"``."""
    rcpt_replies: deque[str] = field(default_factory=deque)
    """Answers for the next RCPT TO commands, e.g. ``"450 4.2.0 Mailbox busy"``."""
    data_replies: deque[str] = field(default_factory=deque)
    """Answers for the next DATA, e.g. ``"451 4.3.0 Try again later"`` (the message is then not recorded)."""
    refused_recipients: dict[str, str] = field(default_factory=dict)
    """Recipients always refused, with the reply: ``{"nobody@example.com": "550 5.1.1 No such user"}``."""
    drop_at_mail: deque[int] = field(default_factory=deque)
    """Drop the connection at MAIL FROM when the server has accepted this many messages in all."""
    hold: asyncio.Event | None = None
    """When set to an event, each accepted message is recorded and then its 250 waits for the event:
    a server that has the message but is slow to say so (or whose client dies meanwhile)."""
    connections: int = 0
    mail_commands: int = 0

    def __post_init__(self) -> None:
        self._changed = asyncio.Condition()
        self.data_started = asyncio.Event()
        """Set when a message's data has arrived (and been recorded, unless refused)."""

    async def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """Wait until ``count`` messages have been accepted; they are returned."""
        async with asyncio.timeout(timeout):
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.received) >= count)
        return list(self.received)

    def message_ids(self) -> list[str]:
        return [item.message_id for item in self.received]

    # aiosmtpd hooks -------------------------------------------------------------------------
    async def handle_MAIL(
        self, server: SMTP, session: Any, envelope: Any, address: str, mail_options: list[str]
    ) -> str:
        self.mail_commands += 1
        if self.drop_at_mail and self.drop_at_mail[0] <= len(self.received):
            self.drop_at_mail.popleft()
            assert server.transport is not None
            server.transport.abort()  # no reply at all, as when a server or a NAT box goes away
            return "421 4.4.2 connection dropped"  # never reaches the client
        if self.mail_replies:
            return self.mail_replies.popleft()
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refused_recipients:
            return self.refused_recipients[address]
        if self.rcpt_replies:
            return self.rcpt_replies.popleft()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Any, envelope: Any) -> str:
        if self.data_replies:
            self.data_started.set()
            return self.data_replies.popleft()
        login = session.auth_data.decode() if isinstance(session.auth_data, bytes) else session.auth_data
        item = Received(
            mail_from=envelope.mail_from,
            rcpt_tos=tuple(envelope.rcpt_tos),
            data=bytes(envelope.original_content or envelope.content),
            connection=session.number,
            login=login,
            tls=session.ssl is not None or getattr(session, "implicit_tls", False),
        )
        async with self._changed:
            self.received.append(item)
            self._changed.notify_all()
        number = len(self.received)
        self.data_started.set()
        if self.hold is not None:
            await self.hold.wait()  # stored, like a real server's queue, but the 250 is late
        return f"250 2.0.0 Queued as {number}"


class MailServer:
    """aiosmtpd listening on 127.0.0.1; ``url`` is what deskpay's ``smtp_url`` should say."""

    def __init__(
        self,
        handler: ScriptedHandler | None = None,
        *,
        mode: Mode = "plain",
        cert: Any = None,
        auth: tuple[str, str] | None = None,
    ) -> None:
        """``cert`` is a ``trustme.LeafCert`` (needed for STARTTLS and TLS); ``auth`` the one good login."""
        self.handler = handler or ScriptedHandler()
        self.mode = mode
        self.auth = auth
        self.port = 0
        self._server: asyncio.Server | None = None
        self._protocols: set[SMTP] = set()
        self._server_context: ssl.SSLContext | None = None
        if mode != "plain":
            if cert is None:
                raise ValueError(f"mode {mode!r} needs a certificate")
            self._server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            cert.configure_cert(self._server_context)

    @property
    def url(self) -> str:
        scheme = {"plain": "smtp", "starttls": "smtp+starttls", "tls": "smtps"}[self.mode]
        user = f"{self.auth[0]}@" if self.auth else ""
        return f"{scheme}://{user}127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    def _protocol(self) -> SMTP:
        self.handler.connections += 1
        number = self.handler.connections
        with warnings.catch_warnings():
            # Implicit TLS is invisible to aiosmtpd, which then warns that AUTH does not require TLS.
            warnings.simplefilter("ignore", UserWarning)
            protocol = _NumberedSMTP(
                self.handler,
                number=number,
                implicit_tls=self.mode == "tls",
                hostname="mail.test",
                tls_context=self._server_context if self.mode == "starttls" else None,
                require_starttls=self.mode == "starttls",
                auth_required=self.auth is not None,
                auth_require_tls=self.mode == "starttls",
                authenticator=self._authenticate if self.auth else None,
            )
        self._protocols.add(protocol)
        return protocol

    def _authenticate(self, server: SMTP, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        if isinstance(auth_data, LoginPassword) and self.auth is not None:
            if (auth_data.login.decode(), auth_data.password.decode()) == self.auth:
                return AuthResult(success=True, auth_data=auth_data.login)
        return AuthResult(success=False, handled=False)

    async def start(self) -> MailServer:
        """Listen (again on the same port after a :meth:`stop`, else on an ephemeral one)."""
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            self._protocol,
            "127.0.0.1",
            self.port,
            ssl=self._server_context if self.mode == "tls" else None,
            reuse_address=True,
        )
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        """Stop listening and cut every open connection (a server going down)."""
        if self._server is None:
            return
        self._server.close()
        for protocol in list(self._protocols):
            if protocol.transport is not None:
                protocol.transport.abort()
        self._protocols.clear()
        await self._server.wait_closed()
        self._server = None
        await asyncio.sleep(0)  # let the aborted connections' tasks see their end


class _NumberedSMTP(SMTP):
    """aiosmtpd's protocol, with its connection number and implicit TLS recorded in the session."""

    def __init__(self, handler: ScriptedHandler, *, number: int, implicit_tls: bool, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self._number = number
        self._implicit_tls = implicit_tls

    def _create_session(self) -> Any:
        session = super()._create_session()
        session.number = self._number
        session.implicit_tls = self._implicit_tls
        return session


@asynccontextmanager
async def mail_server(
    mode: Mode = "plain",
    *,
    cert: Any = None,
    auth: tuple[str, str] | None = None,
    handler: ScriptedHandler | None = None,
) -> AsyncIterator[MailServer]:
    """A started :class:`MailServer`, stopped on exit."""
    server = MailServer(handler, mode=mode, cert=cert, auth=auth)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def client_context(ca: Any) -> ssl.SSLContext:
    """A client context trusting only the test CA (a ``trustme.CA``)."""
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


# --- the outbox side: queue emails and read them back -----------------------------------------------


def queue_emails(
    desk: Any,
    count: int,
    *,
    to: str = "client{i}@example.com",
    subject: str = "Réservation n°{i}",
    kind: str = "receipt",
) -> list[int]:
    """Queue ``count`` emails through the outbox service (``{i}`` in ``to``/``subject`` is the number)."""
    from deskpay.services.emails.compose import Draft
    from deskpay.services.emails.outbox import queue_draft

    ids = []
    with desk.write() as session:
        for i in range(count):
            draft = Draft(
                kind,
                "fr",
                to.format(i=i),
                subject.format(i=i),
                f"Bonjour {i},\n\nMerci !\n",
                f"<p>Bonjour {i},</p><p>Merci !</p>\n",
            )
            message = queue_draft(
                session, desk.settings, draft, now=desk.now(), operator=desk.operator, booking_id=None, link_id=None
            )
            ids.append(message.id)
    return ids


def outbox(desk: Any) -> dict[int, Any]:
    """Every outbox row by id, read fresh."""
    from sqlalchemy import select

    from deskpay.store.models import EmailMessage

    with desk.read() as session:
        return {row.id: row for row in session.execute(select(EmailMessage)).scalars()}


def set_email(desk: Any, id_: int, **values: Any) -> None:
    """Write ``values`` straight into outbox row ``id_`` (a failure, a crash, a tampered row...)."""
    from sqlalchemy import update

    from deskpay.store.models import EmailMessage

    with desk.write() as session:
        session.execute(update(EmailMessage).where(EmailMessage.id == id_).values(**values))
