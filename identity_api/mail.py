"""Outbound mail: RFC 5322 ``.eml`` files in ``MASTHEAD_OUTBOX``, or SMTP when ``MASTHEAD_SMTP_URL`` is set.

Mails carry confirmation links, so their bodies are never logged; the log says only that a mail of a given
kind went out.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
import ssl
import time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .config import Config
from .errors import ConfigError

log = logging.getLogger("identity_api.mail")


def build_message(config: Config, to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text UTF-8 message."""
    message = EmailMessage()
    message["From"] = config.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain="masthead.invalid")
    message.set_content(body)
    return message


def send(config: Config, to: str, subject: str, body: str, *, kind: str) -> None:
    """Deliver one mail; ``kind`` (e.g. ``confirm``) is what the log line records."""
    message = build_message(config, to, subject, body)
    if config.smtp_url:
        _send_smtp(config.smtp_url, message)
    else:
        _write_outbox(config.outbox, message)
    log.info("mail sent kind=%s", kind)


def _write_outbox(outbox: Path, message: EmailMessage) -> Path:
    outbox.mkdir(parents=True, exist_ok=True)
    path = outbox / f"{time.time_ns()}-{secrets.token_hex(4)}.eml"
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(message.as_bytes())
    tmp.replace(path)  # readers never see half a mail
    return path


def _send_smtp(url: str, message: EmailMessage) -> None:
    """``smtp://user:pass@host:587`` (STARTTLS) or ``smtps://user:pass@host:465`` (implicit TLS)."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ConfigError("MASTHEAD_SMTP_URL must look like smtp://user:pass@host:587 or smtps://...:465")
    context = ssl.create_default_context()
    if parts.scheme == "smtps":
        client = smtplib.SMTP_SSL(parts.hostname, parts.port or 465, context=context, timeout=10)
    else:
        client = smtplib.SMTP(parts.hostname, parts.port or 587, timeout=10)
    with client:
        if parts.scheme == "smtp" and parts.hostname not in ("localhost", "127.0.0.1"):
            client.starttls(context=context)
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)


def read_outbox(outbox: Path, limit: int = 50) -> list[dict]:
    """The newest outbox mails as ``{"to", "subject", "date", "body", "name"}`` (development page)."""
    if not outbox.is_dir():
        return []
    mails = []
    for path in sorted(outbox.glob("*.eml"), reverse=True)[:limit]:
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        body = message.get_body(preferencelist=("plain",))
        mails.append({"name": path.name, "to": message["To"], "subject": message["Subject"],
                      "date": message["Date"], "body": body.get_content() if body else ""})
    return mails
