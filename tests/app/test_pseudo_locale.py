"""A language is a .po file alone: a pseudo-localised catalogue `xx`, made from the English one in a
temporary directory on CRM_LOCALE_DIR, and every screen rendered in it.

Each message becomes ⟦Ŵîţĥ áççéñţš⟧ with its {placeholders} kept, so a text that shows up without
the brackets on a screen did not come from the catalogue, and a raw message id is easy to spot.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest
from apptest_kit import PAGES_DIR, elements, first_run, new_app, sign_in, texts, values
from babel.messages.pofile import read_po, write_po

from crm_app.access import screens
from crm_app.core import clock, i18n, permissions
from crm_app.networks import offers, registry, waitlists
from crm_app.networks.registry import NetworkInput, TargetInput
from crm_app.people import persons
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput
from crm_app.ui.text import LANG_KEY

PSEUDO = "xx"
_ACCENTED = str.maketrans("aceinosuyACEINOSUY", "áçéîñöšûýÁÇÉÎÑÖŠÛÝ")
_PLACEHOLDER = re.compile(r"(\{[^{}]*\})")


def pseudo(text: str) -> str:
    parts = _PLACEHOLDER.split(text)
    return "⟦" + "".join(p if _PLACEHOLDER.fullmatch(p) else p.translate(_ACCENTED) for p in parts) + "⟧"


@pytest.fixture
def pseudo_locale(tmp_path, monkeypatch) -> set[str]:
    """The English catalogue pseudo-localised as language `xx` under CRM_LOCALE_DIR; returns the message ids."""
    with i18n.catalogue_files()["en"].open("rb") as source:
        catalog = read_po(source)
    ids = set()
    for message in catalog:
        if message.id:
            ids.add(message.id if isinstance(message.id, str) else message.id[0])
            text = message.string
            message.string = pseudo(text) if isinstance(text, str) else tuple(pseudo(form) for form in text)
    catalog.locale = None
    po = tmp_path / PSEUDO / "LC_MESSAGES" / "crm.po"
    po.parent.mkdir(parents=True)
    with po.open("wb") as target:
        write_po(target, catalog)
    monkeypatch.setenv(i18n.LOCALE_DIR_ENV, str(tmp_path))
    assert PSEUDO in i18n.LANGS
    return ids


ROLE_ORDER = ("admin", "program_manager", "coordinator", "outreach", "kiosk")
PAGE_ROLE = {screen.path: next(role for role in ROLE_ORDER if permissions.allowed(role, screen.action))
             for screen in screens.SCREENS}
assert set(PAGE_ROLE) == {f"pages/{path.name}" for path in PAGES_DIR.glob("*.py")}, "a page is not a screen"
NOW = dt.datetime(2026, 11, 29, 9, 30)


@pytest.fixture
def a_network_with_people(store, staff) -> int:
    """A five-place network with a target, two members and one person waiting; returns a member's id."""
    pm = staff["program_manager"].as_user().actor()
    clock.freeze(NOW - dt.timedelta(days=40))
    try:
        network_id = registry.save(store, pm, NetworkInput("Klankbordgroep Oost", "sounding_board", 2, 5),
                                   [TargetInput("gender", "woman", "share", "40%", None)])
        people = [persons.register(store, pm, PersonInput(given_name=name, family_name="Haddad", consent_contact=True,
                                                          consent_diversity_statistics=True, gender=gender),
                                   SourceInput(kind="market", source_name="Markt Oost"), confirmed_new=True).person_id
                  for name, gender in (("Amal", "woman"), ("Bashir", "man"), ("Carla", "woman"))]
        entries = [waitlists.add(store, pm, network_id, person) for person in people]
        for offer_id in offers.make(store, pm, network_id, entries[:2], "waitlist"):
            offers.respond(store, pm, offer_id, "accept")
    finally:
        clock.freeze(NOW)
    yield people[0]
    clock.freeze(None)


def _raw_ids(text: str, ids: set[str]) -> set[str]:
    return {token for token in re.findall(r"[a-z_]+(?:\.[a-z_0-9]+)+", text) if token in ids}


def _shown(at) -> str:
    """What the user reads, but of a table only its column names (the audit log's cells hold action names
    such as waitlist.add, which look like message ids)."""
    shown = []
    for area in (at.main, at.sidebar):
        for element in elements(area):
            if element.type in ("table", "arrow_table", "dataframe", "arrow_data_frame"):
                shown += map(str, element.value.columns)
            else:
                shown += texts([element])
    return "\n".join(shown)


@pytest.mark.parametrize("path", sorted(PAGE_ROLE))
def test_every_screen_renders_in_a_language_added_as_a_po_file(path, staff, pseudo_locale, a_network_with_people):
    at = new_app()
    sign_in(at, staff[PAGE_ROLE[path]].as_user())
    at.session_state[LANG_KEY] = PSEUDO
    if path == "pages/person.py":
        at.query_params["id"] = str(a_network_with_people)
    at.switch_page(path)   # one run per screen: AppTest formats option labels outside the session (in Dutch)
    first_run(at)
    assert not at.exception, [e.value for e in at.exception]

    titles = values(at.main, "title")
    assert titles, "no title"
    title_key = re.search(r'st\.title\(tr\("([a-z_.]+)"', (PAGES_DIR.parent / path).read_text(encoding="utf-8"))
    if title_key:   # the person screen's title is the person's name
        assert titles[0].startswith(i18n.t(title_key[1], PSEUDO).split("{")[0]) and titles[0].endswith("⟧"), titles[0]
    shown = _shown(at)
    assert "⟦" in shown
    assert _raw_ids(shown, pseudo_locale) == set()
    assert at.session_state[LANG_KEY] == PSEUDO
