"""Alumni: who is active and who rests this period, the rotation proposal to confirm, referrals per alumnus.

Coordinators see alumni by number (A-<membership>), never by name; program managers see names.
"""
import datetime as dt

import pandas as pd
import streamlit as st

from crm_app.core import permissions
from crm_app.core.fields import display_name
from crm_app.networks import alumni, reasons
from crm_app.privacy import exports
from crm_app.ui import actions, downloads, session, tables, widgets
from crm_app.ui.resources import get_store
from crm_app.ui.text import escape, fmt_date, lang, tr, trn

user = session.require("alumni.view")
store = get_store()
state = st.session_state
buttons = actions.Buttons("alumni")
referrals = actions.Buttons("alumni_referral")
can_set = permissions.allowed(user.role, "network.manage")
can_rotate = permissions.allowed(user.role, "alumni.rotate")

st.title(tr("alumni.title"), anchor=False)
network_id = widgets.network_select("alumni", alumni.alumni_networks(store, session.actor()))
if network_id is None:
    st.stop()


@actions.callback
def _save_setting() -> None:
    buttons.run(alumni.save_setting, network_id, state.get("alumni_active_places"), state.get("alumni_period_months"),
                state.get("alumni_active_periods"), state.get("alumni_method"), flash=tr("alumni.setting_saved"))


@actions.callback
def _link(source_id: int) -> None:
    referrals.run(alumni.link_referral, source_id, state.get("alumni_link"), flash=tr("alumni.linked"))


buttons.show_outcome({f: tr(f"field.{f}") for f in ("active_places", "period_months", "active_periods")}
                     | {"method": tr("alumni.method")})

view = alumni.overview(store, session.actor(), network_id)
if not view.show_names:
    st.caption(tr("alumni.names_hidden"))

# -- the setting ----------------------------------------------------------------------------------------
st.subheader(tr("alumni.setting"), anchor=False)
if view.setting:
    st.markdown(tr("alumni.setting_text", places=view.setting.active_places,
                   months=trn("alumni.months", view.setting.period_months),
                   periods=trn("alumni.periods", view.setting.active_periods))
                + " " + tr("alumni.method_text", method=tr(f"alumni.method.{view.setting.method}")))
else:
    st.info(tr("alumni.no_setting"))
if can_set:
    if state.get("alumni_setting_for") != network_id:
        current = view.setting
        state["alumni_active_places"] = str(current.active_places if current else min(10, view.max_places))
        state["alumni_period_months"] = current.period_months if current else 6
        state["alumni_active_periods"] = str(current.active_periods if current else 1)
        state["alumni_method"] = current.method if current else alumni.METHODS[0]
        state["alumni_setting_for"] = network_id
    with st.expander(tr("alumni.setting"), expanded=view.setting is None):
        first, second, third = st.columns(3)
        first.text_input(tr("field.active_places"), key="alumni_active_places", max_chars=4)
        second.selectbox(tr("field.period_months"), alumni.PERIOD_MONTHS, key="alumni_period_months",
                         placeholder=tr("app.choose"))
        third.text_input(tr("field.active_periods"), key="alumni_active_periods", max_chars=2)
        st.radio(tr("alumni.method"), alumni.METHODS, key="alumni_method", horizontal=True,
                 format_func=lambda m: tr(f"alumni.method.{m}"), help=tr("alumni.method_help"))
        st.button(tr("alumni.save_setting"), key="alumni_save_setting", on_click=_save_setting)

# -- this period ----------------------------------------------------------------------------------------
active = [a for a in view.alumni if a.active]
left, middle, right = st.columns(3)
left.metric(tr("alumni.count.alumni"), len(view.alumni))
middle.metric(tr("alumni.count.active"), len(active))
right.metric(tr("alumni.count.resting"), len(view.alumni) - len(active))
if view.period:
    st.caption(tr("alumni.period", start=fmt_date(view.period[0]),
                  end=fmt_date(view.period[1] - dt.timedelta(days=1))))
    if not view.period_confirmed:
        st.warning(tr("alumni.period_unconfirmed"))
if view.targets:
    places = view.setting.active_places if view.setting else view.max_places
    st.caption(tr("alumni.targets") + ": " + "; ".join(escape(reasons.target_text(t, places, lang())) for t in view.targets))

# -- proposals --------------------------------------------------------------------------------------------
if view.setting:
    if not view.proposals:
        st.caption(tr("alumni.no_proposal"))
    for proposal in view.proposals:
        with st.container(border=True, key=f"alumni_proposal_{proposal['id']}"):
            st.markdown("**" + tr("alumni.proposal", start=fmt_date(proposal["start"]),
                                  end=fmt_date(proposal["end"] - dt.timedelta(days=1)),
                                  count=len(proposal["rows"])) + "**")
            drawn = proposal["seed"] is not None
            if drawn and proposal["minimum"] is not None:
                st.caption(tr("alumni.drawn", seed=proposal["seed"], minimum=reasons.percent(proposal["minimum"], lang())))
            elif drawn:
                st.caption(tr("alumni.drawn_seed", seed=proposal["seed"]))
            columns = {tr("alumni.col.alumnus"): [a.label(view.show_names) for a, _ in proposal["rows"]]}
            if drawn:     # the chance of each drawn alumnus (the continuing ones keep their place: no chance)
                columns[tr("alumni.col.chance")] = [alumni.chance(r) for _, r in proposal["rows"]]
            columns[tr("alumni.col.reason")] = [reasons.describe_all(r, lang()) for _, r in proposal["rows"]]
            # a chance as the language writes it (7,7% in Dutch), sorted by the number behind it
            chances = {tr("alumni.col.chance"): lambda p: reasons.percent(p, lang())} if drawn else {}
            st.dataframe(pd.DataFrame(columns).style.format(chances, na_rep=""), hide_index=True, width="stretch",
                         key=f"alumni_proposal_table_{proposal['id']}")
            for reason in proposal["unmet"]:
                st.warning(reasons.describe(reason, lang()))
            if can_rotate:
                one, two = st.columns(2)
                one.button(tr("alumni.confirm"), key=f"alumni_confirm_{proposal['id']}", type="primary",
                           on_click=buttons.run, args=(alumni.confirm, proposal["id"]),
                           kwargs={"flash": tr("alumni.confirmed")}, width="stretch")
                two.button(tr("alumni.repropose"), key=f"alumni_repropose_{proposal['id']}", on_click=buttons.run,
                           args=(alumni.repropose, network_id), kwargs={"flash": tr("alumni.reproposed")},
                           width="stretch")

# -- everyone, with their referrals -----------------------------------------------------------------------
st.subheader(tr("alumni.list"), anchor=False)
table = pd.DataFrame({
    tr("alumni.col.alumnus"): [a.label(view.show_names) for a in view.alumni],
    tr("alumni.col.status"): [tr("alumni.status.active" if a.active else "alumni.status.resting") for a in view.alumni],
    tr("alumni.col.since"): [fmt_date(a.since) for a in view.alumni],
    tr("alumni.col.last_active"): [fmt_date(a.last_active_end - dt.timedelta(days=1)) if a.last_active_end else ""
                                   for a in view.alumni],
    tr("alumni.col.referrals"): [a.referrals for a in view.alumni]})
st.dataframe(table, hide_index=True, width="stretch", key="alumni_table")
downloads.personal_download(tr("alumni.download"), lambda: exports.csv_bytes(table), "alumni.csv", "text/csv",
                            "alumni_download", audit_action="export.alumni")

# -- referrals that name an alumnus only in words: link them (program manager) ----------------------------
if view.show_names and permissions.allowed(user.role, "person.edit"):
    unlinked = alumni.unlinked_referrals(store, session.actor())
    if unlinked:
        options = {a.person_id: a.label(True) for a in sorted(view.alumni, key=lambda a: a.label(True))}
        with st.expander(f"{tr('alumni.link')} ({len(unlinked)})"):
            frame = pd.DataFrame({
                tr("alumni.col.referred"): [display_name(r["given_name"], r["family_name"]) for r in unlinked],
                tr("alumni.col.named"): [r["named"] or "—" for r in unlinked]})
            sid = tables.picked("alumni_link_table", frame, [r["source_id"] for r in unlinked], clear=("alumni_link",))
            if sid is None:
                st.caption(tr("list.pick"))
            else:
                choice_col, button_col = st.columns([3, 1], vertical_alignment="bottom")
                choice_col.selectbox(tr("alumni.link_choose"), list(options), key="alumni_link",
                                     format_func=options.get, index=None, placeholder=tr("field.choose"))
                button_col.button(tr("alumni.link_save"), key="alumni_link_save", on_click=_link, args=(sid,))
    referrals.outcome("alumni_link", "alumni_link_save")   # also when the last referral was just linked
