"""Who is logged in to this browser, the login page, and the permission gate every page calls.

Every script run asks the store (crm_app.access.sessions) whether this browser's session token is still
good: unknown, ended (logout), idle too long, too old or belonging to a disabled account → logged
out. Nothing in `st.session_state` is trusted on its own: a User object, a role or a made-up
token placed there opens nothing.

Where the token lives
- In this tab's session state (`auth_token`), and
- in a first-party cookie `crm_session` (Path=/, SameSite=Strict, Secure over https, Max-Age =
  the session's remaining absolute lifetime), written by a two-line script that `st.html` runs
  in the page. Streamlit hands the browser's cookies to the next session as
  `st.context.cookies`, so a refresh (or a second tab) picks up the same server-side session.
  The cookie is not HttpOnly (a page script writes it): a script injected into the page could
  read it — the same exposure as the session's websocket itself. The token is 256 random bits,
  only its hash is stored, it dies server-side at logout, after 30 idle minutes and after 8
  hours, and SameSite=Strict keeps it out of cross-site requests. See docs/sessions.md.

OIDC (`st.login`, configured by `[auth]` in .streamlit/secrets.toml)
- A fresh provider login is mapped to an account by crm_app.access.oidc (subject or verified email in
  the CRM's own user table; never a role from the token) and gets its own server-side session,
  like a local login. The session is bound to the identity's subject: if Streamlit's identity
  cookie disappears or changes, the session ends.
- Streamlit's identity cookie lives 30 days and cannot be revoked, so a provider login older
  than `oidc_fresh_login_seconds` cannot start a session: after logout or expiry `st.logout()`
  clears that cookie and the person passes the identity provider again.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import re
import threading
from dataclasses import dataclass

import streamlit as st
from streamlit.errors import StreamlitAPIException

from crm_app.access import audit, oidc, proxies, sessions, users
from crm_app.access.audit import Actor
from crm_app.access.identity import User
from crm_app.core import i18n, permissions, settings
from crm_app.core.clock import to_local, utcnow
from crm_app.core.errors import CrmError
from crm_app.ui.resources import get_store
from crm_app.ui.text import LANG_KEY, tr

TOKEN_KEY = "auth_token"          # this tab's session token
COOKIE_NAME = "crm_session"
ENDED_KEY = "auth_ended"          # this tab's session ran out (not a logout): say so on the login page
REFUSED_KEY = "auth_oidc_refused"  # the subject the identity provider vouched for, that has no account
ENTRY_SCRIPT = "app.py"
_entry = threading.local()   # a script run executes in one thread: app.py, then the page it runs


@contextlib.contextmanager
def through_entry_script(user: User | None = None):
    """app.py runs its page inside this, so a page can tell it was reached through the gate (and
    reuses the user app.py resolved in this run instead of asking the store twice)."""
    _entry.active = True
    _entry.user = user
    try:
        yield
    finally:
        _entry.active = False
        _entry.user = None


# -- configuration (secrets.toml) ----------------------------------------------------------------
@dataclass(frozen=True)
class LoginOptions:
    providers: tuple[tuple[str | None, str], ...]   # (provider name for st.login, label on the button)
    local: bool                                     # offer the username + password form

    @property
    def oidc(self) -> bool:
        return bool(self.providers)


_read_sections: tuple[object, dict[str, dict]] = (None, {})   # the secrets object read, and its sections


def _secret_section(name: str) -> dict:
    """A section of secrets.toml, read once per secrets object (Streamlit's holds the file as read at start-up;
    a test's AppTest brings its own). Without a secrets file Streamlit looks for it again, under a lock, at every
    access: with many sessions every rerun queued for that lock (docs/scaling.md). A change to secrets.toml
    takes a restart, as it does with Streamlit's file watcher off."""
    global _read_sections
    secrets, sections = _read_sections
    if secrets is not st.secrets:
        secrets, sections = _read_sections = (st.secrets, {})
    if name not in sections:
        sections[name] = _read_section(name)
    return sections[name]


def _read_section(name: str) -> dict:
    try:
        section = st.secrets.get(name)
    except Exception:
        return {}
    if section is None:
        return {}
    try:
        return section.to_dict() if hasattr(section, "to_dict") else dict(section)
    except Exception:
        return {}


def login_options() -> LoginOptions:
    """What the login page offers: `[auth]` (Streamlit's OIDC settings) and `[crm_auth]`.

    `[auth]` with client_id → one button for the default provider; `[auth.NAME]` sections with a
    client_id → one button each. `[crm_auth] provider_label = "…"` (or `[crm_auth.labels] NAME =
    "…"`) names the buttons; `[crm_auth] local_login = false` hides the password form.
    """
    auth = _secret_section("auth")
    crm = _secret_section("crm_auth")
    providers: list[tuple[str | None, str]] = []
    if auth.get("redirect_uri") and auth.get("cookie_secret"):
        labels = crm.get("labels") if isinstance(crm.get("labels"), dict) else {}
        if auth.get("client_id"):
            providers.append((None, str(crm.get("provider_label") or "OpenID Connect")))
        for name, value in auth.items():
            if isinstance(value, dict) and value.get("client_id"):
                providers.append((name, str(labels.get(name) or name.replace("_", " ").title())))
    local = crm.get("local_login", True)
    return LoginOptions(tuple(providers), bool(local) if isinstance(local, bool) else True)


# -- the browser's identity ----------------------------------------------------------------------
def _cookie_token() -> str | None:
    try:
        return st.context.cookies.get(COOKIE_NAME)
    except Exception:
        return None


def _provider_identity() -> oidc.Identity | None:
    """The identity Streamlit's st.login cookie vouches for (None when not logged in that way)."""
    if not login_options().oidc:
        return None   # without [auth] no identity is accepted, whatever st.user says
    try:
        info = st.user.to_dict()
    except Exception:
        return None
    if not info.get("is_logged_in"):
        return None
    return oidc.identity_from_claims(info)


def _provider_logout() -> None:
    with contextlib.suppress(Exception):
        st.logout()


def _resolve() -> User | None:
    """The logged-in user of this run, after every check; starts an OIDC session when due."""
    store = get_store()
    state = st.session_state
    tab_token = state.get(TOKEN_KEY)
    token = tab_token if isinstance(tab_token, str) else _cookie_token()
    identity = _provider_identity()
    live = sessions.resume(store, token) if token else None
    if live is not None and live.method == "oidc" and (identity is None or identity.subject != live.oidc_subject):
        sessions.end(store, token, reason="identity")
        live = None
    if live is not None:
        state[TOKEN_KEY] = token
        state["auth_expires_utc"] = live.absolute_end_utc
        return live.user

    if isinstance(tab_token, str):        # this tab had a session that is gone now
        for key in (TOKEN_KEY, "auth_expires_utc"):
            state.pop(key, None)
        state[ENDED_KEY] = True
    if identity is None:
        return None
    if state.get(REFUSED_KEY) == identity.subject:
        return None                       # already refused and audited in this tab
    if not oidc.is_fresh(store, identity):
        _provider_logout()                # an old identity cookie alone never opens a session
        return None
    user = oidc.account_for(store, identity)
    if user is None:
        state[REFUSED_KEY] = identity.subject
        return None
    token = sessions.start(store, user, "oidc", oidc_subject=identity.subject, address=client_address())
    live = sessions.resume(store, token)
    state[TOKEN_KEY] = token
    state["auth_expires_utc"] = live.absolute_end_utc if live else None
    state.pop(ENDED_KEY, None)
    return live.user if live else None


def current_user() -> User | None:
    """The logged-in user, checked against the store on every run (and in every callback)."""
    if getattr(_entry, "active", False):
        return _entry.user
    return _resolve()


def current_token() -> str | None:
    """This tab's session token (after `current_user` has checked it), for work that runs outside a script run."""
    token = st.session_state.get(TOKEN_KEY)
    return token if isinstance(token, str) else None


def actor() -> Actor:
    user = current_user()
    return user.actor("web") if user else Actor(None, "none", "web")


def require(action: str) -> User:
    """Stop the page unless someone is logged in whose role may do `action`."""
    user = current_user()
    if user is None or not permissions.allowed(user.role, action):
        if user is not None:
            _audit_refusal(user, action)
        if not getattr(_entry, "active", False):
            _to_entry_script()
        st.error(tr("app.no_access"))
        st.stop()
    return user


def _audit_refusal(user: User, action: str) -> None:
    """A logged-in person refused a screen: who, which permission, when (the event's action is the permission)."""
    get_store().write(lambda cur: audit.record(cur, user.actor("web"), action, "screen", None, "refused"))


def _to_entry_script() -> None:
    """Send a page that runs on its own to app.py (its login form and navigation).

    Until some session has run app.py's st.navigation, a freshly started server serves each file
    in pages/ on its own, with Streamlit's automatic sidebar listing every page file: a bookmarked
    /register then showed a dead end ("no access", no login form). Running app.py once ends that
    mode for the whole process.
    """
    try:
        st.switch_page(ENTRY_SCRIPT)
    except StreamlitAPIException:   # no app.py beside this script (a page file run alone): refuse below
        pass


def client_address() -> str | None:
    """The browser's address for the per-address login throttle (None on localhost or when unknown).

    Behind a reverse proxy listed in CRM_TRUSTED_PROXIES it is the client named in X-Forwarded-For.
    """
    try:
        peer, forwarded_for = st.context.ip_address, st.context.headers.get("X-Forwarded-For")
    except Exception:
        return None
    return proxies.client_address(peer, forwarded_for, proxies.trusted_proxies())


# -- the open page -------------------------------------------------------------------------------
def watch_expiry(user: User | None) -> None:
    """While logged in, check every little while (without counting as activity) whether the
    session is still live; when not, rerun the app so the screen shows the login instead of the
    personal data it was showing. Called by app.py."""
    if user is None:
        return
    try:
        with get_store().read() as cur:
            idle = settings.get(cur, "session_idle_seconds")
    except Exception:
        return
    interval = max(2.0, min(60.0, idle / 3))
    with st.sidebar:
        st.fragment(run_every=interval)(_check_still_live)()


def _check_still_live() -> None:
    if not sessions.is_live(get_store(), st.session_state.get(TOKEN_KEY)):
        st.rerun(scope="app")


_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{0,128}")   # "" clears the cookie


# -- the cookie ----------------------------------------------------------------------------------
def sync_cookie(user: User | None) -> None:
    """Write (or clear) the crm_session cookie to match this run's outcome. Called by app.py."""
    token = st.session_state.get(TOKEN_KEY) if user is not None else None
    if token:
        script = cookie_script(token, _max_age(st.session_state.get("auth_expires_utc")))
    elif _cookie_token() or st.session_state.pop("auth_clear_cookie", False):
        script = cookie_script("", 0)
    else:
        return
    with st.sidebar:
        st.html(script, unsafe_allow_javascript=True)


def _max_age(absolute_end_utc) -> int:
    """Seconds until the session's absolute end: the cookie does not outlive the session."""
    if absolute_end_utc is None:
        return 0
    return max(1, int((absolute_end_utc - utcnow()).total_seconds()))


def cookie_script(token: str, max_age: int) -> str:
    """One of the four raw HTML scripts the app renders (the others: crm_app.ui.feedback's focus script,
    crm_app.ui.keypad's and crm_app.ui.kiosk's direction). Nothing typed by a user reaches it: the token is made
    by sessions.start (url-safe base64) and anything else is refused here; json.dumps quotes it for JavaScript."""
    if not _TOKEN_SHAPE.fullmatch(token):
        raise ValueError("not a session token")
    return (
        "<script>(function(){var a=" + json.dumps(f"{COOKIE_NAME}={token}; Path=/; SameSite=Strict; "
                                                f"Max-Age={int(max_age)}")
        + ";if(location.protocol==='https:'){a+='; Secure';}document.cookie=a;})();</script>"
    )


# -- login and logout ----------------------------------------------------------------------------
REFUSAL_KEY = "login_refusal"   # (outcome, retry_at) of this tab's last refused log-in
LOGIN_ERROR_KEY = "login_error"  # a refusal of the store itself during the last log-in (CrmError)


def _on_login() -> None:
    """The login form's submit (Enter in either field, or the button): a form sends what was typed
    even when the password field never lost focus the way a lone text_input needs to commit."""
    username = st.session_state.get("login_username", "")
    password = st.session_state.get("login_password", "")
    store = get_store()
    st.session_state["login_password"] = ""
    try:
        attempt = users.log_in(store, username, password, address=client_address())
        token = None if attempt.user is None else sessions.start(store, attempt.user, "local", address=client_address())
    except CrmError as exc:     # the store refuses to save (its audit key is missing): said, not a crash screen
        st.session_state[LOGIN_ERROR_KEY] = exc
        return
    st.session_state.pop(LOGIN_ERROR_KEY, None)
    if attempt.user is None:
        st.session_state[REFUSAL_KEY] = (attempt.outcome, attempt.retry_at)
        return
    st.session_state.pop(REFUSAL_KEY, None)
    st.session_state.pop(ENDED_KEY, None)
    st.session_state[TOKEN_KEY] = token


def refusal_text(outcome: str, retry_at: dt.datetime | None, now: dt.datetime) -> str:
    """Why the log-in was refused and, during a wait, when to try again: in seconds for a short
    wait, else the Amsterdam clock time rounded up to the minute ("na 14:05")."""
    text = tr("login.throttled" if outcome == "throttled" else "login.failed")
    if retry_at is None or retry_at <= now:
        return text
    seconds = math.ceil((retry_at - now).total_seconds())
    if seconds < 60:
        return f"{text} {tr('login.retry_in', seconds=max(seconds, 2))}"
    local = to_local(retry_at)
    if local.second or local.microsecond:
        local = local.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    return f"{text} {tr('login.retry_at', time=local.strftime('%H:%M'))}"


def login_page() -> None:
    st.title(tr("login.title"), anchor=False)
    options = login_options()
    state = st.session_state
    if state.get(ENDED_KEY):
        st.info(tr("login.session_ended"))
    if state.get(REFUSED_KEY):
        st.error(tr("login.oidc_refused"))
        st.caption(tr("login.oidc_subject", subject=state[REFUSED_KEY]))   # only to the person themselves
        st.button(tr("login.oidc_switch"), key="login_oidc_logout", on_click=_refused_logout)
    elif options.oidc:
        for index, (provider, label_text) in enumerate(options.providers):
            if st.button(tr("login.oidc", provider=label_text), key=f"login_oidc_{index}", type="primary",
                         width="stretch"):
                state.pop(ENDED_KEY, None)
                st.login(provider) if provider else st.login()
    if not options.local:
        return
    if options.oidc:
        st.caption(tr("login.local_caption"))
    with st.form("login_form", enter_to_submit=True, border=False):
        st.text_input(tr("login.username"), key="login_username", autocomplete="username")
        st.text_input(tr("login.password"), key="login_password", type="password", autocomplete="current-password")
        st.form_submit_button(tr("login.submit"), key="login_submit", type="primary" if not options.oidc else "secondary",
                              on_click=_on_login, width="stretch")
    if state.get(REFUSAL_KEY):
        st.error(refusal_text(*state[REFUSAL_KEY], utcnow()))
    if state.get(LOGIN_ERROR_KEY):
        st.error(i18n.error_text(state[LOGIN_ERROR_KEY], state.get(LANG_KEY, i18n.DEFAULT_LANG)))


def password_matches(user: User, password: str) -> bool:
    """Whether `password` is `user`'s own, checked (throttled, audited) like a log-in: how staff end the kiosk account."""
    try:
        return users.log_in(get_store(), user.username, password, address=client_address()).user is not None
    except CrmError:
        return False


def _refused_logout() -> None:
    st.session_state.pop(REFUSED_KEY, None)
    _provider_logout()


def logout() -> None:
    """End this browser's session in the store (every tab, any copy of the token), then forget it."""
    state = st.session_state
    token = state.get(TOKEN_KEY) or _cookie_token()
    was_oidc = False
    if isinstance(token, str):
        live = sessions.resume(get_store(), token)
        was_oidc = live is not None and live.method == "oidc"
        sessions.end(get_store(), token, reason="logout")
    for key in list(state.keys()):
        if key != LANG_KEY:
            del state[key]
    state["auth_clear_cookie"] = True
    if was_oidc or _provider_identity() is not None:
        _provider_logout()
