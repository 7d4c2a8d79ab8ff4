"""Terms, renewals, early leaves, rest periods and the alumni network over whole years, on a frozen clock."""
from __future__ import annotations

import datetime as dt

import pytest
from networks_kit import insert_people, seat
from rotation_kit import PM, T0, at_day, current, make_board, process, seat_people, snapshot

from crm_app import maintenance
from crm_app.core import clock, i18n
from crm_app.core.clock import add_months
from crm_app.core.errors import CrmError, ValidationError
from crm_app.networks import memberships, offers, registry, rotation, waitlists
from crm_app.networks.registry import NetworkInput
from crm_app.people import activities


@pytest.fixture(autouse=True)
def start():
    clock.freeze(T0)
    yield T0
    clock.freeze(None)


def kinds(store, person_id: int) -> list[str]:
    with store.read() as cur:
        return [a["kind"] for a in activities.of_person(cur, person_id)]


def test_a_year_of_terms_renewal_confirmed_declined_and_the_move_to_alumni(store):
    board, alumni_id = make_board(store)
    people, ids = seat_people(store, board, 3)
    amal, bashir, carla = people
    day0 = T0.date()
    end = add_months(day0, 12)

    # nothing is due for ten months
    assert process(store, day0 + dt.timedelta(days=300))["proposed"] == 0
    # 60 days before the end: a renewal proposal for each (terms left: 1 of 2)
    result = process(store, end - dt.timedelta(days=60))
    assert result["proposed"] == 3
    soon = rotation.ending_soon(store, PM)
    assert [r["status"] for r in soon] == ["renewal_proposed"] * 3

    assert {rotation.open_decisions(r) for r in soon} == {(True, True)}   # renew or leave: both asked
    assert rotation.ending_soon_window(store, PM) == (60, end - dt.timedelta(days=60))
    rotation.decide_renewal(store, PM, ids[0], True, "Wil graag door")
    rotation.decide_renewal(store, PM, ids[1], False)
    decided = {r["membership_id"]: rotation.open_decisions(r) for r in rotation.ending_soon(store, PM)}
    assert decided == {ids[0]: (False, False), ids[1]: (False, True), ids[2]: (True, True)}
    rotation.record_exit(store, PM, ids[1], "yes", "Wil alumnus worden")
    rotation.decide_renewal(store, PM, ids[2], False)
    rotation.record_exit(store, PM, ids[2], "no")
    assert kinds(store, amal) == ["renewal_conversation"]
    assert sorted(kinds(store, bashir)) == ["exit_conversation", "renewal_conversation"]

    # the day before the end nothing changes; on the end day the terms swap or end
    assert process(store, end - dt.timedelta(days=1))["changes"] == 0
    result = process(store, end)
    assert (result["renewed"], result["ended"], result["moved"]) == (1, 2, 1)
    now = current(store, board)
    assert list(now) == [amal]
    assert now[amal][1:] == (2, end, add_months(end, 12))
    assert list(current(store, alumni_id)) == [bashir]
    with store.read() as cur:
        reasons = dict(cur.execute("SELECT person_id, end_reason FROM membership WHERE network_id = ? "
                                   "AND actual_end_date = ?", [board, end]).fetchall())
    assert reasons == {amal: "term_completed", bashir: "moved_to_alumni", carla: "term_completed"}
    # two places open for filling
    row = next(r for r in registry.overview(store, PM) if r.network_id == board)
    assert (row.members, row.open_now) == (1, 4)

    # the second term is the last: no proposal; at its end Amal's place opens (no alumni answer: not moved)
    assert process(store, add_months(end, 11))["proposed"] == 0
    assert rotation.ending_soon(store, PM)[0]["status"] == "last_term"
    result = process(store, add_months(end, 12))
    assert (result["ended"], result["moved"]) == (1, 0)
    assert current(store, board) == {}


def test_rest_period_before_rejoining_the_same_network(store):
    board, _ = make_board(store, rest_months=6, max_terms=1)
    (amal,), (membership,) = seat_people(store, board, 1)
    end = add_months(T0.date(), 12)
    process(store, end)
    assert current(store, board) == {}
    for day, allowed in ((end, False), (add_months(end, 6) - dt.timedelta(days=1), False), (add_months(end, 6), True)):
        at_day(day)
        if allowed:
            waitlists.add(store, PM, board, amal)
        else:
            with pytest.raises(ValidationError) as caught:
                waitlists.add(store, PM, board, amal)
            assert caught.value.errors[0].code == "resting"
    with store.read() as cur:
        assert rotation.status_of_person(cur, amal)[0]["resting"] is False


def test_early_leave_opens_the_place_and_the_rotation_leaves_it_alone(store):
    board, _ = make_board(store)
    people, ids = seat_people(store, board, 2)
    at_day(T0.date() + dt.timedelta(days=100))
    memberships.end_early(store, PM, ids[0], "left")
    result = process(store, add_months(T0.date(), 12))
    assert result["ended"] == 0 and list(current(store, board)) == [people[1]]   # the other: proposal, pending
    assert rotation.ending_soon(store, PM)[0]["status"] == "overdue"


def test_undecided_renewal_ends_after_the_grace_period(store):
    board, _ = make_board(store)
    _, (membership,) = seat_people(store, board, 1)
    end = add_months(T0.date(), 12)
    assert process(store, end)["proposed"] == 1                 # notice skipped: proposed on the end day
    assert process(store, end + dt.timedelta(days=30))["ended"] == 0
    result = process(store, end + dt.timedelta(days=31))
    assert result["ended"] == 1
    with store.read() as cur:
        assert cur.execute("SELECT actual_end_date FROM membership WHERE id = ?", [membership]).fetchone()[0] == end


def test_confirming_after_the_end_renews_at_once_from_the_end_date(store):
    board, _ = make_board(store)
    (amal,), (membership,) = seat_people(store, board, 1)
    end = add_months(T0.date(), 12)
    process(store, end + dt.timedelta(days=5))
    at_day(end + dt.timedelta(days=5))
    result = rotation.decide_renewal(store, PM, membership, True)
    assert result["new_membership_id"]
    assert current(store, board)[amal][1:] == (2, end, add_months(end, 12))


def test_processing_a_day_twice_is_processing_it_once(store):
    board, _ = make_board(store)
    seat_people(store, board, 3)
    day = add_months(T0.date(), 12)
    process(store, day)
    before = snapshot(store)
    again = process(store, day)
    assert again["changes"] == 0
    assert snapshot(store) == before


def test_a_date_before_the_last_processed_day_is_refused_when_it_would_rewrite_history(store):
    board, _ = make_board(store)
    seat_people(store, board, 1)
    last = add_months(T0.date(), 3)
    process(store, last)
    # nothing to change on an earlier day: a no-op, not an error
    assert rotation.process(store, last - dt.timedelta(days=10))["applied"] is False
    # a membership entered afterwards whose term ended before the last processed day
    (late,) = insert_people(store, [{}])
    seat(store, PM, board, [late])
    store.write(lambda cur: cur.execute("UPDATE membership SET start_date = ?, planned_end_date = ? "
                                        "WHERE person_id = ?", [add_months(last, -13), add_months(last, -1), late]))
    before = snapshot(store)
    with pytest.raises(CrmError) as caught:
        rotation.process(store, last - dt.timedelta(days=10))
    assert caught.value.code == "rotation_before_last_run"
    assert "herschrijven" in i18n.error_text(caught.value)
    assert snapshot(store) == before
    # the last day itself (or a later one) still processes it
    assert rotation.process(store, last)["ended"] == 1   # a month past its end: beyond the grace, it ends


def test_a_future_date_is_refused_but_can_be_previewed(store):
    board, _ = make_board(store)
    seat_people(store, board, 2)
    future = add_months(T0.date(), 12)
    with pytest.raises(CrmError) as caught:
        rotation.process(store, future)
    assert caught.value.code == "rotation_date_in_future"
    preview = rotation.process(store, future, apply=False)
    assert preview["applied"] is False and len(preview["propose"]) == 2
    assert current(store, board) and snapshot(store)["membership_decision"] == []


def test_term_length_zero_is_refused_with_a_clear_message(store):
    with pytest.raises(ValidationError) as caught:
        registry.save(store, PM, NetworkInput("Nul", "sounding_board", 0, 5, "0"))
    assert caught.value.errors[0].code == "term_length_zero"
    assert "0 maanden" in i18n.error_text(caught.value.errors[0])


def test_moving_without_an_alumni_network_is_refused_and_offers_to_create_it(store):
    board, _ = make_board(store, alumni=False, max_terms=1)
    (amal,), (membership,) = seat_people(store, board, 1)
    rotation.record_exit(store, PM, membership, "yes")
    end = add_months(T0.date(), 12)
    result = process(store, end)
    assert (result["ended"], result["moved"]) == (1, 0)
    pending = rotation.pending_alumni_moves(store, PM)
    assert [p["membership_id"] for p in pending] == [membership]
    with pytest.raises(CrmError) as caught:
        rotation.move_to_alumni(store, PM, membership)
    assert caught.value.code == "no_alumni_network"
    text = i18n.error_text(caught.value, "en")
    assert "Klankbordgroep De Stem has no alumni network" in text and f"crm alumni create-for {board}" in text
    alumni_id = rotation.create_alumni_network(store, PM, board)
    assert rotation.move_to_alumni(store, PM, membership) == "moved_to_alumni"
    assert list(current(store, alumni_id)) == [amal]
    assert rotation.pending_alumni_moves(store, PM) == []


def test_no_move_without_contact_consent(store):
    board, alumni_id = make_board(store, max_terms=1)
    (amal,), (membership,) = seat_people(store, board, 1)
    rotation.record_exit(store, PM, membership, "yes")
    store.write(lambda cur: cur.execute("INSERT INTO consent (person_id, purpose, granted, method, text_version, "
                                        "recorded_utc) VALUES (?, 'contact', FALSE, 'verbal', 'x', ?)",
                                        [amal, clock.utcnow()]))
    process(store, add_months(T0.date(), 12))
    assert current(store, alumni_id) == {}
    assert rotation.pending_alumni_moves(store, PM)[0]["membership_id"] == membership


def test_renewal_at_the_maximum_is_refused(store):
    board, _ = make_board(store, max_terms=1)
    _, (membership,) = seat_people(store, board, 1)
    with pytest.raises(CrmError) as caught:
        rotation.decide_renewal(store, PM, membership, True)
    assert caught.value.code == "no_terms_left"


def test_the_daily_upkeep_runs_the_rotation(store):
    board, _ = make_board(store)
    seat_people(store, board, 2)
    at_day(add_months(T0.date(), 12) - dt.timedelta(days=30))
    maintenance.run_due(store)
    assert {r["status"] for r in rotation.ending_soon(store, PM)} == {"renewal_proposed"}


def on_list_or_seated(store, board: int) -> set[int]:
    with store.read() as cur:
        return {pid for (pid,) in cur.execute(
            "SELECT person_id FROM waitlist_entry WHERE network_id = ? AND status IN ('waiting', 'offered') UNION "
            "SELECT person_id FROM membership WHERE network_id = ? AND actual_end_date IS NULL", [board, board]).fetchall()}


@pytest.mark.slow
def test_five_years_of_processing_keep_the_network_turning_over(store):
    """Every fortnight for five years: fill open places from the list, renew half, early leaves now and then.
    Places never exceed the maximum, nobody is a member during their rest, every term ends on time."""
    board, alumni_id = make_board(store, places=4, term_months=12, max_terms=2, rest_months=12)
    pool = insert_people(store, [{} for _ in range(30)])
    for pid in pool:
        waitlists.add(store, PM, board, pid)
    day, flip = T0.date(), 0
    for step in range(0, 5 * 365, 14):
        day = T0.date() + dt.timedelta(days=step)
        at_day(day)
        maintenance.run_due(store)
        for row in rotation.ending_soon(store, PM):
            if row["status"] in ("renewal_proposed", "overdue") and row["terms_left"]:
                flip += 1
                rotation.decide_renewal(store, PM, row["membership_id"], flip % 2 == 0)
                if flip % 2:
                    rotation.record_exit(store, PM, row["membership_id"], "yes")
        for entry in waitlists.entries(store, PM, board):
            if entry.status == "offered":
                open_offer = next(o for o in offers.open_offers(store, PM, board) if o["person_id"] == entry.person_id)
                offers.respond(store, PM, open_offer["id"], "accept")
        from crm_app.networks import selection
        plan = selection.propose(store, PM, board)
        if plan.proposals:
            offers.make(store, PM, board, [p.candidate.entry_id for p in plan.proposals], "waitlist")
        if step % 378 == 0 and current(store, board):
            memberships.end_early(store, PM, min(m[0] for m in current(store, board).values()), "left")
        # the ex-members go back on the list when their rest allows it (those on it or seated are left out:
        # their refusal changes nothing and costs a unit of work each)
        taken = on_list_or_seated(store, board) if step % 56 == 0 else set(pool)
        for pid in (pid for pid in pool if pid not in taken):
            try:
                waitlists.add(store, PM, board, pid)
            except ValidationError:
                pass
        with store.read() as cur:
            over = cur.execute("SELECT count(*) FROM membership m WHERE m.network_id = ? AND m.actual_end_date IS NULL "
                               "AND m.planned_end_date < ? - INTERVAL 31 DAY", [board, day]).fetchone()[0]
            rejoined_early = cur.execute(
                """SELECT count(*) FROM membership m JOIN membership e ON e.person_id = m.person_id
                   AND e.network_id = m.network_id AND e.id <> m.id
                   LEFT JOIN membership_decision d ON d.membership_id = e.id
                   WHERE m.network_id = ? AND e.actual_end_date IS NOT NULL AND e.actual_end_date <= m.start_date
                     AND coalesce(d.outcome, '') <> 'renewed' AND m.start_date < e.actual_end_date + INTERVAL 12 MONTH
                     AND m.term_number = 1""", [board]).fetchone()[0]
        assert over == 0, "a term left running past its grace period"
        assert rejoined_early == 0, "someone re-joined during their rest period"
        members, on_offer = (len(current(store, board)),
                             len(offers.open_offers(store, PM, board)))
        assert members + on_offer <= 4
    with store.read() as cur:
        ended, renewed, moved = cur.execute(
            "SELECT count(*) FILTER (WHERE outcome <> 'renewed'), count(*) FILTER (WHERE outcome = 'renewed'), "
            "count(*) FILTER (WHERE outcome = 'moved_to_alumni') FROM membership_decision").fetchone()
    assert renewed >= 4 and ended >= 6 and moved >= 2
