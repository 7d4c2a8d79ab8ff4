"""The screens that exist, the action each needs, and the list a role gets.

Plain data, so the navigation (crm_app.ui.nav), the roles matrix (crm_app.access.roles) and the tests
read one list; only crm_app.ui turns it into Streamlit pages.
"""
from __future__ import annotations

from dataclasses import dataclass

from crm_app.core import permissions


@dataclass(frozen=True)
class Screen:
    key: str
    path: str
    title_key: str
    icon: str
    action: str
    section: str = "nav.section.people"
    hidden: bool = False


SCREENS = (
    Screen("home", "pages/home.py", "nav.home", ":material/home:", "home.view"),
    Screen("register", "pages/register.py", "nav.register", ":material/person_add:", "person.register"),
    Screen("find", "pages/find.py", "nav.find", ":material/search:", "person.search"),
    Screen("person", "pages/person.py", "nav.person", ":material/person:", "person.view", hidden=True),
    Screen("duplicates", "pages/duplicates.py", "nav.duplicates", ":material/join_inner:", "duplicates.review"),
    Screen("follow_ups", "pages/follow_ups.py", "nav.follow_ups", ":material/event:", "activity.log"),
    Screen("self_register", "pages/self_register.py", "nav.self_register", ":material/how_to_reg:",
           "person.self_register"),
    Screen("kiosk_start", "pages/kiosk_start.py", "nav.kiosk_start", ":material/storefront:", "kiosk.start"),
    Screen("places", "pages/places.py", "nav.places", ":material/event_seat:", "network.view",
           section="nav.section.networks"),
    Screen("fill", "pages/fill.py", "nav.fill", ":material/group_add:", "places.fill", section="nav.section.networks"),
    Screen("waitlist", "pages/waitlist.py", "nav.waitlist", ":material/format_list_numbered:", "waitlist.view",
           section="nav.section.networks"),
    Screen("members", "pages/members.py", "nav.members", ":material/groups:", "members.view",
           section="nav.section.networks"),
    Screen("import", "pages/import.py", "nav.import", ":material/upload_file:", "person.import"),
    Screen("export", "pages/export.py", "nav.export", ":material/download:", "data.export"),
    Screen("networks", "pages/networks.py", "nav.networks", ":material/tune:", "network.manage",
           section="nav.section.networks"),
    Screen("users", "pages/users.py", "nav.users", ":material/manage_accounts:", "user.manage",
           section="nav.section.admin"),
    Screen("sessions", "pages/sessions.py", "nav.sessions", ":material/devices:", "session.manage",
           section="nav.section.admin"),
    Screen("roles", "pages/roles.py", "nav.roles", ":material/table_view:", "user.manage",
           section="nav.section.admin"),
    Screen("audit", "pages/audit.py", "nav.audit", ":material/policy:", "audit.view",
           section="nav.section.admin"),
    Screen("privacy", "pages/privacy.py", "nav.privacy", ":material/shield_person:", "privacy.manage",
           section="nav.section.admin"),
    Screen("rotation", "pages/rotation.py", "nav.rotation", ":material/autorenew:", "rotation.view",
           section="nav.section.networks"),
    Screen("alumni", "pages/alumni.py", "nav.alumni", ":material/school:", "alumni.view",
           section="nav.section.networks"),
    Screen("dashboards", "pages/dashboards.py", "nav.dashboards", ":material/monitoring:", "dashboards.view",
           section="nav.section.networks"),
    Screen("meetings", "pages/meetings.py", "nav.meetings", ":material/event_available:", "meeting.manage",
           section="nav.section.networks"),
    Screen("feedback", "pages/feedback.py", "nav.feedback", ":material/campaign:", "feedback.view",
           section="nav.section.networks"),
)


def screens_for(role: str) -> list[Screen]:
    return [screen for screen in SCREENS if permissions.allowed(role, screen.action)]
