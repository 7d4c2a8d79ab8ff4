"""Streamlit entry: language, login gate, then st.navigation with only the pages the role may open."""
import logging
import uuid

import streamlit as st

from crm_app.core import i18n
from crm_app.core.clock import today
from crm_app.core.errors import CrmError, StoreDamaged
from crm_app.ui import actions, kiosk, nav, resources, session, sidebar
from crm_app.ui.resources import daily_upkeep
from crm_app.ui.text import LANG_KEY, tr, tr_md

log = logging.getLogger("crm_app.web")

if LANG_KEY not in st.session_state:
    st.session_state[LANG_KEY] = i18n.DEFAULT_LANG
# The icon is a file of ours: a Material icon name makes every browser fetch it from Google's font servers.
st.set_page_config(page_title=tr("app.title"), page_icon=str(resources.ICON), layout="centered")
sidebar.hide_when_collapsed()

try:
    resources.get_store()
except StoreDamaged as exc:   # nothing opens a damaged file: the administrator restores a backup (README)
    st.error(i18n.error_text(exc, st.session_state[LANG_KEY]))
    st.stop()
user = session.current_user()
if user is None or user.kiosk is None:
    with st.sidebar:
        st.radio(tr("app.language"), i18n.LANGS, key=LANG_KEY, format_func=str.upper, horizontal=True)
if user is None:
    page = st.navigation([st.Page(session.login_page, title=tr("login.title"), url_path="login", default=True)],
                         position="hidden")
elif user.kiosk is not None:   # the kiosk screen alone: no menu, no sidebar, no logout for the public to tap
    kiosk.chrome()
    page = nav.navigation_for(user.role, position="hidden")
else:
    with st.sidebar:
        st.caption(tr_md("app.signed_in_as", name=user.display_name, role=i18n.label("role", user.role,
                                                                                   st.session_state[LANG_KEY])))
        st.button(tr("app.logout"), key="app_logout", on_click=session.logout)
    page = nav.navigation_for(user.role)
    daily_upkeep(today())
    if page.url_path != "person":
        st.session_state.pop("person_viewed_id", None)  # opening a person again is a new, audited read

session.sync_cookie(user)   # the crm_session cookie follows the server-side session (refresh, new tab)
session.watch_expiry(user)  # an open screen turns into the login page when the session runs out

actions.show_stray_refusal()   # a refusal a button's callback did not show itself
try:
    with session.through_entry_script(user):
        page.run()
except CrmError as exc:
    st.error(i18n.error_text(exc, st.session_state[LANG_KEY]))
except Exception:  # users never see a traceback, the log never sees personal data
    code = uuid.uuid4().hex[:8]
    log.error("unhandled error %s on page %s", code, getattr(page, "url_path", "?"), exc_info=False)
    st.error(tr("app.error", code=code))
