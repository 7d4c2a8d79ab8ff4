"""Fill places: a proposal with reasons by the chosen method, then offers with a deadline and their answers.

After a decline the method starts at the declined offer's (also in a session that did not make the offer), and
a lottery at its seed. A lottery keeps its seed in `fill_seed`, so a rerun draws the same panel; its chances are
computed once per pool and targets (the service remembers them) in a background job kept in `fill_lottery_job`:
a quick one shows at once, a long one shows its progress and a stop button while the screen stays usable.
Answering an offer cannot be undone, so each answer asks to confirm first; the question stays open
through `fill_confirm` in session state until confirmed or cancelled."""
import pandas as pd
import streamlit as st

from crm_app.core import permissions
from crm_app.core.errors import CrmError
from crm_app.core.fields import display_name
from crm_app.core.i18n import error_text
from crm_app.networks import lottery, offers, reasons, registry, selection
from crm_app.people.messages import fatigue
from crm_app.ui import actions, background, messages, session, widgets
from crm_app.ui.resources import get_store
from crm_app.ui.text import escape, fmt_date, lang, tr, trn

user = session.require("places.fill")
store = get_store()
state = st.session_state
buttons = actions.Buttons("fill")
QUICK_SECONDS = 1.5     # a lottery done within this shows at once; a longer one shows its progress

st.title(tr("fill.title"), anchor=False)
network_id = widgets.network_select("fill", registry.list_networks(store, session.actor()))
if network_id is None:
    st.stop()


@actions.callback
def _make_offers(plan: selection.FillPlan) -> None:
    buttons.run(offers.make, plan.network_id, [p.candidate.entry_id for p in plan.proposals], plan.method,
                {p.candidate.entry_id: p.reasons for p in plan.proposals}, plan.draw,
                flash=lambda made: trn("fill.offers_made", len(made)))


@actions.callback
def _new_seed() -> None:
    state["fill_seed"] = lottery.new_seed()


@actions.callback
def _stop_lottery(job: background.Job) -> None:
    job.cancel()


@actions.callback
def _compute_again() -> None:
    state.pop("fill_lottery_job", None)


@actions.callback
def _relax(plan: selection.FillPlan) -> None:
    changes = [(r.bound.target.id, r.bound.side, r.relaxed) for r in plan.draw.relaxations]
    buttons.run(registry.relax_targets, plan.network_id, changes, flash=lambda _: tr("fill.lottery.relaxed"))


@actions.callback
def _ask(offer_id: int, response: str) -> None:
    state["fill_confirm"] = (offer_id, response)


@actions.callback
def _cancel() -> None:
    state.pop("fill_confirm", None)


@actions.callback
def _respond(offer_id: int, response: str) -> None:
    state.pop("fill_confirm", None)
    buttons.run(offers.respond, offer_id, response, flash=lambda result: tr(f"fill.offer_{result['status']}"))


def _answers(item: dict, name: str, network: str) -> None:
    """The three answers, or — once one is chosen — the question whether to record it."""
    asked = state.get("fill_confirm")
    if asked is None or asked[0] != item["id"]:
        accept, decline, withdraw = st.columns(3)
        for column, response in ((accept, "accept"), (decline, "decline"), (withdraw, "withdraw")):
            column.button(tr(f"fill.{response}"), key=f"fill_{response}_{item['id']}", on_click=_ask,
                          args=(item["id"], response))
        return
    response = asked[1]
    st.warning(tr(f"fill.confirm.{response}", name=escape(name), network=escape(network)))
    yes, no = st.columns(2)
    yes.button(tr(f"fill.confirm_yes.{response}"), key=f"fill_confirm_{item['id']}", type="primary",
               on_click=_respond, args=(item["id"], response))
    no.button(tr("fill.confirm_cancel"), key=f"fill_cancel_{item['id']}", on_click=_cancel)


buttons.show_outcome()

decline = selection.pending_decline(store, session.actor(), network_id)
if decline is not None and ("fill_method" not in state or state.get("fill_method_after") != decline.offer_id):
    # a new decline (or a fresh radio): the next candidate by the declined offer's method
    state["fill_method"] = decline.method
    state["fill_method_after"] = decline.offer_id
st.radio(tr("fill.method"), selection.METHODS, key="fill_method", horizontal=True,
         format_func=lambda m: tr(f"fill.method.{m}"))
st.caption(tr(f"fill.method_help.{state['fill_method']}"))
if decline is not None and state["fill_method"] == decline.method:
    st.info(tr("fill.after_decline", name=escape(display_name(decline.given_name, decline.family_name)),
               method=tr(f"fill.method.{decline.method}")), icon=":material/info:")
lottery_chosen = state["fill_method"] == "lottery"
if lottery_chosen and ("fill_seed" not in state or state.get("fill_seed_after") != (decline and decline.offer_id)):
    # the seed of a declined lottery offer awaiting its next candidate, else a new one
    state["fill_seed"] = decline.seed if decline is not None and decline.seed else lottery.new_seed()
    state["fill_seed_after"] = decline and decline.offer_id
# (a lottery learns the open places first without drawing: it is drawn once, for the places asked)
plan = selection.propose(store, session.actor(), network_id, 0 if lottery_chosen else None, state["fill_method"])
if state.get("fill_places_network") != network_id or state.get("fill_places_open") != plan.open_places:
    # a new network, or the open places changed (offers made, declined, expired): propose them all
    state["fill_places"] = plan.open_places
    state["fill_places_network"] = network_id
    state["fill_places_open"] = plan.open_places
st.number_input(tr("fill.places"), min_value=0, max_value=max(plan.open_places, 0), key="fill_places")


def _lottery_plan() -> selection.FillPlan | None:
    """The draw, computed in a background job: shown at once when it is quick, else with its progress and a
    stop button until it is done. None while it computes or after it was stopped."""
    seed_column, new_column = st.columns([3, 1], vertical_alignment="bottom")
    seed_column.number_input(tr("fill.lottery.seed"), min_value=1, step=1, key="fill_seed",
                             help=tr("fill.lottery.seed_help"))
    new_column.button(tr("fill.lottery.new_seed"), key="fill_new_seed", on_click=_new_seed)
    key = (network_id, state["fill_places"], int(state["fill_seed"]))
    job = state.get("fill_lottery_job")
    stopped = job is not None and job.key == key and isinstance(job.error, CrmError)
    if not stopped and (job is None or job.key != key or job.done):  # (done again: the lottery is remembered)
        if job is not None:
            job.cancel()
        actor = session.actor()
        job = state["fill_lottery_job"] = background.Job(key, lambda report: selection.propose(
            store, actor, network_id, key[1], "lottery", seed=key[2], progress=report))
    if not job.wait(QUICK_SECONDS):
        _lottery_progress(job)
        return None
    if job.error is None:
        return job.result
    if not isinstance(job.error, CrmError):
        raise job.error
    st.info(error_text(job.error, lang()))
    st.button(tr("fill.lottery.compute_again"), key="fill_lottery_again", on_click=_compute_again)
    return None


@st.fragment(run_every=0.5)
def _lottery_progress(job: background.Job) -> None:
    if job.done:
        st.rerun()
    done = job.progress
    st.progress(done.share if done else 0.0, text=tr("fill.lottery.computing") if done is None else trn(
        "fill.lottery.progress", done.panels, candidates=done.candidates))
    st.button(tr("fill.lottery.stop"), key="fill_lottery_stop", on_click=_stop_lottery, args=(job,))


def _show_chances(draw: selection.Draw) -> None:
    shown = draw.distribution
    if shown.uniform:
        st.caption(tr("fill.lottery.summary_uniform", minimum=reasons.percent(shown.minimum, lang()), seed=draw.seed))
    else:
        st.caption(trn("fill.lottery.summary", shown.panel_count, minimum=reasons.percent(shown.minimum, lang()),
                       seed=draw.seed))
    with st.expander(tr("fill.lottery.chances")):
        chance = dict(zip(shown.person_ids, shown.probabilities))
        frame = pd.DataFrame({tr("fill.lottery.name"): [display_name(*draw.names[pid]) for pid in draw.names],
                              tr("fill.lottery.chance"): [chance[pid] for pid in draw.names]})
        # shown as the language writes a chance (7,7% in Dutch), sorted by the number behind it
        st.dataframe(frame.style.format({tr("fill.lottery.chance"): lambda p: reasons.percent(p, lang())}),
                     hide_index=True, key="fill_chances")


if lottery_chosen:
    plan = _lottery_plan() or plan
elif state["fill_places"] != plan.open_places:
    plan = selection.propose(store, session.actor(), network_id, state["fill_places"], state["fill_method"])
if plan.draw is not None and plan.draw.distribution is not None:
    _show_chances(plan.draw)

st.subheader(trn("fill.proposal", plan.open_places), anchor=False)
requests = fatigue.of_persons(store, session.actor(), [p.candidate.person_id for p in plan.proposals])
for proposal in plan.proposals:
    c = proposal.candidate
    with st.container(border=True, key=f"fill_proposal_{c.entry_id}"):
        widgets.page_link("pages/person.py", f"{display_name(c.given_name, c.family_name)} (#{c.person_id})",
                     icon=":material/person:", query_params={"id": str(c.person_id)})
        st.caption(reasons.describe_all(proposal.reasons, lang()))
        messages.fatigue_warning(requests.get(c.person_id))
for reason in plan.unmet:
    st.warning(reasons.describe(reason, lang()))
if plan.draw is not None and plan.draw.relaxations and permissions.allowed(user.role, "network.manage"):
    st.button(tr("fill.lottery.accept_relaxation"), key="fill_relax", on_click=_relax, args=(plan,))
if plan.proposals:
    st.button(trn("fill.make_offers", len(plan.proposals)), key="fill_make_offers", type="primary",
              on_click=_make_offers, args=(plan,), width="stretch")

st.subheader(tr("fill.open_offers"), anchor=False)
open_list = offers.open_offers(store, session.actor(), network_id)
if not open_list:
    st.caption(tr("fill.no_open_offers"))
for item in open_list:
    with st.container(border=True, key=f"fill_offer_{item['id']}"):
        name = display_name(item["given_name"], item["family_name"])
        widgets.page_link("pages/person.py", f"{name} (#{item['person_id']})",
                     icon=":material/person:", query_params={"id": str(item["person_id"])})
        st.caption(tr("fill.deadline", date=fmt_date(item["deadline_date"])) + " · "
                   + tr(f"fill.method.{item['method']}"))
        messages.contact_box("fill", "offer", item["person_id"], item["id"], suffix=item["id"])
        _answers(item, name, plan.network_name)
