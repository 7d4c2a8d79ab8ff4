"""The message ids the code builds at run time, as prefix → the values joined to it.

Every other id the code asks for is written out as a string somewhere in the code. The catalogue
test (tests/unit/test_i18n.py) counts these ids as used, fails when code builds an id from a prefix
missing here, and compares the values with the domain's own constants where those exist. Error
messages (`err.<code>`) are not listed: the test finds every code the core raises.
"""
from __future__ import annotations

from crm_app.core import permissions, reference

STAGES = ("new", "contacted", "interested", "waiting", "offered", "member", "alumnus", "not_interested",
          "unreachable", "withdrawn")

RUNTIME_IDS: dict[str, tuple[str, ...]] = {
    # sentences: duplicate reasons (people.dedupe), selection and alumni reasons (networks.selection, .alumni)
    "reason.": ("same_phone", "same_email", "similar_name", "swapped_name", "same_birth_year", "near_birth_year",
                "waited", "waited_days", "adds_value", "adds_distinct", "max_blocks", "short_no_candidate",
                "short_not_enough_places", "same_row", "too_few_candidates", "no_open_places", "alumni_rested",
                "alumni_continues", "drawn", "lottery_infeasible", "lottery_relax_min", "lottery_relax_max", "same_place"),
    "dimension.": ("gender", "age_band", "country_of_origin", "language", "education_level", "education_band",
                   "municipality", "district", "years_in_nl", "integration_route"),
    "field.": ("gender", "birth_year", "country_of_origin", "education_level", "municipality", "district",
               "arrival_year", "integration_route", "min_places", "max_places", "term_months", "max_terms",
               "rest_months", "active_places", "period_months", "active_periods",
               # the import's column fields (people.imports.mapping.FIELDS) and the fields a merge or "Same person"
               # chooses between (people.merges.FIELDS, persons.TYPED_FIELDS)
               "given_name", "family_name", "phone", "phone_country", "email", "preferred_language", "other_languages",
               "note", "stage", "consent_contact", "consent_diversity_statistics", "source_kind", "source_name",
               "source_org", "source_date", "consent_share_with_referrer", "consent_photo"),
    "field.consent_": reference.CONSENT_PURPOSES,             # a box per purpose (ui.widgets.consent_fields)
    "consent.withdraw_effect.": reference.CONSENT_PURPOSES,   # under a consent ticked off (ui.widgets.consent_fields)
    "field.source_name.": reference.SOURCE_KINDS,
    "fill.method.": ("waitlist", "quota", "lottery"),
    "kiosk_start.field.": ("kiosk_market", "kiosk_day", "kiosk_pin"),   # the fields access.kiosk.start refuses
    "alumni.method.": ("rotation", "lottery"),        # networks.alumni.METHODS
    "import.status.": ("accepted", "rejected", "duplicate", "already_imported"),   # people.imports.batch.STATUSES
    "export.kind.": ("persons", "networks", "members", "waitlist"),                 # privacy.exports.KINDS
    "fill.method_help.": ("waitlist", "quota", "lottery"),
    "fill.offer_": ("accepted", "declined", "withdrawn"),
    "networks.measure.": ("count", "share", "distinct"),   # networks.registry.MEASURES
    # the answers to an offer (networks.offers.RESPONSES): button, question, confirming button
    "fill.": ("accept", "decline", "withdraw"),
    "fill.confirm.": ("accept", "decline", "withdraw"),
    "fill.confirm_yes.": ("accept", "decline", "withdraw"),
    "rotation.status.": ("overdue", "renewal_proposed", "renewal_confirmed", "renewal_declined", "last_term", "term",
                         "next_term", "opens", "open", "offer"),
    "rotation.alumni_choice.": ("yes", "no", "unknown"),
    "privacy.kind.": ("person", "sources", "consents", "activities", "waitlist_entries", "offers", "memberships",
                      "referred_by_links", "meeting_attendance", "reimbursements", "messages"),
    "privacy.rule.": ("candidate_inactive", "alumnus_inactive", "waitlist_expired"),
    "privacy.setting.": ("retention_candidate_months", "retention_waitlist_months", "retention_alumni_years"),
    "sar.": ("sources", "activities", "waitlist_entries", "offers", "memberships", "term_decisions",
             "alumni_active_periods", "meetings", "reimbursements", "audit_events", "duplicate_pairs", "merges",
             "messages", "interests"),
    "dash.period.": ("all", "24", "12"),
    "roles.allows.": tuple(permissions.ACTIONS),   # what each action allows (access.roles, the Roles screen)
    "dash.tab.": ("composition", "targets", "over_time", "funnel", "compare"),
    # option labels: label(group, value) → label.<group>.<value>
    "label.role.": reference.ROLES,
    "label.session_method.": ("local", "oidc"),   # access.sessions.METHODS
    # the session limits (access.sessions.LIMITS) on the Sessions screen: label and help
    "sessions.limit.": ("session_idle_seconds", "session_max_seconds", "oidc_fresh_login_seconds"),
    "sessions.limit_help.": ("session_idle_seconds", "session_max_seconds", "oidc_fresh_login_seconds"),
    "label.source_kind.": reference.SOURCE_KINDS,
    "label.stage.": STAGES,
    "label.translation_status.": ("draft", "reviewed"),                        # data/translations.toml
    "label.duplicate_level.": ("likely", "possible"),                          # people.scan / duplicates
    "label.duplicate_origin.": ("registration", "kiosk", "import", "scan"),   # people.duplicates.ORIGINS
    "find.matched.": ("name", "name_variant", "phone", "email"),              # persons.find: how a result matched
    "merge.conflict.": ("waitlist", "membership", "member_waiting"),          # people.merges.Conflict.kind
    "duplicates.choice.": ("kept", "merged", "both"),                         # people.merges.CHOICES
    "label.consent_purpose.": reference.CONSENT_PURPOSES,
    "label.consent_method.": reference.CONSENT_METHODS,
    "label.gender.": reference.GENDERS,
    "label.education_level.": reference.EDUCATION_LEVELS,
    "label.education_band.": ("low", "middle", "high"),
    "label.integration_route.": reference.INTEGRATION_ROUTES,
    "label.activity_kind.": reference.ACTIVITY_KINDS,
    "label.network_kind.": ("sounding_board", "advisory_council", "alumni_network", "platform_delegation"),
    "label.cadence.": ("weekly", "biweekly", "monthly", "bimonthly", "quarterly", "half_yearly", "yearly"),
    "label.waitlist_status.": ("waiting", "offered", "placed", "declined", "expired", "withdrawn", "removed"),
    "label.offer_status.": ("open", "accepted", "declined", "expired", "withdrawn"),
    "label.end_reason.": ("term_completed", "left", "removed", "moved_to_alumni"),
    "label.dash_population.": ("members", "waiting", "pool", "alumni"),
    "label.dash_dimension.": ("gender", "age", "origin", "language", "education", "municipality", "district",
                              "years_in_nl", "integration_route", "region"),
    "label.dash_level.": ("gender", "age5", "age10", "country", "region", "continent", "language", "education_level",
                          "education_band", "municipality", "district", "years_in_nl", "years_in_nl_coarse",
                          "integration_route"),
    "label.dash_stage.": ("registered", "contacted", "waiting", "offered", "member"),
    "label.dash_target.": ("met", "at_risk", "not_met"),
    # audit actions (access.audit.ACTIONS; core may not import access, the catalogue test compares them)
    "label.audit_action.": (
        "login", "logout", "session.start", "session.end", "session.expire",
        "user.add", "user.link_identity", "user.passwd", "user.role", "user.disable", "user.enable",
        "setting.change", "setting.retention_candidate_months", "setting.retention_waitlist_months",
        "setting.retention_alumni_years",
        "person.register", "person.edit", "person.set_stage", "person.view", "person.search", "person.add_source",
        "person.erase", "person.subject_access", "person.import", "person.merge", "person.merge_undo",
        "duplicates.not_duplicate", "duplicates.scan",
        *(f"consent.{verb}.{purpose}" for verb in ("give", "withdraw") for purpose in reference.CONSENT_PURPOSES),
        "activity.log", "activity.follow_up_done",
        "waitlist.add", "waitlist.withdrawn", "waitlist.removed", "waitlist.confirm_interest",
        "offer.make", "offer.accept", "offer.decline", "offer.withdraw",
        "membership.end_left", "membership.end_removed",
        "network.save", "network.alumni_linked",
        "rotation.run", "rotation.renewal_proposed", "rotation.renewal_confirmed", "rotation.renewal_declined",
        "rotation.renewed", "rotation.joined_alumni", "rotation.ended", "rotation.alumni_pending",
        "rotation.moved_to_alumni", "rotation.alumni_yes", "rotation.alumni_no",
        "alumni.setting", "alumni.rotation_proposed", "alumni.rotation_confirmed", "alumni.referral_linked",
        "export.persons", "export.networks", "export.members", "export.waitlist", "export.alumni", "export.seat_timeline",
        "export.import_rejects",
        "retention.preview", "retention.apply", "retention.enable", "retention.disable",
        "store.backup", "store.restore", "store.compact", "maintenance.expire", "demo.fill", "audit.chain_keyed",
        "meeting.plan", "meeting.invite", "meeting.attendance_present", "meeting.attendance_excused",
        "meeting.attendance_absent", "reimbursement.record", "reimbursement.cap_override", "export.payments",
        "feedback.input", "feedback.response", "person.feedback_overview",
        "message.sent", "message.prepared",
        "kiosk.start", "kiosk.end",
    ),
    "label.audit_result.": ("ok", "refused", "failed", "throttled"),   # access.audit.RESULTS
    "label.audit_origin.": ("web", "cli", "job"),                      # access.audit.ORIGINS
    # why the audit chain failed verification (access.audit.REASONS)
    "audit.reason.": ("empty", "no_key", "not_keyed", "wrong_key", "hash_missing", "chain_start_has_previous",
                      "previous_hash_mismatch", "hash_mismatch", "gap", "head_mismatch", "exported_head_missing",
                      "exported_head_mismatch"),
    "label.dash_unknown.": ("unknown",),
    # meetings (networks.meetings, networks.feedback, privacy.payments)
    "label.attendance.": ("invited", "present", "excused", "absent"),
    "label.response_status.": ("received", "in_progress", "adopted", "partly_adopted", "not_adopted"),
    "meetings.col.": ("date", "time", "place", "topic", "support", "present", "name", "status", "requests", "travel",
                      "allowance"),
    "meetings.": ("interpreter", "language_coach", "travel", "allowance", "override_reason"),
    "meetings.download_": ("csv", "xlsx"),
    "home.absence_col.": ("name", "network", "last_meeting"),
    "feedback.col.": ("year", "inputs", "changed", "not_adopted", "open", "given_date", "topic", "addressed_to",
                      "status", "response_date", "action_taken", "reason"),
    "feedback.": ("meeting", "topic", "body", "given_date", "addressed_to", "action_taken", "status", "reason",
                  "response_date"),
    "feedback.language_": ("nl", "en"),
    "payments.col.": ("person_id", "name", "network", "meeting_date", "travel", "allowance", "total",
                      "override_reason"),
    # messages (people.messages): the templates per kind (texts.KINDS × texts.PARTS), the contact moment's
    # summary per status (outbox.STATUSES), what a batch did (outbox.BatchResult), kinds and channels
    "message.": tuple(f"{kind}.{part}" for kind in ("offer", "still_interested", "meeting_invitation",
                                                    "meeting_reminder") for part in ("subject", "body", "short")),
    "message.activity.": ("sent", "prepared"),
    "messages.batch.": ("sent", "refused", "failed", "no_email", "no_consent", "already"),
    "label.message_kind.": ("offer", "still_interested", "meeting_invitation", "meeting_reminder"),
    "label.message_channel.": ("email", "phone", "sms", "whatsapp"),
    "label.region_group.": ("Africa", "America", "Antarctica", "Asia", "Europe", "Oceania", "Australia and New Zealand",
                            "Caribbean", "Central America", "Central Asia", "Eastern Africa", "Eastern Asia",
                            "Eastern Europe", "Melanesia", "Micronesia", "Middle Africa", "Northern Africa",
                            "Northern America", "Northern Europe", "Polynesia", "South America", "South-eastern Asia",
                            "Southern Africa", "Southern Asia", "Southern Europe", "Western Africa", "Western Asia",
                            "Western Europe"),
}


def runtime_ids() -> set[str]:
    return {prefix + value for prefix, values in RUNTIME_IDS.items() for value in values}
