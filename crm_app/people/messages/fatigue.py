"""Contact fatigue: how many invitations and requests a person had lately, across all networks.

Counted from the message log: offers, "still interested?" checks and meeting invitations sent or prepared
in the last `contact_period_days` (reminders follow an invitation and do not count). The same request sent
twice or on two channels (an email and a WhatsApp about one offer) counts once. A person has had enough when
the count reaches `contact_max_per_period`: one more would be over the maximum.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from crm_app.access.audit import Actor
from crm_app.core import permissions, settings
from crm_app.core.clock import utcnow

COUNTED = ("offer", "still_interested", "meeting_invitation")


@dataclass(frozen=True)
class Fatigue:
    count: int      # requests in the period
    limit: int      # contact_max_per_period
    days: int       # contact_period_days

    @property
    def reached(self) -> bool:
        return self.count >= self.limit


def counts(cur, person_ids: list[int], now: dt.datetime | None = None) -> dict[int, Fatigue]:
    """Per person (every id asked, also those with none), the requests in the period ending `now`."""
    limit, days = settings.get(cur, "contact_max_per_period"), settings.get(cur, "contact_period_days")
    since = (now or utcnow()) - dt.timedelta(days=days)
    rows = cur.execute(
        "SELECT person_id, count(DISTINCT (kind, coalesce(offer_id, waitlist_entry_id, meeting_id))) "
        "FROM message_log WHERE person_id IN (SELECT unnest(?)) AND kind IN (SELECT unnest(?)) AND sent_utc > ? "
        "GROUP BY person_id", [list(person_ids), list(COUNTED), since]).fetchall()
    found = dict(rows)
    return {pid: Fatigue(found.get(pid, 0), limit, days) for pid in person_ids}


def of_persons(store, actor: Actor, person_ids: list[int]) -> dict[int, Fatigue]:
    """The fill and meeting screens' warning: requests per person in the period."""
    permissions.require(actor.role, "activity.log")
    if not person_ids:
        return {}
    with store.read() as cur:
        return counts(cur, person_ids)
