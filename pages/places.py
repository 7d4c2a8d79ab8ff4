"""Open places: per network the places open now, on offer, opening soon; shortfalls stand out."""
import pandas as pd
import streamlit as st

from crm_app.core import permissions
from crm_app.networks import reasons, registry
from crm_app.privacy import exports
from crm_app.ui import session, widgets
from crm_app.ui.resources import get_store
from crm_app.ui.text import escape, label, lang, tr

user = session.require("network.view")
store = get_store()
can_fill = permissions.allowed(user.role, "places.fill")

st.title(tr("places.title"), anchor=False)
rows = registry.overview(store, session.actor())
if not rows:
    st.info(tr("networks.none"))
    st.stop()

table = pd.DataFrame([{
    tr("places.network"): r.name,
    tr("places.members"): f"{r.members}/{r.max_places}",
    tr("places.on_offer"): r.on_offer,
    tr("places.open_now"): None if r.active_alumni is not None else r.open_now,   # an alumni network: none to fill
    tr("places.opening_soon"): r.opening_soon,
    tr("places.waiting"): r.waiting,
    tr("places.below_min"): tr("places.below_min_text", min=r.min_places) if r.below_min else "",
    tr("places.targets_short"): f"{r.targets_short} {tr('target.short')}" if r.targets_short else tr("target.met"),
} for r in rows])
st.dataframe(table, hide_index=True, width="stretch", key="places_table")
st.download_button(tr("places.download"), exports.csv_bytes(table), "open_places.csv",
                   "text/csv", key="places_download")

status_text = {"met": ":material/check_circle: " + tr("target.met"), "short": ":material/warning: " + tr("target.short"),
               "over": ":material/warning: " + tr("target.over")}
for row in rows:
    with st.container(border=True, key=f"places_network_{row.network_id}"):
        st.markdown(f"**{escape(row.name)}** · {label('network_kind', row.kind)}")
        left, middle, right = st.columns(3)
        if row.active_alumni is not None:   # alumni take turns being active: nothing to fill
            left.metric(tr("alumni.count.alumni"), row.members)
            middle.metric(tr("alumni.count.active"), row.active_alumni)
            right.metric(tr("alumni.count.resting"), row.members - row.active_alumni)
        else:
            left.metric(tr("places.open_now"), row.open_now)
            middle.metric(tr("places.on_offer"), row.on_offer)
            right.metric(tr("places.opening_soon"), row.opening_soon)
        if row.below_min:
            st.warning(tr("places.below_min_text", min=row.min_places))
        for target, now, after in row.targets:
            st.markdown(f"- {reasons.target_text(target, row.max_places, lang())}: {status_text[now]}"
                        + (f" → {tr('places.with_offers')}: {status_text[after]}" if after != now else ""))
        if can_fill and row.open_now and row.active_alumni is None:
            widgets.page_link("pages/fill.py", tr("places.fill_link"), icon=":material/group_add:",
                         query_params={"network": str(row.network_id)})
