"""One message to one person, where staff act on it: call, SMS and WhatsApp links with the text filled in (on a
phone they open the dialler or the app), the email sent from here, and "mark as contacted" once a link was used.

Without contact consent nothing is offered, only why. The text itself is shown as text (never Markdown).
"""
from __future__ import annotations

import functools

import streamlit as st

from crm_app.core import formats
from crm_app.core.errors import CrmError
from crm_app.core.fields import format_phone
from crm_app.core.i18n import error_text
from crm_app.people.messages import fatigue, outbox
from crm_app.ui import actions, session
from crm_app.ui.resources import get_store
from crm_app.ui.text import label, lang, tr, trn

_ICONS = {"phone": ":material/call:", "sms": ":material/sms:", "whatsapp": ":material/chat:"}


def contact_box(screen: str, kind: str, person_id: int, about: int, suffix: str | int = "") -> None:
    """The links and buttons for one message; widget keys `<screen>_message_<field><suffix>`."""
    key = f"{screen}_message_{{}}{suffix and f'_{suffix}'}"
    buttons = actions.Buttons(f"{screen}_message{suffix and f'_{suffix}'}")
    try:
        message = outbox.compose(get_store(), session.actor(), kind, person_id, about)
    except CrmError as exc:
        st.info(error_text(exc, lang()), icon=":material/block:")
        return
    links = message.links()
    if links:
        for column, (channel, url) in zip(st.columns(len(links)), links.items()):
            text = format_phone(message.phone_e164) if channel == "phone" else label("message_channel", channel)
            column.link_button(text, url, icon=_ICONS[channel], key=key.format(channel), width="stretch")
    language = formats.cldr_locale(lang()).languages.get(message.language, message.language)
    with st.expander(tr("messages.text", language=language)):
        st.text(message.short if not message.email else f"{message.subject}\n\n{message.body}")
    if message.email:
        st.button(tr("messages.send_email"), key=key.format("email"), icon=":material/mail:", on_click=buttons.run,
                  args=(functools.partial(outbox.send_email, lang=lang()), kind, person_id, about),
                  kwargs={"flash": tr("messages.sent")})
    if links:
        left, right = st.columns([2, 1], vertical_alignment="bottom")
        left.radio(tr("messages.channel"), outbox.LINK_CHANNELS, key=key.format("channel"), horizontal=True,
                   format_func=lambda c: label("message_channel", c))
        right.button(tr("messages.mark"), key=key.format("mark"), on_click=_mark, args=(buttons, kind, person_id, about,
                                                                                         key.format("channel")))
    if not links and not message.email:
        st.caption(tr("messages.no_address"))
    buttons.outcome(key.format("box"), key.format("email"), key.format("mark"))


@actions.callback
def _mark(buttons: actions.Buttons, kind: str, person_id: int, about: int, channel_key: str) -> None:
    channel = st.session_state.get(channel_key) or "phone"
    buttons.run(functools.partial(outbox.record_prepared, lang=lang()), kind, person_id, about, channel,
                flash=tr("messages.marked"))


def fatigue_warning(counted: fatigue.Fatigue | None) -> None:
    """Said where a new invitation or request is about to go out to someone who had enough lately."""
    if counted is not None and counted.reached:
        st.warning(trn("messages.fatigue", counted.count, limit=counted.limit, days=counted.days),
                   icon=":material/notifications_paused:")
