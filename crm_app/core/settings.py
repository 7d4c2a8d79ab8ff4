"""Settings an administrator can change, with defaults; stored in app_setting, read by the services."""
from __future__ import annotations

from crm_app.core.clock import utcnow
from crm_app.core.errors import FieldError, ValidationError

DEFAULTS: dict[str, int] = {
    "offer_deadline_days": 14,       # how long a person has to answer an offer
    "interest_check_months": 6,      # a waiting-list entry is due for "still interested?" every N months
    "interest_grace_days": 30,       # not confirmed this long after being due: the entry expires
    "opening_horizon_months": 3,     # the open-places overview looks this far ahead
    "min_cell_size": 5,              # dashboards: counts 1..k-1 are hidden (never below 3)
    "login_max_failures": 3,         # failed log-ins in a row for one username before each next one waits 2^n s
    "login_max_failures_address": 20,  # failed log-ins from one address (an office may share one) within the window
    "login_window_minutes": 15,      # the longest wait for one username, and the window of the per-address limit
    # -- privacy --
    "retention_candidate_months": 24,  # never placed, no contact/re-confirmation this long: erased
    "retention_waitlist_months": 12,   # an expired waiting-list entry is deleted this long after it expired
    "retention_alumni_years": 5,       # an alumnus without any activity this long: erased
    "retention_enabled": 0,            # 1: the daily job applies retention (switched on by an admin after a preview)
    "backup_keep": 14,                 # the running app backs the store up daily and keeps this many (0: none)

    # -- sessions --
    "session_idle_seconds": 1800,    # a session ends after this long without any action (30 min)
    "session_max_seconds": 28800,    # and at the latest this long after logging in (8 h), idle or not
    "oidc_fresh_login_seconds": 300,  # an identity-provider login older than this cannot start a session

    # -- rotation --
    "renewal_notice_days": 60,       # a renewal is proposed this many days before a term ends
    "renewal_grace_days": 30,        # not decided this long after the end: the term ends without renewal
    "ending_soon_days": 60,          # the "ending within" list of the rotation screen
    "alumni_proposal_days": 45,      # the alumni rotation is proposed this many days before a period starts

    # -- meetings --
    "absence_alert_count": 3,        # absent this many meetings in a row: a conversation to have
    "allowance_cap_month_euros": 210,   # volunteer allowance per person per calendar month (docs/settings.md)
    "allowance_cap_year_euros": 2100,   # and per calendar year

    # -- messages --
    "contact_max_per_period": 4,     # invitations and requests per person per period, across all networks
    "contact_period_days": 30,       # the period of contact_max_per_period

    # -- kiosk --
    "kiosk_thanks_seconds": 8,       # the kiosk's thank-you stays this long, then the language chooser comes back
}
_LIMITS = {"offer_deadline_days": (1, 90), "interest_check_months": (1, 36), "interest_grace_days": (1, 180),
           "opening_horizon_months": (1, 24), "min_cell_size": (3, 50),
           "login_max_failures": (3, 50), "login_max_failures_address": (3, 1000), "login_window_minutes": (1, 1440),
           # -- privacy --
           "retention_candidate_months": (6, 240), "retention_waitlist_months": (1, 240),
           "retention_alumni_years": (1, 30), "retention_enabled": (0, 1), "backup_keep": (0, 365),

           # -- sessions --
           "session_idle_seconds": (5, 86400), "session_max_seconds": (60, 604800),
           "oidc_fresh_login_seconds": (30, 3600),

           # -- rotation --
           "renewal_notice_days": (7, 180), "renewal_grace_days": (0, 180), "ending_soon_days": (7, 365),
           "alumni_proposal_days": (0, 90),

           # -- meetings --
           "absence_alert_count": (2, 12), "allowance_cap_month_euros": (0, 10000),
           "allowance_cap_year_euros": (0, 100000),

           # -- messages --
           "contact_max_per_period": (1, 50), "contact_period_days": (1, 365),

           # -- kiosk --
           "kiosk_thanks_seconds": (3, 120),
           }


def get(cur, name: str) -> int:
    return get_many(cur, name)[0]


def get_many(cur, *names: str) -> tuple[int, ...]:
    """Several settings in one query, in the order asked: the session checks of every page run read two at a
    time, and each query costs about as much as the check itself."""
    stored = dict(cur.execute(f"SELECT name, setting_value FROM app_setting WHERE name IN ({', '.join('?' * len(names))})",
                              list(names)).fetchall())
    return tuple(int(stored[name]) if name in stored else DEFAULTS[name] for name in names)


def set_value(cur, name: str, value: int) -> None:
    low, high = _LIMITS[name]
    if not isinstance(value, int) or not low <= value <= high:
        raise ValidationError([FieldError(name, "out_of_range", {"low": low, "high": high})])
    cur.execute("INSERT OR REPLACE INTO app_setting VALUES (?, ?, ?)", [name, str(value), utcnow()])
