"""Downloads of personal data: made when clicked, only for a live session, gone from the server seconds later.

Streamlit serves a download button's bytes at `/media/<id>` to anyone who has the address, without the
session cookie, and keeps them until two more script runs (of any session) have ended after nobody
draws the button: a backup stayed fetchable 105 s after logout, and minutes after the browser closed.
So personal data (the backup, a subject-access document, lists with names) goes through
`personal_download`: the file is made only when the button is pressed (Streamlit's deferred download:
before that there is nothing at any address), only while the session that drew the button is still
live, and `EXPIRE_SECONDS` later it is swept out of Streamlit's media store.
"""
from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

import streamlit as st
from streamlit import runtime
from streamlit.delta_generator import DeltaGenerator

from crm_app.access import audit, sessions
from crm_app.ui import session
from crm_app.ui.resources import get_store

# The browser fetches the file at once; a copy left for later is what this prevents.
EXPIRE_SECONDS = float(os.environ.get("CRM_DOWNLOAD_EXPIRE_SECONDS", "10"))
log = logging.getLogger(__name__)


class SessionGone(Exception):
    """The session that drew the button has ended: no file is made."""


def personal_download(label: str, make: Callable[[], bytes], file_name: str, mime: str, key: str, *,
                      audit_action: str | None = None, where: DeltaGenerator | None = None) -> None:
    """A download button whose file is made by `make()` at the click and removed EXPIRE_SECONDS later;
    with `audit_action`, each download is an audit event of the user who drew the button."""
    token, actor, store = session.current_token(), session.actor(), get_store()

    def deferred() -> bytes:
        if not sessions.is_live(store, token):
            raise SessionGone()
        data = make()
        if audit_action:
            store.write(lambda cur: audit.record(cur, actor, audit_action))
        _expire_later()
        return data

    (where or st).download_button(label, deferred, file_name=file_name, mime=mime, key=key, on_click="ignore")


def _expire_later() -> None:
    timer = threading.Timer(EXPIRE_SECONDS, sweep)
    timer.daemon = True
    timer.start()


def sweep() -> None:
    """Remove every download file no session draws any more. Streamlit marks such a file at one pass and
    deletes it at the next, so two passes delete it now."""
    if not runtime.exists():
        return
    manager = runtime.get_instance().media_file_mgr
    manager.remove_orphaned_files()
    manager.remove_orphaned_files()
    log.info("expired personal-data downloads swept")
