"""A real SMTP server on loopback (aiosmtpd) that keeps what arrived, and the secrets file that points the app at it.

Addresses at `refused.example` are refused at RCPT (as a real server refuses an unknown mailbox).
"""
from __future__ import annotations

import email
import socket
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller

SENDER = "Deelnemersnetwerken <netwerken@gemeente.example>"


@dataclass
class Inbox:
    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    secrets: Path | None = None
    port: int = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.endswith("@refused.example"):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content,
                                                                                 policy=policy.default)))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_secrets(path: Path, port: int) -> Path:
    path.write_text(f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsender = "{SENDER}"\nstarttls = false\n',
                    encoding="utf-8")
    return path


@contextmanager
def smtp_server(folder: Path):
    """Yields the Inbox; its `secrets` file names this server (set CRM_SECRETS to it)."""
    inbox = Inbox(port=free_port())
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    inbox.secrets = write_secrets(folder / "secrets.toml", inbox.port)
    try:
        yield inbox
    finally:
        controller.stop()
