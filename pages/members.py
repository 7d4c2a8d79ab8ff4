"""Members of a network with their term end; end a membership early with a reason (the place opens)."""
import streamlit as st

from crm_app.core.fields import display_name
from crm_app.networks import memberships, registry
from crm_app.ui import actions, session, widgets
from crm_app.ui.resources import get_store
from crm_app.ui.text import fmt_date, label, tr, trn

user = session.require("members.view")
store = get_store()
state = st.session_state
buttons = actions.Buttons("members")

st.title(tr("members.title"), anchor=False)
network_id = widgets.network_select("members", registry.list_networks(store, session.actor()))
if network_id is None:
    st.stop()


@actions.callback
def _end(membership_id: int) -> None:
    buttons.run(memberships.end_early, membership_id, state.get(f"members_end_reason_{membership_id}"),
                state.get(f"members_end_note_{membership_id}"), flash=tr("members.ended"))


buttons.show_outcome({"end_reason": tr("members.end_reason"), "end_note": tr("members.end_note")})

rows = memberships.members(store, session.actor(), network_id)
network = registry.get(store, session.actor(), network_id)
st.caption(trn("members.count", len(rows), places=network.max_places))
for row in rows:
    with st.container(border=True, key=f"members_row_{row['id']}"):
        widgets.page_link("pages/person.py", display_name(row["given_name"], row["family_name"]),
                     icon=":material/person:", query_params={"id": str(row["person_id"])})
        st.caption(tr("members.term", start=fmt_date(row["start_date"]), end=fmt_date(row["planned_end_date"]),
                      number=row["term_number"]))
        with st.popover(tr("members.end")):
            st.radio(tr("members.end_reason"), memberships.EARLY_END_REASONS, key=f"members_end_reason_{row['id']}",
                     format_func=lambda r: label("end_reason", r))
            st.text_input(tr("members.end_note"), key=f"members_end_note_{row['id']}", max_chars=500)
            st.button(tr("members.end_submit"), key=f"members_end_submit_{row['id']}", on_click=_end, args=(row["id"],))
