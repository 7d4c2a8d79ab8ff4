"""The stages staff set by hand, because no fact shows them; every other stage follows from the facts.

The database holds the same list twice (the check on `person.stage_manual` and the `person_stage` view in
schemas/): a migration that changes one changes this module too; tests/unit/test_persons.py stores each.
"""
from __future__ import annotations

# These end the outreach: they outrank a waiting-list entry and take a person out of the pool.
CLOSED_STAGES = ("not_interested", "unreachable", "withdrawn")
MANUAL_STAGES = ("interested", *CLOSED_STAGES)
