"""Meetings of a network: plan one (the date proposed by the network's cadence), invite, record attendance and
reimbursements, and download the month's payment list.

The meetings and the attendance are one table each with one action area for the picked row (an alumni
network's meeting can have hundreds on its list).
"""
import datetime as dt
import functools

import pandas as pd
import streamlit as st

from crm_app.core import formats
from crm_app.core.clock import add_months, today
from crm_app.core.errors import CrmError
from crm_app.core.fields import display_name
from crm_app.networks import meetings, registry, reimbursements
from crm_app.people.messages import fatigue, outbox
from crm_app.privacy import payments
from crm_app.ui import actions, downloads, messages, session, tables, widgets
from crm_app.ui.resources import get_store
from crm_app.ui.text import date_format, escape, fmt_date, label, lang, tr, trn

user = session.require("meeting.manage")
store = get_store()
actor, language = session.actor(), lang()   # the downloads' files are made outside this run: no session there
state = st.session_state
planning = actions.Buttons("meetings")
attending = actions.Buttons("meetings_attendance")
paying = actions.Buttons("meetings_reimbursement")
PERSON_FIELDS = ("meetings_status", "meetings_travel", "meetings_allowance", "meetings_override_reason")

st.title(tr("meetings.title"), anchor=False)
network_id = widgets.network_select("meetings", registry.list_networks(store, session.actor()))
if network_id is None:
    st.stop()
network = registry.get(store, session.actor(), network_id)
proposed = meetings.propose_date(store, session.actor(), network_id)


def money(value) -> str:
    return formats.money(value, lang())


@actions.callback
def _plan() -> None:
    data = meetings.MeetingInput(
        network_id=network_id, meeting_date=state.get("meetings_meeting_date"),
        start_time=state.get("meetings_start_time"), place=state.get("meetings_place"),
        topic=state.get("meetings_topic"), interpreter=state.get("meetings_interpreter", False),
        language_coach=state.get("meetings_language_coach", False))

    def plan_and_remember(store_, actor, item):
        state["meetings_new"] = meetings.plan(store_, actor, item)
        state.update(meetings_place="", meetings_topic="", meetings_interpreter=False, meetings_language_coach=False)
        state.pop("meetings_plan_for", None)      # the next date is proposed afresh

    planning.run(plan_and_remember, data, flash=tr("meetings.planned"))


@actions.callback
def _invite(meeting_id: int) -> None:
    attending.run(meetings.invite, meeting_id, flash=lambda added: trn("meetings.invited", added))


def _batch_outcome(result: outbox.BatchResult) -> str:
    parts = [trn(f"messages.batch.{name}", len(ids)) for name, ids in vars(result).items() if ids]
    return " · ".join(parts) or tr("messages.batch.nobody")


@actions.callback
def _send(meeting_id: int, kind: str) -> None:
    attending.run(functools.partial(outbox.send_meeting, lang=lang()), meeting_id, kind, flash=_batch_outcome)


@actions.callback
def _attendance(meeting_id: int, person_id: int) -> None:
    attending.run(meetings.record_attendance, meeting_id, person_id, state.get("meetings_status"),
                  flash=tr("meetings.attendance_saved"))


@actions.callback
def _reimburse(meeting_id: int, person_id: int) -> None:
    paying.run(reimbursements.record, meeting_id, person_id, state.get("meetings_travel"),
               state.get("meetings_allowance"), state.get("meetings_override_reason"),
               flash=tr("meetings.reimbursement_saved"))


# -- plan -----------------------------------------------------------------------------------------------
st.subheader(tr("meetings.plan"), anchor=False)
st.caption(tr("meetings.proposed", cadence=label("cadence", network.meeting_cadence), date=fmt_date(proposed)))
if state.get("meetings_plan_for") != network_id:
    state["meetings_plan_for"] = network_id
    state["meetings_meeting_date"] = proposed
with st.container(border=True, key="meetings_plan_form"):
    left, right = st.columns(2)
    left.date_input(tr("meetings.date"), key="meetings_meeting_date", format=date_format())
    right.time_input(tr("meetings.time"), key="meetings_start_time", value=None, step=dt.timedelta(minutes=15))
    st.text_input(tr("meetings.place"), key="meetings_place", max_chars=200)
    st.text_input(tr("meetings.topic"), key="meetings_topic", max_chars=200)
    st.markdown(tr("meetings.support"))
    st.checkbox(tr("meetings.interpreter"), key="meetings_interpreter")
    st.checkbox(tr("meetings.language_coach"), key="meetings_language_coach")
    st.button(tr("meetings.plan_submit"), key="meetings_plan_submit", on_click=_plan, type="primary")
    planning.outcome("meetings_plan", "meetings_plan_submit",
                     labels={"meeting_date": tr("meetings.date"), "start_time": tr("meetings.time"),
                             "place": tr("meetings.place"), "topic": tr("meetings.topic")})

# -- the meetings ---------------------------------------------------------------------------------------
st.subheader(tr("meetings.list"), anchor=False)
listed = meetings.of_network(store, session.actor(), network_id)
if not listed:
    st.info(tr("meetings.none"))
    st.stop()
cols = {k: tr(f"meetings.col.{k}") for k in ("date", "time", "place", "topic", "support", "present")}
frame = pd.DataFrame({
    cols["date"]: [m.meeting_date for m in listed],
    cols["time"]: [m.start_time.strftime("%H:%M") if m.start_time else "" for m in listed],
    cols["place"]: [m.place or "" for m in listed],
    cols["topic"]: [m.topic or "" for m in listed],
    cols["support"]: [", ".join(tr(f"meetings.{k}") for k in ("interpreter", "language_coach") if getattr(m, k))
                      for m in listed],
    cols["present"]: [f"{m.present}/{m.invited}" for m in listed],
})
meeting_id = tables.picked("meetings_table", frame, [m.id for m in listed], select=state.pop("meetings_new", None),
                           clear=PERSON_FIELDS,
                           column_config={cols["date"]: st.column_config.DateColumn(cols["date"], format=date_format())})
meeting = next((m for m in listed if m.id == meeting_id), None)
if meeting is None:
    st.caption(tr("meetings.pick"))
else:
    with st.container(border=True, key="meetings_selected"):
        st.subheader(tr("meetings.heading", date=fmt_date(meeting.meeting_date)), anchor=False)
        if meeting.topic:
            st.text(meeting.topic)
        invite, send, remind = st.columns(3)
        invite.button(tr("meetings.invite"), key="meetings_invite", on_click=_invite, args=(meeting.id,))
        send.button(tr("meetings.send_invitations"), key="meetings_send_invitations", icon=":material/mail:",
                    on_click=_send, args=(meeting.id, "meeting_invitation"))
        remind.button(tr("meetings.send_reminders"), key="meetings_send_reminders", icon=":material/mail:",
                      on_click=_send, args=(meeting.id, "meeting_reminder"))
        people = meetings.attendance(store, session.actor(), meeting.id)
        if not people:
            st.caption(tr("meetings.nobody_invited"))
        else:
            requests = fatigue.of_persons(store, session.actor(), [r["person_id"] for r in people])
            tired = [display_name(r["given_name"], r["family_name"]) for r in people if requests[r["person_id"]].reached]
            if tired:
                some = requests[people[0]["person_id"]]
                st.warning(trn("meetings.fatigue", len(tired), limit=some.limit, days=some.days,
                               names=escape(", ".join(tired))), icon=":material/notifications_paused:")
            a_cols = {k: tr(f"meetings.col.{k}") for k in ("name", "status", "requests", "travel", "allowance")}
            a_frame = pd.DataFrame({
                a_cols["name"]: [display_name(r["given_name"], r["family_name"]) for r in people],
                a_cols["status"]: [label("attendance", r["status"]) for r in people],
                a_cols["requests"]: [requests[r["person_id"]].count for r in people],
                a_cols["travel"]: [money(r["travel"]) for r in people],
                a_cols["allowance"]: [money(r["allowance"]) for r in people],
            })
            person_id = tables.picked("meetings_attendance_table", a_frame, [r["person_id"] for r in people],
                                      clear=PERSON_FIELDS)
            row = next((r for r in people if r["person_id"] == person_id), None)
            if row is None:
                st.caption(tr("list.pick"))
            else:
                st.markdown(f"**{escape(display_name(row['given_name'], row['family_name']))}**")
                kind = st.radio(tr("meetings.message_kind"), ("meeting_invitation", "meeting_reminder"),
                                key="meetings_message_kind", horizontal=True, format_func=lambda k: label("message_kind", k))
                messages.contact_box("meetings", kind, row["person_id"], meeting.id)
                if state.get("meetings_status") not in meetings.STATUSES:
                    state["meetings_status"] = row["status"] if row["status"] in meetings.STATUSES else "present"
                st.radio(tr("meetings.status"), meetings.STATUSES, key="meetings_status", horizontal=True,
                         format_func=lambda s: label("attendance", s))
                st.button(tr("meetings.attendance_submit"), key="meetings_attendance_submit", on_click=_attendance,
                          args=(meeting.id, row["person_id"]))
                if row["status"] == "present":
                    state.setdefault("meetings_travel", f"{row['travel'] or 0}".replace(".", ","))
                    state.setdefault("meetings_allowance", f"{row['allowance'] or 0}".replace(".", ","))
                    left, right = st.columns(2)
                    left.text_input(tr("meetings.travel"), key="meetings_travel", max_chars=12)
                    right.text_input(tr("meetings.allowance"), key="meetings_allowance", max_chars=12)
                    try:
                        cap = reimbursements.check(store, session.actor(), meeting.id, row["person_id"],
                                                   state.get("meetings_allowance"))
                    except CrmError:
                        cap = None    # the amount is refused with its reason when saved
                    if cap is not None:
                        totals = tr("meetings.cap_totals", month=money(cap.month_total), month_cap=money(cap.month_cap),
                                    year=money(cap.year_total), year_cap=money(cap.year_cap))
                        if cap.over:
                            st.warning(tr("meetings.cap_warning") + " " + totals)
                            st.text_input(tr("meetings.override_reason"), key="meetings_override_reason",
                                          max_chars=500)
                        else:
                            st.caption(totals)
                    st.button(tr("meetings.reimburse_submit"), key="meetings_reimburse_submit", on_click=_reimburse,
                              args=(meeting.id, row["person_id"]))
        attending.outcome("meetings_attendance_box", "meetings_attendance_submit", "meetings_invite",
                          "meetings_send_invitations", "meetings_send_reminders",
                          widget_keys={"status": "meetings_status"}, labels={"status": tr("meetings.status")})
        paying.outcome("meetings_reimbursement_box", "meetings_reimburse_submit",
                       labels={f: tr(f"meetings.{f}") for f in ("travel", "allowance", "override_reason")},
                       widget_keys={f: f"meetings_{f}" for f in ("travel", "allowance", "override_reason")})

# -- the payment list -----------------------------------------------------------------------------------
st.subheader(tr("meetings.payments"), anchor=False)
first = today().replace(day=1)
months = [add_months(first, -back) for back in range(13)]
month = st.selectbox(tr("meetings.month"), months, key="meetings_month", format_func=lambda m: formats.month(m, lang()),
                     placeholder=tr("app.choose"))
left, right = st.columns(2)
for fmt, where in (("csv", left), ("xlsx", right)):
    downloads.personal_download(
        tr(f"meetings.download_{fmt}"),
        lambda fmt=fmt: payments.make(store, actor, month, fmt, language)[0],
        f"betaallijst-{month:%Y-%m}.{fmt}", "text/csv" if fmt == "csv" else
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", f"meetings_download_{fmt}", where=where)
