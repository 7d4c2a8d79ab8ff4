"""Offers and memberships: deadline, accept → membership, decline → the next candidate, expiry,
refusals that change nothing, and ending a membership early."""
from __future__ import annotations

import datetime as dt

import pytest
from networks_kit import entry_of, insert_people, manager, network, seat, snapshot, taken

from crm_app import maintenance
from crm_app.core import clock, i18n, settings
from crm_app.core.errors import CrmError, NotFound, PermissionDenied, ValidationError
from crm_app.networks import memberships, offers, registry, selection, waitlists
from crm_app.networks.registry import TargetInput


@pytest.fixture
def pm(actor):
    return manager(actor.user_id)


@pytest.fixture
def board(store, pm, frozen_clock):
    return network(store, pm, max_places=15, term_months=12)


def listed(store, pm, network_id, n):
    """n persons on the network's list, in this order; returns (person ids, entry ids)."""
    people = insert_people(store, [{} for _ in range(n)])
    return people, [waitlists.add(store, pm, network_id, p) for p in people]


def refused(store, call) -> CrmError:
    before = snapshot(store)
    with pytest.raises(CrmError) as caught:
        call()
    assert snapshot(store) == before, "a refusal changes nothing"
    return caught.value


def offer_row(store, offer_id):
    with store.read() as cur:
        return cur.execute("SELECT status, deadline_date, method, responded_utc FROM offer WHERE id = ?",
                           [offer_id]).fetchone()


# -- making offers ------------------------------------------------------------------------------------
def test_the_deadline_is_fourteen_days_by_default(store, pm, board, frozen_clock):
    _, entries = listed(store, pm, board, 3)
    [first] = offers.make(store, pm, board, entries[:1], "waitlist")
    assert offer_row(store, first)[:3] == ("open", dt.date(2026, 12, 13), "waitlist")
    store.write(settings.set_value, "offer_deadline_days", 7)
    [second] = offers.make(store, pm, board, entries[1:2], "waitlist")
    assert offer_row(store, second)[1] == dt.date(2026, 12, 6)
    [third] = offers.make(store, pm, board, entries[2:], "waitlist", deadline_days=30)
    assert offer_row(store, third)[1] == dt.date(2026, 12, 29)
    assert [e.status for e in waitlists.entries(store, pm, board)] == ["offered"] * 3


def test_the_reasons_shown_are_kept_with_the_offer(store, pm, board):
    _, entries = listed(store, pm, board, 1)
    plan = selection.propose(store, pm, board, 1, "waitlist")
    offers.make(store, pm, board, entries, plan.method, {p.candidate.entry_id: p.reasons for p in plan.proposals})
    [item] = offers.open_offers(store, pm, board)
    assert item["reasons"] == plan.proposals[0].reasons
    assert [r.params for r in item["reasons"]] == [{"months": 0, "days": 0, "position": 1}]


def test_more_offers_than_open_places_are_refused(store, pm, frozen_clock):
    small = network(store, pm, "Adviesraad", max_places=3)
    people, entries = listed(store, pm, small, 5)
    seat(store, pm, small, insert_people(store, [{}]))
    error = refused(store, lambda: offers.make(store, pm, small, entries[:3], "waitlist"))
    assert (error.code, error.params) == ("not_enough_places", {"wanted": 3, "open": 2})
    offers.make(store, pm, small, entries[:2], "waitlist")
    assert refused(store, lambda: offers.make(store, pm, small, entries[2:3], "waitlist")).code == "not_enough_places"
    assert taken(store, small) == (1, 2)


def test_offering_to_a_member_or_to_someone_on_offer_is_refused(store, pm, board):
    (member, offered, _), entries = listed(store, pm, board, 3)
    [accepted] = offers.make(store, pm, board, entries[:1], "waitlist")
    offers.respond(store, pm, accepted, "accept")
    offers.make(store, pm, board, entries[1:2], "waitlist")

    assert refused(store, lambda: offers.make(store, pm, board, entries[:1], "waitlist")).code == "entry_not_waiting"
    assert refused(store, lambda: offers.make(store, pm, board, entries[1:2], "waitlist")).code == "entry_not_waiting"
    # all or nothing: one bad entry among good ones refuses the lot
    assert refused(store, lambda: offers.make(store, pm, board, [entries[2], entries[1]], "waitlist")).code \
        == "entry_not_waiting"
    assert entry_of(store, board, member)[1] == "placed" and entry_of(store, board, offered)[1] == "offered"


def test_a_stray_waiting_entry_of_a_member_or_of_someone_on_offer_is_still_refused(store, pm, board, frozen_clock):
    """Even when the data hold a second waiting entry (an old import, a race elsewhere), the offer checks
    the person: already a member, or already holding an open offer for this network."""
    (member, offered), entries = listed(store, pm, board, 2)
    [first, _] = offers.make(store, pm, board, entries, "waitlist")
    offers.respond(store, pm, first, "accept")

    def stray(person):
        return store.write(lambda cur: cur.execute(
            "INSERT INTO waitlist_entry (network_id, person_id, joined_utc, status, status_utc) "
            "VALUES (?, ?, ?, 'waiting', ?) RETURNING id", [board, person, frozen_clock, frozen_clock]).fetchone()[0])

    member_entry, offered_entry = stray(member), stray(offered)
    assert refused(store, lambda: offers.make(store, pm, board, [member_entry], "waitlist")).code == "already_member"
    assert refused(store, lambda: offers.make(store, pm, board, [offered_entry], "waitlist")).code == "already_on_offer"


def test_bad_entry_lists_are_refused(store, pm, board):
    other = network(store, pm, "Adviesraad", max_places=10)
    _, entries = listed(store, pm, board, 1)
    with pytest.raises(ValidationError):
        offers.make(store, pm, board, [], "waitlist")
    with pytest.raises(ValidationError):
        offers.make(store, pm, board, entries * 2, "waitlist")
    with pytest.raises(NotFound):
        offers.make(store, pm, other, entries, "waitlist")   # an entry of another network's list
    with pytest.raises(NotFound):
        offers.make(store, pm, 999_999, entries, "waitlist")


def test_only_managers_make_and_answer_offers(store, pm, actor, board):
    _, entries = listed(store, pm, board, 1)
    coordinator = actor.__class__(actor.user_id, "coordinator", "web")
    for who in (actor, coordinator):
        with pytest.raises(PermissionDenied):
            offers.make(store, who, board, entries, "waitlist")
        with pytest.raises(PermissionDenied):
            selection.propose(store, who, board)
    [offer] = offers.make(store, pm, board, entries, "waitlist")
    with pytest.raises(PermissionDenied):
        offers.respond(store, actor, offer, "accept")


# -- answers --------------------------------------------------------------------------------------------
def test_accepting_makes_the_membership_for_one_term(store, pm, board, frozen_clock):
    (person,), entries = listed(store, pm, board, 1)
    [offer] = offers.make(store, pm, board, entries, "waitlist")
    clock.freeze(frozen_clock + dt.timedelta(days=3))
    result = offers.respond(store, pm, offer, "accept")
    assert result["status"] == "accepted" and result["person_id"] == person
    [member] = memberships.members(store, pm, board)
    assert (member["id"], member["person_id"], member["start_date"], member["planned_end_date"],
            member["term_number"]) == (result["membership_id"], person, dt.date(2026, 12, 2), dt.date(2027, 12, 2), 1)
    assert offer_row(store, offer)[0] == "accepted" and offer_row(store, offer)[3] == clock.utcnow()
    assert entry_of(store, board, person)[1] == "placed"
    with store.read() as cur:
        assert cur.execute("SELECT stage FROM person_stage WHERE person_id = ?", [person]).fetchone() == ("member",)
    assert refused(store, lambda: offers.respond(store, pm, offer, "decline")).code == "offer_not_open"


def test_the_planned_end_is_clipped_to_the_month(store, pm):
    clock.freeze(dt.datetime(2027, 1, 31, 12, 0))
    try:
        network_id = network(store, pm, "Delegatie", max_places=2, term_months=1)
        [membership] = seat(store, pm, network_id, insert_people(store, [{}]))
        [member] = memberships.members(store, pm, network_id)
        assert member["id"] == membership and member["planned_end_date"] == dt.date(2027, 2, 28)
    finally:
        clock.freeze(None)


@pytest.mark.parametrize("method", ["waitlist", "quota"])
def test_a_decline_proposes_someone_else_by_the_same_method(store, pm, frozen_clock, method):
    network_id = network(store, pm, "Adviesraad", max_places=10, targets=[
        TargetInput("gender", "woman", "count", "1", None)])
    seat(store, pm, network_id, insert_people(store, [{"gender": "man"}] * 9))
    people = insert_people(store, [{"gender": "man"}, {"gender": "woman"}, {"gender": "woman"}])
    for person in people:
        waitlists.add(store, pm, network_id, person)

    [first] = selection.propose(store, pm, network_id, method=method).proposals
    expected_first = people[0] if method == "waitlist" else people[1]
    assert first.candidate.person_id == expected_first
    [offer] = offers.make(store, pm, network_id, [first.candidate.entry_id], method)
    assert selection.propose(store, pm, network_id, method=method).proposals == [], "no place left while on offer"

    result = offers.respond(store, pm, offer, "decline")
    assert (result["status"], result["method"]) == ("declined", method)
    assert entry_of(store, network_id, expected_first)[1] == "declined"
    [following] = selection.propose(store, pm, network_id, method=result["method"]).proposals
    expected_next = people[1] if method == "waitlist" else people[2]
    assert following.candidate.person_id == expected_next != expected_first


def test_a_withdrawn_offer_puts_the_person_back_in_line(store, pm, board):
    (person, _), entries = listed(store, pm, board, 2)
    [offer] = offers.make(store, pm, board, entries[:1], "waitlist")
    offers.respond(store, pm, offer, "withdraw")
    assert entry_of(store, board, person)[1] == "waiting"
    assert selection.propose(store, pm, board, 1).proposals[0].candidate.person_id == person


def test_an_offer_past_its_deadline_expires_and_cannot_be_accepted(store, pm, board, frozen_clock):
    (person, other), entries = listed(store, pm, board, 2)
    [late, on_time] = offers.make(store, pm, board, entries, "waitlist")
    clock.freeze(dt.datetime(2026, 12, 13, 22, 0))                       # the deadline day, local time
    offers.respond(store, pm, on_time, "accept")
    assert maintenance.run_due(store)["networks_with_expired_offers"] == []

    clock.freeze(dt.datetime(2026, 12, 14, 9, 30))
    assert maintenance.run_due(store) == {"networks_with_expired_offers": [board], "expired_entries": 0}
    assert offer_row(store, late)[0] == "expired"
    assert entry_of(store, board, person)[1] == "expired"
    assert taken(store, board) == (1, 0), "the place is open again"

    error = refused(store, lambda: offers.respond(store, pm, late, "accept"))
    assert (error.code, error.params) == ("offer_expired", {"deadline": dt.date(2026, 12, 13)})
    assert i18n.error_text(error, "nl").startswith("Dit aanbod is verlopen op 13-12-2026")
    assert i18n.error_text(error, "en") == "This offer expired on 12/13/2026; it can no longer be accepted."
    assert memberships.members(store, pm, board)[0]["person_id"] == other


def test_an_overdue_offer_cannot_be_accepted_even_before_the_upkeep_ran(store, pm, board):
    _, entries = listed(store, pm, board, 1)
    [offer] = offers.make(store, pm, board, entries, "waitlist")
    clock.freeze(dt.datetime(2026, 12, 14, 9, 30))
    error = refused(store, lambda: offers.respond(store, pm, offer, "accept"))
    assert error.code == "offer_expired"
    offers.respond(store, pm, offer, "decline")   # a late "no" is still recorded


def test_unknown_offer_or_answer(store, pm, board):
    with pytest.raises(NotFound):
        offers.respond(store, pm, 999_999, "accept")
    _, entries = listed(store, pm, board, 1)
    [offer] = offers.make(store, pm, board, entries, "waitlist")
    with pytest.raises(ValidationError):
        offers.respond(store, pm, offer, "maybe")


# -- memberships --------------------------------------------------------------------------------------
def test_ending_a_membership_early_opens_the_place(store, pm, board, frozen_clock):
    people = insert_people(store, [{} for _ in range(16)])
    ids = seat(store, pm, board, people[:15])
    waitlists.add(store, pm, board, people[15])
    assert selection.propose(store, pm, board).proposals == []
    [row] = [r for r in registry.overview(store, pm) if r.network_id == board]
    assert (row.members, row.open_now) == (15, 0)

    clock.freeze(frozen_clock + dt.timedelta(days=40))
    memberships.end_early(store, pm, ids[3], "left", "Verhuisd")
    [row] = [r for r in registry.overview(store, pm) if r.network_id == board]
    assert (row.members, row.on_offer, row.open_now) == (14, 0, 1)
    assert [p.candidate.person_id for p in selection.propose(store, pm, board).proposals] == [people[15]]
    with store.read() as cur:
        assert cur.execute("SELECT actual_end_date, end_reason FROM membership WHERE id = ?", [ids[3]]).fetchone() == (
            dt.date(2027, 1, 8), "left")
        assert cur.execute("SELECT stage FROM person_stage WHERE person_id = ?", [people[3]]).fetchone() == ("alumnus",)

    assert refused(store, lambda: memberships.end_early(store, pm, ids[3], "left")).code == "membership_already_ended"
    with pytest.raises(ValidationError):
        memberships.end_early(store, pm, ids[4], "term_completed")   # not an early end
    with pytest.raises(NotFound):
        memberships.end_early(store, pm, 999_999, "left")


def test_the_overview_counts_members_offers_and_places_opening_soon(store, pm, frozen_clock):
    network_id = network(store, pm, "Adviesraad", min_places=6, max_places=10, term_months=12)
    seat(store, pm, network_id, insert_people(store, [{}, {}]))
    clock.freeze(frozen_clock + dt.timedelta(days=300))                  # these two end within 3 months
    seat(store, pm, network_id, insert_people(store, [{}, {}]))
    _, entries = listed(store, pm, network_id, 3)
    offers.make(store, pm, network_id, entries[:1], "waitlist")
    [row] = registry.overview(store, pm)
    assert (row.members, row.on_offer, row.open_now, row.opening_soon, row.waiting, row.below_min) == (
        4, 1, 5, 2, 2, True)


def test_a_proposal_for_none_of_the_open_places_does_not_claim_there_are_none(store, pm, board):
    listed(store, pm, board, 2)
    plan = selection.propose(store, pm, board, 0, "quota")
    assert (plan.open_places, plan.proposals, plan.unmet) == (15, [], [])
    seat(store, pm, board, insert_people(store, [{} for _ in range(15)]))
    assert [r.code for r in selection.propose(store, pm, board, None, "quota").unmet] == ["no_open_places"]


def test_after_a_declined_quota_offer_the_next_proposal_is_by_quota_and_meets_the_target(store, pm, frozen_clock):
    """Women at least 6 of 15, 4 now: quota offers the two places to women. One declines; whoever proposes
    next, without saying which method (a fresh session, `crm fill`), gets the declined offer's method."""
    board = network(store, pm, max_places=15, targets=[TargetInput("gender", "woman", "count", "6", None)])
    seat(store, pm, board, insert_people(store, [{"gender": "woman"}] * 4 + [{"gender": "man"}] * 9))
    amal, bashir, carla, dina, esra = insert_people(
        store, [{"gender": "man"}, {"gender": "man"}, {"gender": "woman"}, {"gender": "woman"}, {"gender": "woman"}])
    for person in (amal, bashir, carla, dina, esra):
        waitlists.add(store, pm, board, person)
    plan = selection.propose(store, pm, board, method="quota")
    assert [p.candidate.person_id for p in plan.proposals] == [carla, dina]
    made = offers.make(store, pm, board, [p.candidate.entry_id for p in plan.proposals], plan.method)
    offers.respond(store, pm, made[0], "accept")
    offers.respond(store, pm, made[1], "decline")

    following = selection.propose(store, pm, board)
    assert following.method == "quota"
    [proposal] = following.proposals
    assert proposal.candidate.person_id == esra, "a woman, though Amal and Bashir waited longer"
    assert [r.code for r in proposal.reasons] == ["waited", "adds_value"]
    assert following.unmet == [], "with her the target is met"
    assert selection.propose(store, pm, board, method="waitlist").proposals[0].candidate.person_id == amal, \
        "a method asked for still wins"


def test_once_the_place_is_offered_again_the_decline_no_longer_sets_the_method(store, pm, board, frozen_clock):
    people, entries = listed(store, pm, board, 3)
    [quota] = offers.make(store, pm, board, entries[:1], "quota")
    offers.respond(store, pm, quota, "decline")
    decline = selection.pending_decline(store, pm, board)
    assert (decline.offer_id, decline.person_id, decline.method) == (quota, people[0], "quota")
    with store.read() as cur:
        assert cur.execute("SELECT seed FROM offer WHERE id = ?", [quota]).fetchone() == (None,), "no seed but for a lottery"

    clock.freeze(frozen_clock + dt.timedelta(minutes=5))
    offers.make(store, pm, board, entries[1:2], "waitlist")
    assert selection.pending_decline(store, pm, board) is None
    assert selection.propose(store, pm, board, 1).method == "waitlist"
