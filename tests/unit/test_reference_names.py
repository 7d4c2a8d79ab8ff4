"""Language and country names come from CLDR in the user's language; pickers find a language by any of its names."""
import pycountry
import pytest

from crm_app.core import reference
from crm_app.core.paths import DATA_DIR

LINES = [line for line in (DATA_DIR / "languages.txt").read_text(encoding="utf-8").splitlines()
         if not line.startswith("#")]
COMMON = [line.split()[0] for line in LINES[:LINES.index("---")]]


def search(query: str, lang: str) -> list[str]:
    """What a picker keeps when the user types `query`: the languages whose label contains it."""
    return [code for code, text in reference.language_labels(lang).items() if query.casefold() in text.casefold()]


def test_the_common_languages_of_newcomers_come_first_then_the_rest_alphabetically():
    assert COMMON[:4] == ["ara", "tir", "fas", "prs"]
    for lang in ("nl", "en"):
        names = reference.languages(lang)
        assert list(names)[:len(COMMON)] == COMMON
        rest = list(names.values())[len(COMMON):]
        assert rest == sorted(rest, key=reference.sort_key)


@pytest.mark.parametrize(("lang", "expected"), [
    ("nl", {"ara": "Arabisch", "tir": "Tigrinya", "fas": "Perzisch", "prs": "Dari", "tur": "Turks",
            "ukr": "Oekraïens", "som": "Somalisch", "pus": "Pasjtoe", "nld": "Nederlands"}),
    ("en", {"ara": "Arabic", "tir": "Tigrinya", "fas": "Persian", "prs": "Dari", "tur": "Turkish",
            "ukr": "Ukrainian", "som": "Somali", "pus": "Pashto", "nld": "Dutch"}),
])
def test_names_are_in_the_users_language(lang, expected):
    names = reference.languages(lang)
    assert {code: names[code] for code in expected} == expected


def test_a_label_carries_the_name_other_names_and_the_languages_own_name():
    assert reference.language_label("fas", "nl") == "Perzisch (Farsi) — فارسی"
    assert reference.language_label("fas", "en") == "Persian (Farsi) — فارسی"
    assert reference.language_label("ara", "nl") == "Arabisch — العربية"
    assert reference.language_label("nld", "nl") == "Nederlands", "no own name when it is the same"
    assert reference.language_label("eng", "nl") == "Engels — English"


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize(("query", "code"), [
    ("فارسی", "fas"), ("Farsi", "fas"), ("عربي", "ara"), ("العربية", "ara"), ("Tigrinya", "tir"), ("ትግርኛ", "tir"),
    ("Türkçe", "tur"), ("українська", "ukr"), ("Kurmanji", "kmr"), ("Sorani", "ckb"), ("Berber", "tzm"),
    ("دری", "prs"),
])
def test_a_language_is_found_by_its_own_name_and_common_alternatives(lang, query, code):
    assert code in search(query, lang)


def test_a_language_is_found_by_its_name_in_the_users_language():
    assert search("Arabisch", "nl")[0] == "ara"
    assert search("Perzisch", "nl") == ["fas"]
    assert search("Persian", "en") == ["fas"]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_no_odd_names_are_offered(lang):
    labels = " | ".join(reference.language_labels(lang).values())
    for odd in ("Levantine Arabic", "Levantijns", "Interlingua (International", "Association", "Volapük"):
        assert odd not in labels


def test_stored_codes_stay_iso_639_3():
    for code in reference.languages("nl"):
        assert reference.language_code(code) == code
    assert "ara" in reference.languages("nl") and "ar" not in reference.languages("nl")


def test_a_stored_code_no_longer_offered_still_has_a_name():
    assert "apc" not in reference.languages("nl")
    assert reference.language_name("apc", "nl") == "Levantijns-Arabisch"
    assert reference.language_name("kur", "en") == "Kurdish"
    assert reference.language_name("haz", "nl") == "Hazaragi"   # no CLDR name: ISO 639-3's
    assert reference.language_name("qqq", "nl") == "qqq"


def test_countries_come_from_cldr_keep_iso_codes_and_sort_in_the_users_language():
    nl, en = reference.countries("nl"), reference.countries("en")
    assert set(nl) == set(en) == {c.alpha_2 for c in pycountry.countries}
    assert (nl["SY"], nl["NL"], nl["ER"], nl["DE"]) == ("Syrië", "Nederland", "Eritrea", "Duitsland")
    assert (en["SY"], en["DE"]) == ("Syria", "Germany")
    names = list(nl.values())
    assert names.index("Afghanistan") < names.index("Åland") < names.index("Albanië"), "Å among the A's"


def test_an_unknown_ui_language_falls_back_to_english_names():
    assert reference.languages("qps")["ara"] == "Arabic"
    assert reference.countries("qps")["NL"] == "Netherlands"
