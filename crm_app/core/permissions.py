"""Who may do what: one table, checked by every service and every page.

crm_app.access.roles writes it out, with the screens, as docs/roles.md.
"""
from __future__ import annotations

from crm_app.core.errors import PermissionDenied

ACTIONS: dict[str, frozenset[str]] = {
    "home.view": frozenset({"outreach", "program_manager", "coordinator", "admin"}),
    "person.register": frozenset({"outreach", "program_manager", "admin"}),
    "person.self_register": frozenset({"kiosk"}),
    "kiosk.start": frozenset({"outreach", "program_manager", "admin"}),   # turn this session into a kiosk
    "person.search": frozenset({"outreach", "program_manager", "admin"}),
    "person.view": frozenset({"outreach", "program_manager", "admin"}),
    "person.edit": frozenset({"outreach", "program_manager", "admin"}),
    "activity.log": frozenset({"outreach", "program_manager", "admin"}),
    "user.manage": frozenset({"admin"}),
    "session.manage": frozenset({"admin"}),          # see and end login sessions, change the session limits
    "network.view": frozenset({"program_manager", "coordinator", "admin"}),
    "network.manage": frozenset({"program_manager", "admin"}),
    "waitlist.view": frozenset({"program_manager", "admin"}),
    "waitlist.manage": frozenset({"program_manager", "admin"}),
    "waitlist.join": frozenset({"outreach", "program_manager", "admin"}),   # at registration: the lists they want
    "places.view": frozenset({"program_manager", "admin"}),
    "places.fill": frozenset({"program_manager", "admin"}),
    "members.view": frozenset({"program_manager", "admin"}),
    "data.export": frozenset({"program_manager", "admin"}),
    "person.import": frozenset({"program_manager", "admin"}),   # persons from a CSV or XLSX file
    "audit.view": frozenset({"coordinator", "admin"}),
    # -- privacy --
    "privacy.manage": frozenset({"admin"}),          # the Privacy screen: retention, backup, erasure list
    "privacy.erase": frozenset({"admin"}),           # erase a person (right to erasure)
    "person.subject_access": frozenset({"program_manager", "admin"}),  # everything held about one person

    # -- rotation --
    "rotation.view": frozenset({"program_manager", "admin"}),
    "rotation.manage": frozenset({"program_manager", "admin"}),
    "alumni.view": frozenset({"program_manager", "coordinator", "admin"}),
    "alumni.rotate": frozenset({"program_manager", "coordinator", "admin"}),

    # -- duplicates --
    "duplicates.review": frozenset({"outreach", "program_manager", "admin"}),  # the queue, scan, "not a duplicate"
    "person.merge": frozenset({"outreach", "program_manager", "admin"}),       # merge two persons, undo a merge

    # -- dashboards --
    "dashboards.view": frozenset({"program_manager", "coordinator", "admin"}),

    # -- meetings --
    "meeting.manage": frozenset({"program_manager", "admin"}),   # plan, invite, attendance, reimbursements, inputs
    "feedback.view": frozenset({"program_manager", "coordinator", "admin"}),  # "you said, we did" per network
}


def allowed(role: str | None, action: str) -> bool:
    return role is not None and role in ACTIONS.get(action, frozenset())


def require(role: str | None, action: str) -> None:
    if not allowed(role, action):
        raise PermissionDenied("permission_denied", action=action)
