"""You said, we did: per network how many inputs led to a change each year; for program managers also the
inputs with their responses, and a member's or alumnus' personal overview to print (HTML, Dutch or English).
"""
import pandas as pd
import streamlit as st

from crm_app.core import permissions
from crm_app.core.fields import display_name
from crm_app.networks import feedback, meetings, registry
from crm_app.ui import actions, downloads, session, tables, widgets
from crm_app.ui.resources import get_store
from crm_app.ui.text import date_format, escape, fmt_date, label, tr

user = session.require("feedback.view")
store = get_store()
actor = session.actor()   # the download's file is made outside this run, where there is no session
state = st.session_state
adding = actions.Buttons("feedback")
responding = actions.Buttons("feedback_response")
RESPONSE_FIELDS = ("feedback_action_taken", "feedback_status", "feedback_reason", "feedback_response_date")

st.title(tr("feedback.title"), anchor=False)
network_id = widgets.network_select("feedback", registry.list_networks(store, session.actor()))
if network_id is None:
    st.stop()

# -- the network overview -------------------------------------------------------------------------------
st.subheader(tr("feedback.overview"), anchor=False)
overview = feedback.network_overview(store, session.actor(), network_id)
if overview:
    keys = ("year", "inputs", "changed", "not_adopted", "open")
    st.dataframe(pd.DataFrame({tr(f"feedback.col.{k}"): [str(r[k]) if k == "year" else r[k] for r in overview]
                               for k in keys}), hide_index=True, key="feedback_overview_table")
else:
    st.info(tr("feedback.overview_none"))
if not permissions.allowed(user.role, "meeting.manage"):
    st.stop()

held = meetings.of_network(store, session.actor(), network_id)
meeting_names = {m.id: f"{fmt_date(m.meeting_date)} {m.topic or ''}".strip() for m in held}


@actions.callback
def _add_input() -> None:
    data = feedback.InputData(network_id=network_id, meeting_id=state.get("feedback_meeting"),
                              topic=state.get("feedback_topic"), body=state.get("feedback_body"),
                              given_date=state.get("feedback_given_date"),
                              addressed_to=state.get("feedback_addressed_to"))

    def add_and_clear(store_, actor, item):
        state["feedback_new"] = feedback.add_input(store_, actor, item)
        state.update(feedback_topic="", feedback_body="", feedback_given_date=None, feedback_addressed_to="")

    adding.run(add_and_clear, data, flash=tr("feedback.input_saved"))


@actions.callback
def _respond(input_id: int) -> None:
    data = feedback.ResponseData(input_id=input_id, action_taken=state.get("feedback_action_taken"),
                                 status=state.get("feedback_status"), reason=state.get("feedback_reason"),
                                 response_date=state.get("feedback_response_date"))

    def respond_and_clear(store_, actor, item):
        feedback.add_response(store_, actor, item)
        state.update(feedback_action_taken="", feedback_reason="", feedback_response_date=None)

    responding.run(respond_and_clear, data, flash=tr("feedback.response_saved"))


# -- record an input ------------------------------------------------------------------------------------
st.subheader(tr("feedback.add_input"), anchor=False)
with st.container(border=True, key="feedback_input_form"):
    st.selectbox(tr("feedback.meeting"), list(meeting_names), key="feedback_meeting", index=None,
                 format_func=meeting_names.get, placeholder=tr("feedback.no_meeting"))
    st.text_input(tr("feedback.topic"), key="feedback_topic", max_chars=200)
    st.text_area(tr("feedback.body"), key="feedback_body", max_chars=5000)
    left, right = st.columns(2)
    left.date_input(tr("feedback.given_date"), key="feedback_given_date", value=None, format=date_format())
    right.text_input(tr("feedback.addressed_to"), key="feedback_addressed_to", max_chars=200)
    st.button(tr("feedback.input_submit"), key="feedback_input_submit", on_click=_add_input, type="primary")
    adding.outcome("feedback_input", "feedback_input_submit",
                   labels={f: tr(f"feedback.{f}") for f in ("meeting", "topic", "body", "given_date", "addressed_to")})

# -- the inputs and what came of them -------------------------------------------------------------------
st.subheader(tr("feedback.inputs"), anchor=False)
items = feedback.inputs(store, session.actor(), network_id)
if not items:
    st.info(tr("feedback.inputs_none"))
else:
    cols = {k: tr(f"feedback.col.{k}") for k in ("given_date", "topic", "addressed_to", "status")}
    frame = pd.DataFrame({
        cols["given_date"]: [i["given_date"] for i in items],
        cols["topic"]: [i["topic"] for i in items],
        cols["addressed_to"]: [i["addressed_to"] or "" for i in items],
        cols["status"]: [label("response_status", i["status"]) if i["status"] else tr("feedback.no_response")
                         for i in items],
    })
    input_id = tables.picked("feedback_inputs_table", frame, [i["id"] for i in items],
                             select=state.pop("feedback_new", None), clear=RESPONSE_FIELDS, column_config={
                                 cols["given_date"]: st.column_config.DateColumn(cols["given_date"],
                                                                                 format=date_format())})
    item = next((i for i in items if i["id"] == input_id), None)
    if item is None:
        st.caption(tr("list.pick"))
    else:
        with st.container(border=True, key="feedback_selected"):
            st.subheader(escape(item["topic"]), anchor=False)
            if item["body"]:
                st.text(item["body"])
            if item["responses"]:
                r_cols = {k: tr(f"feedback.col.{k}") for k in ("response_date", "status", "action_taken", "reason")}
                st.dataframe(pd.DataFrame({
                    r_cols["response_date"]: [fmt_date(r["response_date"]) for r in item["responses"]],
                    r_cols["status"]: [label("response_status", r["status"]) for r in item["responses"]],
                    r_cols["action_taken"]: [r["action_taken"] for r in item["responses"]],
                    r_cols["reason"]: [r["reason"] or "" for r in item["responses"]],
                }), hide_index=True, key="feedback_responses_table")
            st.markdown(f"**{tr('feedback.add_response')}**")
            st.text_area(tr("feedback.action_taken"), key="feedback_action_taken", max_chars=5000)
            left, right = st.columns(2)
            left.selectbox(tr("feedback.status"), feedback.RESPONSE_STATUSES, key="feedback_status",
                           format_func=lambda s: label("response_status", s), placeholder=tr("app.choose"))
            right.date_input(tr("feedback.response_date"), key="feedback_response_date", value=None,
                             format=date_format())
            st.text_input(tr("feedback.reason"), key="feedback_reason", max_chars=2000)
            st.button(tr("feedback.response_submit"), key="feedback_response_submit", on_click=_respond,
                      args=(item["id"],))
    responding.outcome("feedback_response_box", "feedback_response_submit",
                       labels={f: tr(f"feedback.{f}") for f in ("action_taken", "status", "reason", "response_date")})

# -- a personal overview --------------------------------------------------------------------------------
st.subheader(tr("feedback.personal"), anchor=False)
people = feedback.attendees(store, session.actor(), network_id)
if not people:
    st.info(tr("feedback.personal_nobody"))
else:
    names = {p["person_id"]: display_name(p["given_name"], p["family_name"]) for p in people}
    person_id = st.selectbox(tr("feedback.person"), list(names), key="feedback_person", format_func=names.get,
                             placeholder=tr("app.choose"))
    language = st.radio(tr("feedback.language"), feedback.LANGUAGES, key="feedback_language", horizontal=True,
                        format_func=lambda code: tr(f"feedback.language_{code}"))
    downloads.personal_download(
        tr("feedback.download"),
        lambda: feedback.to_html(feedback.personal(store, actor, person_id), language).encode("utf-8"),
        f"ons-advies-{person_id}-{language}.html", "text/html", "feedback_download")
