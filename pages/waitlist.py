"""A network's waiting list: order, waiting time, "still interested?" checks; add, confirm, take off."""
import streamlit as st

from crm_app.core.fields import display_name
from crm_app.networks import registry, waitlists
from crm_app.people import persons
from crm_app.ui import actions, session, widgets
from crm_app.ui.resources import get_store
from crm_app.ui.text import escape, fmt_date, fmt_datetime, label, tr, trn

user = session.require("waitlist.view")
store = get_store()
state = st.session_state
buttons = actions.Buttons("waitlist")

st.title(tr("waitlist.title"), anchor=False)
network_id = widgets.network_select("waitlist", registry.list_networks(store, session.actor()))
if network_id is None:
    st.stop()


@actions.callback
def _end(entry_id: int) -> None:
    buttons.run(waitlists.end, entry_id, state.get(f"waitlist_end_status_{entry_id}"),
                state.get(f"waitlist_end_reason_{entry_id}"), flash=tr("waitlist.ended"))


buttons.show_outcome({"status": tr("waitlist.end_status"), "reason": tr("waitlist.end_reason")})

with st.expander(tr("waitlist.add"), icon=":material/person_add:"):
    query = st.text_input(tr("find.query"), key="waitlist_find")
    for row in persons.find(store, session.actor(), query, limit=10) if query.strip() else []:
        left, right = st.columns([3, 1])
        name = display_name(row["given_name"], row["family_name"])
        left.markdown(f"{escape(name)} (#{row['id']}) · {label('stage', row['stage'])}")
        right.button(tr("waitlist.add_button"), key=f"waitlist_add_{row['id']}", on_click=buttons.run,
                     args=(waitlists.add, network_id, row["id"]), kwargs={"flash": tr("waitlist.added")})

entries = waitlists.entries(store, session.actor(), network_id)
due = [e for e in entries if e.check_overdue]
st.caption(tr("waitlist.summary", waiting=sum(e.status == "waiting" for e in entries), due=len(due)))
only_due = st.toggle(tr("waitlist.only_due"), key="waitlist_only_due")
for entry in (due if only_due else entries):
    with st.container(border=True, key=f"waitlist_entry_{entry.id}"):
        position = f"{entry.position}. " if entry.position else ""
        widgets.page_link("pages/person.py", position + display_name(entry.given_name, entry.family_name),
                     icon=":material/person:", query_params={"id": str(entry.person_id)})
        status = label("waitlist_status", entry.status)
        check = tr("waitlist.check_overdue" if entry.check_overdue else "waitlist.check_due",
                   date=fmt_date(entry.check_due))
        st.caption(f"{status} · {trn('waitlist.since', entry.waited_days, date=fmt_datetime(entry.joined_utc))}"
                   f" · {check}")
        if entry.status == "waiting":
            st.button(tr("waitlist.confirm"), key=f"waitlist_confirm_{entry.id}", on_click=buttons.run,
                      args=(waitlists.confirm_interest, entry.id), kwargs={"flash": tr("waitlist.confirmed")})
            with st.popover(tr("waitlist.end")):
                st.radio(tr("waitlist.end_status"), ("withdrawn", "removed"), key=f"waitlist_end_status_{entry.id}",
                         format_func=lambda s: label("waitlist_status", s))
                st.text_input(tr("waitlist.end_reason"), key=f"waitlist_end_reason_{entry.id}", max_chars=500)
                st.button(tr("waitlist.end_submit"), key=f"waitlist_end_submit_{entry.id}", on_click=_end,
                          args=(entry.id,))
