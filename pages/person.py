"""One person: contact details, stage, sources, consents and contact moments; edit and log contact."""
import datetime as dt

import streamlit as st

from crm_app.core import i18n, permissions, reference
from crm_app.core.clock import today
from crm_app.core.errors import NotFound, ValidationError
from crm_app.core.fields import display_name, format_phone, record_id
from crm_app.networks import registry, waitlists
from crm_app.people import activities, persons
from crm_app.people.stages import MANUAL_STAGES
from crm_app.ui import actions, feedback, session, widgets
from crm_app.ui.resources import get_store
from crm_app.ui.text import date_format, escape, fmt_date, fmt_datetime, label, lang, tr, tr_md

SCREEN = "person"
user = session.require("person.view")
store = get_store()
state = st.session_state
buttons = actions.Buttons("person_waitlist")   # the add-to-waiting-list button in the overview

person_id = record_id(st.query_params.get("id", ""))
if person_id is None:
    st.info(tr("person.choose"))
    widgets.page_link("pages/find.py", tr("nav.find"), icon=":material/search:")
    st.stop()
try:
    person = persons.get(store, session.actor(), person_id, record_view=state.get("person_viewed_id") != person_id)
    state["person_viewed_id"] = person_id  # one audit event per opening, not one per redraw
except NotFound:
    st.error(tr("person.not_found"))
    st.stop()

if state.get("person_loaded_id") != person_id:
    widgets.load_person_state(SCREEN, persons.to_input(person))
    state["person_loaded_id"] = person_id
    state["person_errors"] = {}
    state["person_stage"] = person["stage_manual"] or ""


@actions.callback
def _save_edit() -> None:
    try:
        persons.update(store, session.actor(), person_id, widgets.read_person(SCREEN),
                       consent_method=state.get("person_consent_method", "verbal"))
    except ValidationError as exc:
        state["person_errors"] = i18n.field_errors(exc, lang())
        return
    state["person_errors"] = {}
    state["person_flash"] = tr("person.saved")
    state.pop("person_loaded_id", None)  # reload the stored, normalised values


@actions.callback
def _save_stage() -> None:
    persons.set_stage(store, session.actor(), person_id, state.get("person_stage") or None)
    state["person_flash"] = tr("person.saved")


@actions.callback
def _log_activity() -> None:
    try:
        activities.log(store, session.actor(), person_id, state.get("person_activity_kind"),
                       state.get("person_activity_summary"), state.get("person_activity_follow_up"))
    except ValidationError as exc:
        state["person_activity_errors"] = i18n.field_errors(exc, lang())
        return
    state["person_activity_errors"] = {}
    state["person_activity_summary"] = ""
    state["person_activity_follow_up"] = None
    state["person_flash"] = tr("person.activity_saved")


@actions.callback
def _add_to_waitlist() -> None:
    buttons.run(waitlists.add, state["person_waitlist_network"], person_id, flash=tr("person.waitlist_added"))


st.title(escape(display_name(person["given_name"], person["family_name"])), anchor=False)
st.caption(f"#{person_id} · {label('stage', person['stage'])} · "
           + tr("person.registered_on", date=fmt_datetime(person["created_utc"])))
flash = state.pop("person_flash", None)


def _flash_after(button: str) -> str | None:
    """The success text, beside the button that saved it (edit, stage and contact share `person_flash`)."""
    return flash if feedback.pressed(button) else None


overview, edit, contact = st.tabs([tr("person.tab.overview"), tr("person.tab.edit"), tr("person.tab.contact")])

with overview:
    st.subheader(tr("person.contact_details"), anchor=False)
    preferred = person["preferred_language"]
    st.markdown(
        f"- {tr('field.phone')}: {format_phone(person['phone_e164']) or '—'}\n"
        f"- {tr('field.email')}: {escape(person['email'] or '—')}\n"
        f"- {tr('field.preferred_language')}: {reference.language_name(preferred, lang()) if preferred else '—'}\n"
        f"- {tr('field.other_languages')}: "
        f"{', '.join(reference.language_name(c, lang()) for c in person['other_languages'] or []) or '—'}"
    )
    if person["note"]:
        st.text(person["note"])
    if person["interests"]:
        st.markdown(tr_md("person.interested_in", networks=", ".join(i["network"] for i in person["interests"])))

    st.subheader(tr("person.sources"), anchor=False)
    for index, source in enumerate(person["sources"]):
        parts = [label("source_kind", source["kind"]),
                 *(escape(source[k]) for k in ("source_name", "source_org") if source[k]),
                 fmt_date(source["source_date"]), escape(source["detail"] or "")]
        first = f" ({tr('person.first_source')})" if index == 0 else ""
        st.markdown("- " + " · ".join(p for p in parts if p) + first)

    st.subheader(tr("person.consents"), anchor=False)
    for purpose in reference.CONSENT_PURPOSES:
        given = person["consents"].get(purpose)
        status = tr("person.not_asked") if given is None else tr("person.given" if given else "person.withdrawn")
        st.markdown(f"- {label('consent_purpose', purpose)}: {status}")
    st.caption(tr("person.consent_change_hint"))
    with st.expander(tr("person.consent_history")):   # every give and withdraw, newest first; nothing overwritten
        st.dataframe(
            [{tr("person.consent_purpose"): label("consent_purpose", c["purpose"]),
              tr("person.consent_given"): tr("register.merge.yes" if c["granted"] else "register.merge.no"),
              tr("person.consent_recorded"): fmt_datetime(c["recorded_utc"]),
              tr("field.consent_method"): label("consent_method", c["method"]),
              tr("person.consent_version"): c["text_version"],
              tr("person.consent_recorded_by"): c["recorded_by"] or ""}
             for c in person["consent_history"]], hide_index=True, width="stretch")

    if person["consents"].get("diversity_statistics"):
        st.subheader(tr("person.dimensions"), anchor=False)
        countries = reference.countries(lang())
        shown = {
            "gender": label("gender", person["gender"]) if person["gender"] else None,
            "birth_year": person["birth_year"],
            "country_of_origin": countries.get(person["country_of_origin"]) if person["country_of_origin"] else None,
            "education_level": label("education_level", person["education_level"]) if person["education_level"] else None,
            "municipality": escape(person["municipality"]) if person["municipality"] else None,
            "district": escape(person["district"]) if person["district"] else None,
            "arrival_year": person["arrival_year"],
            "integration_route": label("integration_route", person["integration_route"])
            if person["integration_route"] else None,
        }
        st.markdown("\n".join(f"- {tr('field.' + k)}: {v if v is not None else '—'}" for k, v in shown.items()))

    st.subheader(tr("person.networks"), anchor=False)
    lines = [f"- {escape(w['network'])}: {label('waitlist_status', w['status'])} · {fmt_datetime(w['joined_utc'])}"
             for w in person["waitlists"]]
    lines += [f"- {escape(o['network'])}: {tr('nav.fill')} · {label('offer_status', o['status'])} · "
              f"{tr('fill.deadline', date=fmt_date(o['deadline_date']))}" for o in person["offers"]]
    lines += [f"- {escape(m['network'])}: " + tr("members.term", start=fmt_date(m["start_date"]),
                                          end=fmt_date(m["actual_end_date"] or m["planned_end_date"]),
                                          number=m["term_number"])
              + (f" · {label('end_reason', m['end_reason'])}" if m["end_reason"] else "")
              for m in person["memberships"]]
    lines += [f"- {escape(r['network'])}: {tr('person.resting', until=fmt_date(r['resting_until']))}"
              for r in person["resting"]]
    st.markdown("\n".join(lines) if lines else tr("person.no_networks"))
    if permissions.allowed(user.role, "waitlist.manage"):
        options = {n.id: n.name for n in registry.list_networks(store, session.actor())}
        if options:
            left, right = st.columns([3, 2])
            left.selectbox(tr("field.network"), list(options), key="person_waitlist_network",
                           placeholder=tr("app.choose"), format_func=options.get,
                           label_visibility="collapsed")
            right.button(tr("person.add_to_waitlist"), key="person_waitlist_add", on_click=_add_to_waitlist)
            buttons.show_outcome()

    st.subheader(tr("person.activities"), anchor=False)
    if not person["activities"]:
        st.caption(tr("person.no_activities"))
    for item in person["activities"]:
        follow = ""
        if item["follow_up_date"] and not item["follow_up_done"]:
            follow = " · " + tr("person.follow_up_on", date=fmt_date(item["follow_up_date"]))
        st.markdown(f"- {fmt_datetime(item['occurred_utc'])} · {label('activity_kind', item['kind'])}"
                    f" · {escape(item['staff'] or '')}{follow}")
        if item["summary"]:
            st.text(item["summary"])

with edit:
    errors = state.get("person_errors", {})
    widgets.contact_fields(SCREEN, errors)
    st.markdown(f"**{tr('register.section.consent')}**")
    referred = any(s["kind"] in reference.REFERRER_SOURCE_KINDS for s in person["sources"])
    widgets.consent_fields(SCREEN, errors, referrer=referred or bool(person["consents"].get("share_with_referrer")),
                           given=person["consents"])
    widgets.dimension_fields(SCREEN, errors)
    widgets.note_field(SCREEN, errors)
    feedback.outcome(SCREEN, after=("person_save",), success=_flash_after("person_save"), errors=errors)
    st.button(tr("person.save"), key="person_save", type="primary", on_click=_save_edit, width="stretch")
    st.divider()
    st.selectbox(tr("field.stage"), ["", *MANUAL_STAGES], key="person_stage", placeholder=tr("app.choose"),
                 format_func=lambda v: label("stage", v) if v else tr("person.stage_auto"))
    feedback.outcome(SCREEN, after=("person_stage_submit",), success=_flash_after("person_stage_submit"))
    st.button(tr("person.stage_save"), key="person_stage_submit", on_click=_save_stage)

with contact:
    activity_errors = state.get("person_activity_errors", {})
    st.selectbox(tr("field.activity_kind"), reference.ACTIVITY_KINDS, key="person_activity_kind",
                 placeholder=tr("app.choose"),
                 format_func=lambda v: label("activity_kind", v))
    widgets.field_error(activity_errors, "activity_kind")
    st.text_area(tr("field.activity_summary"), key="person_activity_summary", max_chars=2000, height=90)
    widgets.field_error(activity_errors, "activity_summary")
    state.setdefault("person_activity_follow_up", None)
    st.date_input(tr("field.activity_follow_up"), key="person_activity_follow_up",
                  min_value=today(), max_value=today() + dt.timedelta(days=730), format=date_format())
    widgets.field_error(activity_errors, "activity_follow_up")
    feedback.outcome(SCREEN, after=("person_activity_submit",), success=_flash_after("person_activity_submit"),
                     errors=activity_errors)
    st.button(tr("person.activity_submit"), key="person_activity_submit", type="primary", on_click=_log_activity,
              width="stretch")

# -- subject access: everything held about this person, as JSON and HTML --
if permissions.allowed(user.role, "person.subject_access"):
    from crm_app.ui.privacy import subject_access_buttons
    subject_access_buttons(store, person_id)
