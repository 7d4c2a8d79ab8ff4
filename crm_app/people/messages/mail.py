"""Email through the organisation's SMTP server (stdlib smtplib and email.message).

The settings are the `[smtp]` section of `.streamlit/secrets.toml` (or the file `CRM_SECRETS` names), read here
so that the app and the `crm` command use the same ones: host, port, username, password, sender, and
`starttls` (default true) or `ssl` (implicit TLS, port 465). Without a host and a sender no email is sent.

A failure is reported per message (a recipient refused) or for the whole batch (server down, login refused),
never logged with an address: the log says only the kind of error.
"""
from __future__ import annotations

import logging
import os
import smtplib
import ssl
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from pathlib import Path

from crm_app.core.errors import CrmError

SECRETS_ENV = "CRM_SECRETS"
DEFAULT_SECRETS = Path(".streamlit") / "secrets.toml"
TIMEOUT_SECONDS = 20
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    sender: str
    port: int = 587
    username: str | None = None
    password: str | None = None
    starttls: bool = True
    ssl: bool = False


def secrets_path() -> Path:
    return Path(os.environ.get(SECRETS_ENV) or DEFAULT_SECRETS)


def load_settings(path: Path | None = None) -> SmtpSettings | None:
    """The `[smtp]` section, or None when there is none (no file, no host or no sender)."""
    path = path or secrets_path()
    try:
        with path.open("rb") as source:
            section = tomllib.load(source).get("smtp") or {}
    except FileNotFoundError:
        return None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        log.warning("smtp settings unreadable: %s", type(exc).__name__)
        raise CrmError("smtp_settings_unreadable") from exc
    if not section.get("host") or not section.get("sender"):
        return None
    implicit = bool(section.get("ssl", False))
    return SmtpSettings(host=str(section["host"]), sender=str(section["sender"]),
                        port=int(section.get("port", 465 if implicit else 587)),
                        username=section.get("username") or None, password=section.get("password") or None,
                        starttls=bool(section.get("starttls", not implicit)) and not implicit, ssl=implicit)


def required_settings() -> SmtpSettings:
    settings = load_settings()
    if settings is None:
        raise CrmError("smtp_not_configured")
    return settings


def build(settings: SmtpSettings, to_name: str, to_address: str, subject: str, body: str, language: str,
          attachment: tuple[str, bytes] | None = None) -> EmailMessage:
    """A plain-text UTF-8 message with the language it is written in; an .ics goes along as text/calendar."""
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = formataddr((to_name, to_address))
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2].strip("> ") or None)
    message.set_content(body, charset="utf-8")
    if attachment is not None:
        filename, data = attachment
        message.add_attachment(data, maintype="text", subtype="calendar", filename=filename,
                               params={"method": "PUBLISH"})
    message["Content-Language"] = language     # after the content: setting it clears the Content-* headers
    return message


def send(settings: SmtpSettings, messages: Iterable[EmailMessage]) -> list[str]:
    """Send over one connection; per message "sent" or "refused" (the server refused the recipient), and
    "failed" for those not sent after the connection broke. Raises `message_send_failed` when no connection
    or login could be made (nothing was sent)."""
    messages = list(messages)
    try:
        server = _connect(settings)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("smtp connection failed: %s", type(exc).__name__)
        raise CrmError("message_send_failed") from exc
    results: list[str] = []
    with server:
        for message in messages:
            if results and results[-1] == "failed":
                results.append("failed")
                continue
            try:
                server.send_message(message)
                results.append("sent")
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
                log.warning("smtp refused a message: %s", type(exc).__name__)
                results.append("refused")
            except (OSError, smtplib.SMTPException) as exc:
                log.warning("smtp sending broke off: %s", type(exc).__name__)
                results.append("failed")
    return results


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    context = ssl.create_default_context()
    if settings.ssl:
        server = smtplib.SMTP_SSL(settings.host, settings.port, timeout=TIMEOUT_SECONDS, context=context)
    else:
        server = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_SECONDS)
    try:
        if settings.starttls:
            server.starttls(context=context)
        if settings.username:
            server.login(settings.username, settings.password or "")
    except BaseException:
        server.close()
        raise
    return server
