"""A meeting as an iCalendar file (RFC 5545, the icalendar package) for the invitation's attachment.

The start is local time in Europe/Amsterdam with its TZID and the zone's VTIMEZONE, so a calendar anywhere
shows the right hour across daylight saving time. A meeting without a start time is a whole-day event.
"""
from __future__ import annotations

import datetime as dt

import icalendar

from crm_app.core.clock import LOCAL_TZ, utcnow

DURATION = dt.timedelta(hours=2)   # a meeting has no end time in the store; two hours is the usual length
PRODID = "-//Deelnemersnetwerken CRM//NL"


def meeting_ics(meeting_id: int, network: str, day: dt.date, start: dt.time | None, place: str | None,
                topic: str | None) -> bytes:
    """The meeting as one VEVENT; its UID stays the same for every invitation and reminder of that meeting,
    so a calendar updates the event instead of adding it twice."""
    event = icalendar.Event()
    event.add("uid", f"meeting-{meeting_id}@deelnemersnetwerken-crm")
    event.add("dtstamp", utcnow().replace(tzinfo=dt.UTC))
    if start is None:
        event.add("dtstart", day)
        event.add("dtend", day + dt.timedelta(days=1))
    else:
        begin = dt.datetime.combine(day, start, tzinfo=LOCAL_TZ)
        event.add("dtstart", begin)
        event.add("dtend", begin + DURATION)
    event.add("summary", f"{network}: {topic}" if topic else network)
    if place:
        event.add("location", place)
    if topic:
        event.add("description", topic)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add_component(event)
    calendar.add_missing_timezones(first_date=day.replace(month=1, day=1), last_date=day + dt.timedelta(days=366))
    return calendar.to_ical()
