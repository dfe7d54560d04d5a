"""Sends replies by SMTP with aiosmtplib, one connection per batch of messages.

Errors reach callers as Parley's types only:

    SendError(permanent=False)  server down, refused connection, timeout, 4xx: retry later
    SendError(permanent=True)   5xx for the recipient or the message: retrying will not help
      SmtpConfigError           login refused, TLS or AUTH not offered: fix the settings

The connection is always closed (QUIT when the server still talks, then close), including
after a refused login, so no transport is left open on either side.
"""

from __future__ import annotations

from collections.abc import Sequence
from email.message import EmailMessage

import aiosmtplib

from channels.base import OutboundMessage, SendError
from channels.mime import build_email

__all__ = ["SmtpConfigError", "SmtpSender"]


class SmtpConfigError(SendError):
    """The SMTP settings are wrong (credentials, TLS mode); a person must fix them."""

    def __init__(self, message: str) -> None:
        super().__init__(message, permanent=True)


class SmtpSender:
    """A `Sender` for email; `send` returns the Message-ID it put on the message."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        from_address: str,
        reply_to: str | None = None,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        use_tls: bool = False,
        timeout: float = 30,
        local_hostname: str | None = None,
    ) -> None:
        if starttls and use_tls:
            raise ValueError(
                "choose one of STARTTLS (PARLEY_SMTP_STARTTLS, port 587) and implicit TLS "
                "(PARLEY_SMTP_TLS, port 465), not both"
            )
        self.host = host
        self.port = port
        self.from_address = from_address
        self.reply_to = reply_to
        self.username = username
        self.password = password
        self.starttls = starttls
        self.use_tls = use_tls
        self.timeout = timeout
        self.local_hostname = local_hostname

    async def send(self, message: OutboundMessage) -> str:
        """Send one message and return its Message-ID.

        Raises:
            SmtpConfigError: login refused or the server lacks AUTH/STARTTLS.
            SendError: the send failed; `permanent` says whether a retry can help.
        """
        [result] = await self.send_batch([message])
        if isinstance(result, SendError):
            raise result
        return result

    async def send_batch(self, messages: Sequence[OutboundMessage]) -> list[str | SendError]:
        """Send several messages over one connection; one result per message, in order.

        A busy outbox pays for the TCP, TLS and AUTH handshakes once instead of per message.
        A message the server refuses does not stop the others; a lost connection fails the rest
        with a transient error so they are retried.
        """
        built: list[EmailMessage | SendError] = []
        for message in messages:
            try:
                built.append(
                    build_email(message, from_address=self.from_address, reply_to=self.reply_to)
                )
            except ValueError as exc:
                built.append(SendError(f"cannot build the email: {exc}", permanent=True))
        results: list[str | SendError] = []
        client = aiosmtplib.SMTP(
            hostname=self.host,
            port=self.port,
            use_tls=self.use_tls,
            start_tls=self.starttls,
            timeout=self.timeout,
            local_hostname=self.local_hostname,
        )
        try:
            # Login inside `async with` (not in connect) so a refused login still ends in QUIT.
            async with client:
                if self.username:
                    await client.login(self.username, self.password or "")
                for email in built:
                    if isinstance(email, SendError):
                        results.append(email)
                        continue
                    try:
                        errors, _ = await client.send_message(email)
                    except (
                        aiosmtplib.SMTPRecipientsRefused,
                        aiosmtplib.SMTPResponseException,
                    ) as exc:
                        results.append(self._error(exc))
                        continue
                    if errors:
                        # Only reachable with several recipients; Parley sends to one.
                        detail = "; ".join(
                            f"{to}: {r.code} {r.message}" for to, r in errors.items()
                        )
                        results.append(
                            SendError(f"some recipients refused: {detail}", permanent=True)
                        )
                        continue
                    results.append(str(email["Message-ID"]))
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            error = self._error(exc)
            results.extend(error for _ in range(len(built) - len(results)))
        finally:
            client.close()
        return results

    def _error(self, exc: BaseException) -> SendError:
        if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
            return SmtpConfigError(
                f"the SMTP server at {self.host}:{self.port} refused the login "
                f"({exc.code} {exc.message}); check PARLEY_SMTP_USER and PARLEY_SMTP_PASSWORD"
            )
        if isinstance(exc, aiosmtplib.SMTPNotSupported):
            return SmtpConfigError(
                f"the SMTP server at {self.host}:{self.port} does not support what the "
                f"settings ask for ({exc}); check PARLEY_SMTP_STARTTLS, PARLEY_SMTP_TLS and "
                "PARLEY_SMTP_USER"
            )
        if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
            refusals = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in exc.recipients)
            permanent = all(r.code >= 500 for r in exc.recipients)
            return SendError(f"recipient refused: {refusals}", permanent=permanent)
        if isinstance(exc, aiosmtplib.SMTPResponseException):
            return SendError(
                f"the SMTP server answered {exc.code} {exc.message}", permanent=exc.code >= 500
            )
        return SendError(
            f"could not reach the SMTP server at {self.host}:{self.port}: {exc}", permanent=False
        )
