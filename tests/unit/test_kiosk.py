"""The kiosk: its catalogues are complete in every language, kiosk mode drops a session's rights until the
PIN ends it (wrong PINs make the next try wait), and a person's network interests live and die with them."""
from __future__ import annotations

import ast
import datetime as dt
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from crm_app.access import kiosk, sessions, users
from crm_app.access.audit import Actor
from crm_app.core import clock, i18n, reference, settings
from crm_app.core.errors import CrmError, ValidationError
from crm_app.networks import registry
from crm_app.people import interests, merges, persons
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput
from crm_app.privacy import erasure, subject_access

ROOT = Path(i18n.__file__).resolve().parents[2]
PIN = "482916"


def read(po: Path) -> dict[str, str]:
    with po.open("rb") as source:
        return {m.id: m.string for m in read_po(source) if m.id}


KIOSK = {lang: read(po) for lang, po in i18n.kiosk_catalogue_files().items()}
CODE = [*sorted((ROOT / "crm_app").rglob("*.py")), *sorted((ROOT / "pages").glob("*.py")), ROOT / "app.py"]
LITERALS = {node.value for path in CODE for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


# -- the catalogues -----------------------------------------------------------------------------------------
def test_the_kiosk_speaks_eight_languages_and_the_staff_screens_stay_dutch_and_english():
    assert set(i18n.kiosk_languages()) == {"nl", "en", "ar", "ti", "uk", "tr", "fa", "so"}
    assert set(i18n.LANGS) == {"nl", "en"}


@pytest.mark.parametrize("lang", sorted(KIOSK))
def test_every_kiosk_message_is_translated_with_its_placeholders(lang):
    english = KIOSK["en"]
    assert set(KIOSK[lang]) == set(english), "every kiosk message, and no other, in every kiosk language"
    for key, text in KIOSK[lang].items():
        assert text.strip(), f"{lang}: {key} is untranslated"
        assert placeholders(text) == placeholders(english[key]), (lang, key)
    if lang != "en":
        same = {key for key, text in KIOSK[lang].items() if text == english[key]}
        assert not same, f"{lang}: still English: {sorted(same)}"


def test_the_code_asks_for_every_kiosk_message_and_no_other():
    used = {text for text in LITERALS if text.startswith("kiosk.")}
    assert set(KIOSK["en"]) <= used, "a kiosk message no code asks for"
    assert {key for key in used if key in KIOSK["en"] or key.startswith("kiosk.err.")} <= set(KIOSK["en"])


def test_every_language_names_itself_in_its_own_script():
    assert {lang: KIOSK[lang]["kiosk.language_name"] for lang in KIOSK} == {
        "nl": "Nederlands", "en": "English", "ar": "العربية", "ti": "ትግርኛ", "uk": "Українська", "tr": "Türkçe",
        "fa": "دری / فارسی", "so": "Soomaali"}


@pytest.mark.parametrize("lang", sorted(KIOSK))
def test_a_language_is_found_by_its_own_name_its_english_name_and_the_names_people_type(lang):
    labels = reference.language_labels_with_english(lang)
    for code, typed in (("ara", ("العربية", "عربي", "Arabic")), ("fas", ("فارسی", "Farsi", "Persian")),
                        ("prs", ("دری", "Farsi", "Dari")), ("tir", ("ትግርኛ", "Tigrinya")), ("som", ("Soomaali", "Somali")),
                        ("ukr", ("українська", "Ukrainian")), ("tur", ("Türkçe", "Turkish"))):
        for text in typed:
            assert text.casefold() in labels[code].casefold(), (lang, code, text, labels[code])


def test_each_language_has_an_honest_review_status():
    reviews = {review.lang: review for review in i18n.review_status()}
    assert set(reviews) == set(KIOSK)
    for review in reviews.values():
        assert review.status in ("draft", "reviewed")
        assert (review.status == "reviewed") == bool(review.reviewer and review.reviewed_on), review


def test_arabic_and_persian_are_written_right_to_left():
    assert {lang for lang in KIOSK if i18n.direction(lang) == "rtl"} == {"ar", "fa"}


# -- kiosk mode -----------------------------------------------------------------------------------------------
@pytest.fixture
def olga(store, actor, cheap_hashing) -> users.User:
    return users.active_user(store, actor.user_id)


@pytest.fixture
def token(store, olga, frozen_clock) -> str:
    token = sessions.start(store, olga, "local")
    kiosk.start(store, olga, token, "Markt Kerkplein", None, PIN)
    return token


def events(store, action: str) -> list[tuple]:
    with store.read() as cur:
        return cur.execute("SELECT user_id, result FROM audit_event WHERE action = ? ORDER BY id", [action]).fetchall()


def test_kiosk_mode_gives_the_session_the_kiosk_rights_only(store, olga, token, frozen_clock):
    user = sessions.resume(store, token).user
    assert (user.id, user.role, user.kiosk.market, user.kiosk.day, user.kiosk.staff_session) == (
        olga.id, "kiosk", "Markt Kerkplein", clock.today(), True)
    with pytest.raises(CrmError):
        persons.find(store, user.actor(), "Amal")
    assert events(store, "kiosk.start") == [(olga.id, "ok")]
    with store.read() as cur:
        assert PIN not in str(cur.execute("SELECT * FROM app_session").fetchall())


def test_a_kiosk_stands_idle_all_day_but_not_past_the_sessions_absolute_end(store, token, frozen_clock):
    idle = settings.DEFAULTS["session_idle_seconds"]
    clock.freeze(frozen_clock + dt.timedelta(seconds=idle * 3))
    assert sessions.is_live(store, token) and sessions.resume(store, token).user.role == "kiosk"
    clock.freeze(frozen_clock + dt.timedelta(seconds=settings.DEFAULTS["session_max_seconds"] + 1))
    assert sessions.resume(store, token) is None


def test_the_pin_must_be_digits_and_the_market_is_needed(store, olga):
    token = sessions.start(store, olga, "local")
    with pytest.raises(ValidationError) as refused:
        kiosk.start(store, olga, token, "", None, "12a")
    assert {e.field for e in refused.value.errors} == {"kiosk_market", "kiosk_pin"}
    kiosk_account = users.User(olga.id, olga.username, olga.display_name, "kiosk")
    with pytest.raises(CrmError):
        kiosk.start(store, kiosk_account, token, "Markt", None, PIN)


def test_wrong_pins_make_the_next_try_wait_and_the_right_pin_ends_kiosk_mode(store, olga, token, frozen_clock):
    for _ in range(kiosk.FREE_TRIES - 1):
        assert kiosk.end(store, token, "000000") == kiosk.EndAttempt(False, None)
    waited = kiosk.end(store, token, "111111")
    assert not waited.ended and waited.retry_at == frozen_clock + dt.timedelta(seconds=2 ** kiosk.FREE_TRIES)
    assert kiosk.end(store, token, PIN) == kiosk.EndAttempt(False, waited.retry_at), "during the wait: not checked"
    assert sessions.resume(store, token).user.role == "kiosk"

    clock.freeze(waited.retry_at)
    assert kiosk.end(store, token, PIN).ended
    assert sessions.resume(store, token).user == olga
    assert [result for _, result in events(store, "kiosk.end")] == ["refused"] * kiosk.FREE_TRIES + ["ok"]


# -- interests ---------------------------------------------------------------------------------------------------
@pytest.fixture
def boss(actor):
    return Actor(actor.user_id, "admin", "web")


@pytest.fixture
def boards(store, boss) -> tuple[int, int, int]:
    east = registry.save(store, boss, registry.NetworkInput(name="Klankbord Oost", min_places=3, max_places=12))
    west = registry.save(store, boss, registry.NetworkInput(name="Klankbord West", min_places=3, max_places=12))
    alumni = registry.save(store, boss, registry.NetworkInput(name="Alumni", kind="alumni_network", min_places=0,
                                                              max_places=50))
    return east, west, alumni


def add(store, boss, given, phone, networks=()) -> int:
    return persons.register(store, boss, PersonInput(given_name=given, phone=phone, consent_contact=True),
                            SourceInput(kind="market", source_name="Markt"), confirmed_new=True,
                            interests_in=tuple(networks)).person_id


def test_interests_are_noted_shown_and_an_alumni_network_is_not_open(store, boss, boards):
    east, west, alumni = boards
    assert interests.open_networks(store, boss) == {east: "Klankbord Oost", west: "Klankbord West"}
    with pytest.raises(CrmError):
        interests.open_networks(store, Actor(boss.user_id, "coordinator", "web"))
    person = add(store, boss, "Amal", "0612345678", [west, east])
    assert [i["network"] for i in persons.get(store, boss, person)["interests"]] == ["Klankbord Oost", "Klankbord West"]
    with pytest.raises(ValidationError):
        add(store, boss, "Saba", "0687654321", [alumni])


def test_interests_are_in_the_subject_access_file_and_gone_after_erasure(store, boss, boards):
    person = add(store, boss, "Amal", "0612345678", [boards[0]])
    document = subject_access.collect(store, boss, person)
    assert [(row["network"], row["via"]) for row in document["interests"]] == [("Klankbord Oost", "staff")]
    assert "Klankbord Oost" in subject_access.to_html(document)
    erasure.erase(store, boss, person, compact=False)
    with store.read() as cur:
        assert cur.execute("SELECT count(*) FROM person_interest").fetchone()[0] == 0


def test_a_merge_carries_the_interests_to_the_kept_person(store, boss, boards):
    east, west, _ = boards
    kept = add(store, boss, "Yusuf", "0612345678", [east])
    merged = add(store, boss, "Youssef", "0612345678", [east, west])
    merges.merge(store, boss, kept, merged)
    with store.read() as cur:
        assert sorted(cur.execute("SELECT person_id, network_id FROM person_interest").fetchall()) == [
            (kept, east), (kept, west)]
