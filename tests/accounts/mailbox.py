"""A real SMTP server (aiosmtpd) on a free local port that keeps what it receives."""

from __future__ import annotations

import email
import email.policy
import re
import socket
import threading
import time
from dataclasses import dataclass

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Mail:
    to: list[str]
    subject: str
    body: str

    def link(self, path: str) -> str:
        """The path and query of the first link to ``path`` in the body."""
        match = re.search(r"https?://[^/\s]+(" + re.escape(path) + r"\?token=[\w.\-]+)", self.body)
        assert match, f"no {path} link in: {self.body}"
        return match.group(1)

    def token(self) -> str:
        match = re.search(r"\?token=([\w.\-]+)", self.body)
        assert match, self.body
        return match.group(1)


class Mailbox:
    """The SMTP server's inbox; ``url`` is the ``SMTP_URL`` that reaches it."""

    def __init__(self) -> None:
        self.mails: list[Mail] = []
        self._lock = threading.Lock()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.url = f"smtp://127.0.0.1:{self.port}"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = message.get_body(("plain",))
        with self._lock:
            self.mails.append(
                Mail(list(envelope.rcpt_tos), str(message["Subject"]), body.get_content())
            )
        return "250 OK"

    def start(self) -> Mailbox:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def clear(self) -> None:
        with self._lock:
            self.mails.clear()

    def last(self, to: str, subject_has: str = "", timeout: float = 5.0) -> Mail:
        """The latest mail to ``to`` (waits briefly: delivery is asynchronous)."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                found = [
                    m for m in self.mails if to in m.to and subject_has.lower() in m.subject.lower()
                ]
            if found:
                return found[-1]
            if time.monotonic() > deadline:
                raise AssertionError(f"no mail to {to} ({subject_has!r}); got {self.mails}")
            time.sleep(0.02)
