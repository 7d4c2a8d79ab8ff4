"""Kiosk mode in the browser: no sidebar, no menu, big touch targets, right-to-left where the language is,
and a reset so the next visitor never sees the previous one's details.

The rights are dropped on the server (crm_app.access.kiosk, crm_app.access.sessions): what is hidden here
is only what the public should not tap. Like the cookie script in crm_app.ui.session, the one script here
holds nothing typed by anyone: a direction that is "rtl" or "ltr", quoted by json.dumps.
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable

import streamlit as st

from crm_app.core import i18n, settings
from crm_app.ui.resources import get_store

BODY_KEY = "kiosk_body"
PREFIX = "kiosk_"              # every session-state key of the kiosk screen starts with it
IDLE_SECONDS = 120             # a form left alone this long is cleared
CHECK_EVERY = 2.0

_CHROME = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stSidebarNav"], header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stMainMenu"],
[data-testid="stDecoration"], [data-testid="stStatusWidget"] { display: none !important; }
.st-key-kiosk_body { font-size: 1.2rem; }
.st-key-kiosk_body h1 { font-size: 2rem; overflow-wrap: break-word; hyphens: auto; }
.st-key-kiosk_body button { min-height: 3.5rem; }
.st-key-kiosk_body button p { font-size: 1.3rem; }
.st-key-kiosk_body [class*="st-key-kiosk_lang_"] button { min-height: 5rem; }
.st-key-kiosk_body [class*="st-key-kiosk_lang_"] button p { font-size: 1.6rem; }
.st-key-kiosk_body label p, .st-key-kiosk_body [data-testid="stMarkdownContainer"] p { font-size: 1.15rem; }
.st-key-kiosk_body input { min-height: 3rem; font-size: 1.2rem; }
.st-key-kiosk_body [data-testid="stCheckbox"] label { font-size: 1.2rem; gap: .75rem; }
.st-key-kiosk_body [data-testid="stCheckbox"] label span:first-child { transform: scale(1.4); }
.st-key-kiosk_body .st-key-kiosk_staff button { min-height: 2rem; }
.st-key-kiosk_body .st-key-kiosk_staff button p { font-size: .9rem; color: #4a4a4a; }
</style>"""
_RTL = """<style>.st-key-kiosk_body { direction: rtl; text-align: right; }
.st-key-kiosk_body [data-testid="stHeading"], .st-key-kiosk_body [data-testid="stMarkdown"],
.st-key-kiosk_body [data-testid="stAlert"] { text-align: right; }
.st-key-kiosk_body input { direction: rtl; text-align: right; }
.st-key-kiosk_body input[type="tel"], .st-key-kiosk_body input[type="email"] { direction: ltr; text-align: right; }
</style>"""
_DIR_SCRIPT = """<script>(function(){var d=%s,w=window.crmKioskDir=window.crmKioskDir||{};w.dir=d;
function set(){document.querySelectorAll('.st-key-kiosk_body').forEach(function(e){
if(e.getAttribute('dir')!==w.dir){e.setAttribute('dir',w.dir);}});}
set();if(!w.obs){w.obs=new MutationObserver(set);
w.obs.observe(document.body,{childList:true,subtree:true});}})();</script>"""


def chrome() -> None:
    """Hide the sidebar, its toggle and the app menu, and make the kiosk's targets big. Called by app.py."""
    st.html(_CHROME)


def direction_script(direction: str) -> str:
    if direction not in ("rtl", "ltr"):
        raise ValueError("not a direction")
    return _DIR_SCRIPT % json.dumps(direction)


def body(lang: str | None):
    """The container every kiosk element goes in, with dir="rtl" for Arabic and Persian."""
    direction = i18n.direction(lang) if lang else "ltr"
    if direction == "rtl":
        st.html(_RTL)
    st.html(direction_script(direction), unsafe_allow_javascript=True)
    return st.container(key=BODY_KEY)


def clear() -> None:
    """Forget everything the kiosk screen holds: the next visitor starts at the language chooser."""
    for key in [key for key in st.session_state if str(key).startswith(PREFIX)]:
        del st.session_state[key]


def due(now: float, thanks_seconds: int) -> bool:
    """Whether the screen should start over: the thank-you has been seen, or the form was left alone."""
    state = st.session_state
    thanks_at = state.get("kiosk_thanks_at")
    if thanks_at is not None:
        return now - thanks_at >= thanks_seconds
    active_at = state.get("kiosk_active_at")
    busy = state.get("kiosk_lang") is not None or state.get("kiosk_staff_panel")
    return bool(busy) and active_at is not None and now - active_at >= IDLE_SECONDS


def reset_when_due(clock: Callable[[], float] = time.time) -> None:
    """Check now and every few seconds (without a click) whether to start over; then clear and redraw.
    How long the thank-you stays is the setting kiosk_thanks_seconds, read at each full run."""
    with get_store().read() as cur:
        thanks_seconds = settings.get(cur, "kiosk_thanks_seconds")

    @st.fragment(run_every=CHECK_EVERY)
    def check():
        if due(clock(), thanks_seconds):
            clear()
            st.rerun(scope="app")
    check()
    st.session_state["kiosk_active_at"] = clock()   # this full run follows a tap or a typed field
