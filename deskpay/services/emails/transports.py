"""Handing a built message over: to a mail server (SMTP) or, without one, to the mailbox folder.

A transport is used for one batch: ``send`` as many messages as there are,
then ``close``. :class:`SmtpTransport` keeps one connection for the whole
batch and reconnects once, on the spot, when the server has dropped a
connection it already used (idle timeouts, a per-connection message limit).

Every failure comes out as a :class:`SendError` that says what the delivery
worker should do with the message:

* ``permanent`` — the server refused this message for good (5xx, recipient
  unknown): mark it failed with the server's reply;
* otherwise transient — try again later; and with ``connection`` also set,
  the server could not be reached at all (refused, timeout, TLS, AUTH): the
  rest of the batch waits for the next turn instead of failing one by one.
"""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from deskpay.config import Settings
from deskpay.domain.errors import InvalidInput
from deskpay.services.emails.retry_policy import is_permanent

DEFAULT_TIMEOUT = 30.0
"""Seconds to wait for the server at each step (connect, each command, the data)."""
MAX_TIMEOUT = 60.0
"""A send takes at most about eight steps of this: well inside the delivery lease (10 minutes)."""
DEFAULT_PORTS = {"plain": 25, "starttls": 587, "tls": 465}
Security = Literal["plain", "starttls", "tls"]
SCHEMES: dict[str, Security] = {"smtp": "plain", "smtp+starttls": "starttls", "smtps": "tls"}


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message ready for the wire: the envelope and the exact bytes."""

    id: int
    message_id: str
    sender: str
    """The envelope sender (MAIL FROM): the From address."""
    recipient: str
    data: bytes
    """The whole message, CRLF line endings, as :func:`build_mime` made it."""
    smtputf8: bool
    """An address has a non-ASCII local part: the server must support SMTPUTF8."""
    created_at: datetime


class SendError(Exception):
    """The message was not handed over; ``reply`` is the server's answer or what went wrong."""

    def __init__(self, reply: str, *, permanent: bool = False, connection: bool = False) -> None:
        super().__init__(reply)
        self.reply = reply
        self.permanent = permanent
        self.connection = connection


class Transport(Protocol):
    """Where messages go. Used by one batch at a time, from one task."""

    name: str

    async def send(self, outgoing: Outgoing) -> str:
        """Hand the message over and return the server's answer; raise :class:`SendError` otherwise."""
        ...

    async def close(self) -> None: ...


# --- SMTP ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    """What ``smtp_url`` says, plus the password (kept out of repr)."""

    host: str
    port: int
    security: Security
    username: str | None = None
    password: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    cafile: str | None = None
    """A CA bundle to trust instead of the system's (a relay with its own certificate authority)."""

    def __repr__(self) -> str:
        user = f"{self.username}@" if self.username else ""
        return f"SmtpConfig({self.security}://{user}{self.host}:{self.port}, timeout={self.timeout})"

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


def parse_smtp_url(url: str, password: str | None = None) -> SmtpConfig:
    """Read ``smtp[s|+starttls]://[user[:password]@]host[:port][?timeout=30&cafile=/path/ca.pem]``.

    ``password`` (the ``smtp_password`` setting) wins over one written in the
    URL. Refuses unknown schemes and options with a message naming the problem.
    """
    shown = _masked(url)
    parts = urlsplit(url.strip())
    security = SCHEMES.get(parts.scheme.lower())
    if security is None:
        raise InvalidInput("smtp.bad_url", url=shown, reason=f"unknown scheme “{parts.scheme}”")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        raise InvalidInput("smtp.bad_url", url=shown, reason="the port is not a number") from None
    if not host:
        raise InvalidInput("smtp.bad_url", url=shown, reason="no host name")
    if parts.path not in ("", "/"):
        raise InvalidInput("smtp.bad_url", url=shown, reason="a mail server address has no path")
    options = parse_qs(parts.query, keep_blank_values=True)
    unknown = sorted(set(options) - {"timeout", "cafile"})
    if unknown:
        raise InvalidInput("smtp.bad_url", url=shown, reason=f"unknown option “{unknown[0]}” (known: timeout, cafile)")
    timeout = DEFAULT_TIMEOUT
    if "timeout" in options:
        try:
            timeout = float(options["timeout"][-1])
        except ValueError:
            timeout = -1.0
        if not 0 < timeout <= MAX_TIMEOUT:
            raise InvalidInput(
                "smtp.bad_url", url=shown, reason=f"timeout must be a number of seconds up to {MAX_TIMEOUT:g}"
            )
    cafile = options["cafile"][-1] if "cafile" in options else None
    username = unquote(parts.username) if parts.username else None
    url_password = unquote(parts.password) if parts.password else None
    return SmtpConfig(
        host=host,
        port=port or DEFAULT_PORTS[security],
        security=security,
        username=username,
        password=password if password is not None else url_password,
        timeout=timeout,
        cafile=cafile,
    )


class SmtpTransport:
    """One aiosmtplib connection, opened at the first message and reused for the batch."""

    name = "smtp"

    def __init__(
        self, config: SmtpConfig, *, tls_context: ssl.SSLContext | None = None, local_hostname: str | None = None
    ) -> None:
        self.config = config
        self._tls_context = tls_context
        self._local_hostname = local_hostname or _local_hostname()
        self._client: aiosmtplib.SMTP | None = None
        self._sent_on_connection = 0
        self.connections = 0
        """How many connections this transport opened (the benchmark and the tests read it)."""

    async def send(self, outgoing: Outgoing) -> str:
        for _ in range(2):
            reused = await self._connected()
            try:
                assert self._client is not None
                _errors, reply = await self._client.sendmail(
                    outgoing.sender,
                    [outgoing.recipient],
                    outgoing.data,
                    mail_options=["SMTPUTF8"] if outgoing.smtputf8 else None,
                )
            except aiosmtplib.SMTPRecipientsRefused as error:
                refusal = error.recipients[0] if error.recipients else None
                code = refusal.code if refusal is not None else 550
                reply = f"{code} {refusal.message}" if refusal is not None else str(error)
                raise SendError(reply, permanent=is_permanent(code)) from None
            except aiosmtplib.SMTPSenderRefused as error:
                # Refusing our From refuses every message alike (a relay that does not allow it):
                # the batch waits, and the messages go once the settings or the relay are fixed.
                raise SendError(f"{error.code} {error.message}", connection=True) from None
            except aiosmtplib.SMTPResponseException as error:
                reply = f"{error.code} {error.message}"
                if error.code == 421:  # the server is closing this connection: a new one may do
                    await self._drop()
                    if reused:
                        continue
                    raise SendError(reply, connection=True) from None
                raise SendError(reply, permanent=is_permanent(error.code)) from None
            except aiosmtplib.SMTPNotSupported as error:
                raise SendError(f"the mail server cannot take this message: {error.message}", permanent=True) from None
            except (aiosmtplib.SMTPException, OSError) as error:  # disconnected, timeout, reset
                await self._drop()
                if reused:
                    continue  # the server dropped a connection we had used: once more on a new one
                raise SendError(_describe(error, self.config), connection=True) from None
            except ValueError as error:  # an address aiosmtplib will not put in an envelope
                raise SendError(f"invalid address: {error}", permanent=True) from None
            self._sent_on_connection += 1
            return str(reply)
        raise AssertionError("unreachable")  # pragma: no cover

    async def close(self) -> None:
        """Say QUIT if the connection is still up; never raises."""
        client, self._client = self._client, None
        if client is None or not client.is_connected:
            return
        try:
            await client.quit()
        except Exception:
            client.close()

    async def _connected(self) -> bool:
        """Connect if needed; returns whether the connection had already carried a message."""
        if self._client is not None and self._client.is_connected:
            return self._sent_on_connection > 0
        await self._drop()
        self._client = await self._connect()
        self._sent_on_connection = 0
        return False

    async def _connect(self) -> aiosmtplib.SMTP:
        config = self.config
        context = self._tls_context
        if context is None and config.security != "plain":
            context = ssl.create_default_context(cafile=config.cafile)
        client = aiosmtplib.SMTP(
            hostname=config.host,
            port=config.port,
            timeout=config.timeout,
            local_hostname=self._local_hostname,
            use_tls=config.security == "tls",
            start_tls=config.security == "starttls",
            tls_context=context,
            username=config.username,
            password=config.password,
        )
        try:
            await client.connect()
        except aiosmtplib.SMTPAuthenticationError as error:
            client.close()
            raise SendError(
                f"the mail server refused the login {config.username!r}: {error.code} {error.message}", connection=True
            ) from None
        except aiosmtplib.SMTPResponseException as error:
            client.close()
            raise SendError(f"{error.code} {error.message}", connection=True) from None
        except (aiosmtplib.SMTPException, OSError) as error:
            client.close()
            raise SendError(_describe(error, config), connection=True) from None
        self.connections += 1
        return client

    async def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()


def _describe(error: BaseException, config: SmtpConfig) -> str:
    """What went wrong talking to the server, in one line an operator can pass on."""
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"TLS certificate of {config.address} not trusted: {error.verify_message or error}"
    if isinstance(error, ssl.SSLError):
        return f"TLS with {config.address} failed: {error}"
    if isinstance(error, (TimeoutError, aiosmtplib.SMTPTimeoutError)):
        return f"no answer from {config.address} within {config.timeout:g} s"
    if isinstance(error, aiosmtplib.SMTPServerDisconnected):
        return f"{config.address} closed the connection: {error}"
    if isinstance(error, aiosmtplib.SMTPConnectError):
        return f"cannot connect to {config.address}: {error}"
    if isinstance(error, ConnectionError):
        return f"connection to {config.address} lost: {error.strerror or error}"
    if isinstance(error, OSError):
        return f"cannot reach {config.address}: {error.strerror or error}"
    return f"{type(error).__name__}: {error}"


_HOSTNAME: str | None = None


def _local_hostname() -> str:
    # socket.getfqdn() can take seconds on a badly configured machine: ask once per process.
    global _HOSTNAME
    if _HOSTNAME is None:
        name = socket.getfqdn()
        _HOSTNAME = name if name and name.isascii() and "." in name else "deskpay.localdomain"
    return _HOSTNAME


def _masked(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if sep and "@" in rest:
        creds, _, host = rest.rpartition("@")
        user, colon, _ = creds.partition(":")
        return f"{scheme}://{user}{':********' if colon else ''}@{host}"[:120]
    return url[:120]


# --- Mailbox ------------------------------------------------------------------------------------


class MailboxTransport:
    """Without a mail server: each message becomes ``<time>-<id>.eml`` in the mailbox folder.

    The name comes from the message's queue time and id, so a message sent
    again (after a crash) replaces its own file instead of adding one. The file
    appears whole or not at all: written beside it, flushed, then renamed.
    """

    name = "mailbox"

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def send(self, outgoing: Outgoing) -> str:
        try:
            path = await asyncio.to_thread(self._write, outgoing)
        except OSError as error:
            raise SendError(
                f"cannot write to the mailbox {self.directory}: {error.strerror or error}", connection=True
            ) from None
        return f"written to {path}"

    async def close(self) -> None:
        return None

    @staticmethod
    def file_name(outgoing: Outgoing) -> str:
        return f"{outgoing.created_at:%Y%m%dT%H%M%S}Z-{outgoing.id:06d}.eml"

    def _write(self, outgoing: Outgoing) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        final = self.directory / self.file_name(outgoing)
        temporary = self.directory / f".{final.name}.{os.getpid()}.tmp"
        try:
            with open(temporary, "wb") as handle:
                handle.write(outgoing.data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, final)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        return final


def transport_factory(settings: Settings, *, tls_context: ssl.SSLContext | None = None) -> Callable[[], Transport]:
    """What the settings ask for: SMTP when ``smtp_url`` is set, else the mailbox folder.

    The URL is read now, so a mistake in it is reported when the worker starts.
    """
    if not settings.smtp_url:
        directory = settings.mailbox_dir()
        return lambda: MailboxTransport(directory)
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    config = parse_smtp_url(settings.smtp_url, password)
    return lambda: SmtpTransport(config, tls_context=tls_context)
