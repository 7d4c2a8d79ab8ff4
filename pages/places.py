"""Open places: one compact row per network (open now, on offer, opening soon, targets short), with filters;
the network picked in the table shows its details below. Two hundred networks stay one table."""
import pandas as pd
import streamlit as st

from crm_app.core import permissions
from crm_app.networks import reasons, registry
from crm_app.privacy import exports
from crm_app.ui import session, tables, widgets
from crm_app.ui.resources import get_store
from crm_app.ui.text import escape, label, lang, tr, trn

user = session.require("network.view")
store = get_store()
can_fill = permissions.allowed(user.role, "places.fill")

st.title(tr("places.title"), anchor=False)
rows = registry.overview(store, session.actor())
if not rows:
    st.info(tr("networks.none"))
    st.stop()

search_col, kind_col = st.columns(2)
search = search_col.text_input(tr("list.search"), key="places_search", max_chars=100,
                               placeholder=tr("places.search_placeholder"))
kinds = sorted({r.kind for r in rows}, key=lambda k: label("network_kind", k))
kind = kind_col.selectbox(tr("places.kind"), [None, *kinds], key="places_kind", placeholder=tr("app.choose"),
                          format_func=lambda k: tr("places.kind_any") if k is None else label("network_kind", k))
open_col, short_col = st.columns(2)
only_open = open_col.toggle(tr("places.only_open"), key="places_only_open")
only_short = short_col.toggle(tr("places.only_short"), key="places_only_short")
shown = [r for r in tables.search(rows, search, lambda r: r.name)
         if (kind is None or r.kind == kind) and (not only_open or (r.open_now and r.active_alumni is None))
         and (not only_short or r.targets_short)]
st.caption(trn("places.shown", len(rows), shown=len(shown)))

table = pd.DataFrame({
    tr("places.network"): [r.name for r in shown],
    tr("places.members"): [f"{r.members}/{r.max_places}" for r in shown],
    tr("places.on_offer"): [r.on_offer for r in shown],
    # an alumni network has no places to fill: alumni take turns being active
    tr("places.open_now"): pd.array([None if r.active_alumni is not None else r.open_now for r in shown], dtype="Int64"),
    tr("places.opening_soon"): [r.opening_soon for r in shown],
    tr("places.waiting"): [r.waiting for r in shown],
    tr("places.below_min"): [tr("places.below_min_text", min=r.min_places) if r.below_min else "" for r in shown],
    tr("places.targets_short"): [f"{r.targets_short} {tr('target.short')}" if r.targets_short else tr("target.met")
                                 for r in shown],
})
wanted = st.query_params.get("network", "")
ids = [r.network_id for r in shown]
picked = tables.picked("places_table", table, ids,
                       select=int(wanted) if wanted.isdigit() else (ids[0] if len(ids) == 1 else None))
st.download_button(tr("places.download"), exports.csv_bytes(table), "open_places.csv",
                   "text/csv", key="places_download")

row = next((r for r in shown if r.network_id == picked), None)
if row is None:
    st.caption(tr("places.pick"))
    st.stop()

status_text = {"met": ":material/check_circle: " + tr("target.met"), "short": ":material/warning: " + tr("target.short"),
               "over": ":material/warning: " + tr("target.over")}
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
        st.markdown(f"- {escape(reasons.target_text(target, row.max_places, lang()))}: {status_text[now]}"
                    + (f" → {tr('places.with_offers')}: {status_text[after]}" if after != now else ""))
    if can_fill and row.open_now and row.active_alumni is None:
        widgets.page_link("pages/fill.py", tr("places.fill_link"), icon=":material/group_add:",
                          query_params={"network": str(row.network_id)})
