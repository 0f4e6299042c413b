"""Account emails: any SMTP relay named by ``SMTP_URL``, or the local outbox page.

``SMTP_URL`` is ``smtp://[user:password@]host[:port]`` (STARTTLS when the server offers it,
required with ``?tls=required``) or ``smtps://...`` (TLS from the start); SendGrid's relay is
``smtps://apikey:<key>@smtp.sendgrid.net:465``. Without it, the embedded default keeps the
mails in memory and shows them on ``/console/outbox`` so sign-up, verification and reset work
from the README's start command. A production setup without ``SMTP_URL`` cannot send mail:
the caller gets :class:`MailUnavailable` (a 503), never an outbox on the internet.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections import deque
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app

from ..core.clock import utcnow
from ..core.errors import LuneoError

log = logging.getLogger("luneo.mail")
OUTBOX_SIZE = 50


class MailUnavailable(LuneoError):
    status = 503
    code = "mail_unavailable"


@dataclass(frozen=True)
class OutboxMail:
    """A mail kept in the embedded default's outbox."""

    to: str
    subject: str
    body: str
    sent_at: str


def outbox_enabled() -> bool:
    """The local outbox replaces SMTP only on the embedded default without ``SMTP_URL``."""
    cfg = current_app.config
    return not cfg.get("SMTP_URL") and bool(cfg.get("EMBEDDED"))


def outbox() -> deque[OutboxMail]:
    """The embedded default's outbox, newest first."""
    return current_app.extensions.setdefault("luneo.outbox", deque(maxlen=OUTBOX_SIZE))


def send_mail(to: str, subject: str, body: str) -> None:
    """Send a plain-text mail, or keep it in the outbox; :class:`MailUnavailable` when the
    relay refuses or cannot be reached (the caller's request already committed its work)."""
    cfg = current_app.config
    if outbox_enabled():
        outbox().appendleft(OutboxMail(to, subject, body, utcnow().isoformat()))
        return
    url = cfg.get("SMTP_URL")
    if not url:
        raise MailUnavailable("Email is not configured on this server (SMTP_URL).")
    message = EmailMessage()
    message["From"] = cfg["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="luneo")
    message.set_content(body)
    try:
        _deliver(url, message, float(cfg.get("SMTP_TIMEOUT", 10)))
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("mail not sent: %s", type(exc).__name__)
        raise MailUnavailable(
            "The email could not be sent right now; try again in a minute.", status=503
        ) from exc


def _deliver(url: str, message: EmailMessage, timeout: float) -> None:
    parts = urlsplit(url)
    options = parse_qs(parts.query)
    host = parts.hostname or "localhost"
    if parts.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            host, parts.port or 465, timeout=timeout, context=ssl.create_default_context()
        )
    elif parts.scheme == "smtp":
        client = smtplib.SMTP(host, parts.port or 587, timeout=timeout)
    else:
        raise smtplib.SMTPException(f"unsupported SMTP_URL scheme {parts.scheme!r}")
    with client:
        client.ehlo()
        if parts.scheme == "smtp":
            if client.has_extn("starttls"):
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            elif options.get("tls") == ["required"]:
                raise smtplib.SMTPException("the relay does not offer STARTTLS")
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)
