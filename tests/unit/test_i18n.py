"""The gettext catalogues are the only source of texts: complete, free of dead messages, in agreement
between languages; every refusal the core can raise has a message; plural forms follow each
catalogue's Plural-Forms; a language is added by a .po file alone."""
from __future__ import annotations

import ast
import dataclasses
import os
import re
import string
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from crm_app.core import i18n, reference
from crm_app.core.errors import CrmError, FieldError, ValidationError
from crm_app.core.message_ids import RUNTIME_IDS, runtime_ids

ROOT = Path(i18n.__file__).resolve().parents[2]
CORE = sorted((ROOT / "crm_app").rglob("*.py"))
CODE = CORE + sorted((ROOT / "pages").glob("*.py")) + [ROOT / "app.py"]
TREES = {path: ast.parse(path.read_text(encoding="utf-8")) for path in CODE}
PACKAGE_CATALOGUES = {po.parents[1].name: po for po in sorted(i18n.LOCALE_DIR.glob("*/LC_MESSAGES/crm.po"))}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def read(po: Path) -> dict[str, str | tuple[str, ...]]:
    """Message id → text (a tuple of forms for a plural message), from a .po file."""
    with po.open("rb") as source:
        catalog = read_po(source)
    return {(m.id if isinstance(m.id, str) else m.id[0]): (m.string if isinstance(m.string, str) else tuple(m.string))
            for m in catalog if m.id}


CATALOGUES = {lang: read(po) for lang, po in PACKAGE_CATALOGUES.items()}
DUTCH = CATALOGUES[i18n.DEFAULT_LANG]


def forms(text) -> tuple[str, ...]:
    return text if isinstance(text, tuple) else (text,)


# -- the catalogues themselves --------------------------------------------------------------------
def test_dutch_and_english_are_there_and_dutch_comes_first():
    assert i18n.DEFAULT_LANG == "nl"
    assert i18n.LANGS[:1] == ("nl",) and {"nl", "en"} <= set(i18n.LANGS)
    assert set(PACKAGE_CATALOGUES) == {"nl", "en"}


@pytest.mark.parametrize("lang", sorted(PACKAGE_CATALOGUES))
def test_a_catalogue_holds_the_same_messages_as_dutch_with_the_same_placeholders(lang):
    catalogue = CATALOGUES[lang]
    assert set(catalogue) == set(DUTCH)
    for key, text in catalogue.items():
        assert isinstance(text, tuple) == isinstance(DUTCH[key], tuple), f"{key}: plural in one language only"
        assert all(form.strip() for form in forms(text)), f"{lang}: {key} is untranslated"
        wanted = set().union(*map(placeholders, forms(DUTCH[key])))
        for form in forms(text):
            assert placeholders(form) == wanted, (lang, key, form)
            form.format(**dict.fromkeys(wanted, "X"))   # formats without error


@pytest.mark.parametrize("lang", sorted(PACKAGE_CATALOGUES))
def test_no_text_works_around_a_plural_with_brackets(lang):
    for key, text in CATALOGUES[lang].items():
        for form in forms(text):
            assert not re.search(r"\w\((en|s|n|e)\)", form), f"{lang}: {key}: use a plural message (tn) instead"


def test_plural_forms_follow_the_count():
    assert i18n.tn("fill.make_offers", 1) == "Bied 1 plaats aan"
    assert i18n.tn("fill.make_offers", 3) == "Bied 3 plaatsen aan"
    assert i18n.tn("fill.offers_made", 1, "en") == "1 offer made."
    assert i18n.tn("fill.offers_made", 0, "en") == "0 offers made."
    assert i18n.error_text(ValidationError([FieldError("a", "required")]), "nl") == "1 veld klopt niet."
    assert i18n.error_text(ValidationError([FieldError("a", "required")] * 2), "en") == "2 fields are not right."


def test_dutch_is_the_default_and_unknown_keys_are_no_silent_gap():
    assert i18n.t("login.title") == DUTCH["login.title"]
    assert i18n.t("login.title", "en") == CATALOGUES["en"]["login.title"]
    assert i18n.t("login.title", "no-such-language") == DUTCH["login.title"]
    with pytest.raises(KeyError):
        i18n.t("no.such.key")
    with pytest.raises(KeyError):
        i18n.tn("no.such.key", 2, "en")


# -- a language is a .po file ----------------------------------------------------------------------
THREE_FORMS = r'''msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\n"

msgid "login.title"
msgstr "{title}"

msgid "fill.offers_made"
msgid_plural "fill.offers_made"
msgstr[0] "{count} oferta"
msgstr[1] "{count} oferty"
msgstr[2] "{count} ofert"
'''


@pytest.fixture
def extra_language(tmp_path, monkeypatch):
    """Put a (partial) catalogue for language `zz` in a directory of CRM_LOCALE_DIR; returns its .po."""
    po = tmp_path / "zz" / "LC_MESSAGES" / "crm.po"
    po.parent.mkdir(parents=True)
    po.write_text(THREE_FORMS.replace("{title}", "Zaloguj"), encoding="utf-8")
    monkeypatch.setenv(i18n.LOCALE_DIR_ENV, os.pathsep.join([str(tmp_path / "missing"), str(tmp_path)]))
    return po


def test_a_po_file_alone_adds_a_language_with_its_own_plural_rule(extra_language):
    assert i18n.LANGS == ("nl", "en", "zz")
    assert i18n.t("login.title", "zz") == "Zaloguj"
    assert [i18n.tn("fill.offers_made", n, "zz") for n in (1, 3, 5, 22)] == \
        ["1 oferta", "3 oferty", "5 ofert", "22 oferty"]
    assert i18n.t("app.logout", "zz") == DUTCH["app.logout"]   # not translated yet: Dutch


def test_a_compiled_catalogue_is_used_only_while_it_is_newer_than_its_po(extra_language):
    mo = extra_language.with_suffix(".mo")
    stale = extra_language.with_name("stale.po")
    stale.write_text(THREE_FORMS.replace("{title}", "old"), encoding="utf-8")
    mo.write_bytes(i18n.compile_catalogue(stale))
    now = time.time()
    os.utime(mo, (now - 60, now - 60))
    assert i18n.t("login.title", "zz") == "Zaloguj"   # the .mo is older than the .po: compiled from the .po

    os.utime(mo, (now + 60, now + 60))
    i18n._translations.cache_clear()
    assert i18n.t("login.title", "zz") == "old"


# -- every message the code uses, and no other -----------------------------------------------------
KEY_FUNCTIONS = {"t", "tr", "tn", "trn"}      # their first argument is a message id
SECOND_ARGUMENT = {"say"}                     # the crm command's say(args, id, …)
PLURAL_FUNCTIONS = {"tn", "trn"}
LABEL_FUNCTIONS = {"label", "i18n_label"}     # their first argument is a label group


def _called(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "i18n":
        return func.attr
    return None


def _keys(node: ast.expr):
    """(literal id or None, literal prefix or None) for each id the expression can be."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value, None
    elif isinstance(node, ast.IfExp):
        yield from _keys(node.body)
        yield from _keys(node.orelse)
    elif isinstance(node, ast.JoinedStr):
        first = node.values[0]
        yield None, first.value if isinstance(first, ast.Constant) else ""
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        yield None, node.left.value if isinstance(node.left, ast.Constant) else ""
    # anything else (a variable, an attribute) passes on an id written out elsewhere


@dataclass(frozen=True)
class Use:
    function: str
    key: str | None
    prefix: str | None
    where: str


def uses() -> list[Use]:
    found = []
    for path, tree in TREES.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.args and _called(node) in KEY_FUNCTIONS | LABEL_FUNCTIONS:
                for key, prefix in _keys(node.args[0]):
                    found.append(Use(_called(node), key, prefix, f"{path.relative_to(ROOT)}:{node.lineno}"))
            elif isinstance(node, ast.Call) and len(node.args) > 1 and _called(node) in SECOND_ARGUMENT:
                for key, prefix in _keys(node.args[1]):
                    found.append(Use("t", key, prefix, f"{path.relative_to(ROOT)}:{node.lineno}"))
    return found


USES = uses()
LITERALS = {node.value for tree in TREES.values() for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def test_the_scan_sees_the_code():
    keys = {u.key for u in USES if u.function in KEY_FUNCTIONS}
    prefixes = {u.prefix for u in USES if u.prefix is not None}
    assert {"login.title", "app.error", "fill.make_offers", "dash.count", "sar.none", "cli.fill.plan"} <= keys
    assert {"reason.", "field.", "rotation.status.", "privacy.kind.", "sar.", "err."} <= prefixes
    assert {"role", "stage", "dash_target"} <= {u.key for u in USES if u.function in LABEL_FUNCTIONS}


def test_every_id_built_at_run_time_has_its_prefix_listed():
    for use in USES:
        if use.prefix is not None:
            # err.<code>: the raised codes below; label.<group>.<value>: i18n.label itself, groups checked next
            assert use.prefix in RUNTIME_IDS or use.prefix in ("err.", "label."), \
                f"{use.where}: an id built from {use.prefix!r}: list its values in crm_app.core.message_ids"
        if use.function in LABEL_FUNCTIONS and use.key is not None:
            assert f"label.{use.key}." in RUNTIME_IDS, f"{use.where}: label group {use.key!r} is not listed"


@pytest.mark.parametrize("lang", sorted(PACKAGE_CATALOGUES))
def test_a_catalogue_holds_every_message_the_code_uses(lang):
    used = {u.key for u in USES if u.function in KEY_FUNCTIONS and u.key is not None}
    used |= runtime_ids() | {f"err.{r.code}" for r in RAISED}
    assert used - set(CATALOGUES[lang]) == set()


@pytest.mark.parametrize("lang", sorted(PACKAGE_CATALOGUES))
def test_a_catalogue_holds_no_message_that_no_code_uses(lang):
    used = LITERALS | runtime_ids() | {f"err.{r.code}" for r in RAISED}
    assert set(CATALOGUES[lang]) - used == set()


def test_plural_messages_are_asked_for_with_a_count():
    for use in USES:
        if use.key is not None and use.function in KEY_FUNCTIONS:
            plural = isinstance(DUTCH.get(use.key), tuple)
            assert plural == (use.function in PLURAL_FUNCTIONS), \
                f"{use.where}: {use.key} is {'a' if plural else 'no'} plural message; use {'tn' if plural else 't'}"


def _runtime_families():
    from crm_app.access import audit, sessions
    from crm_app.insight import counted, funnel, population
    from crm_app.networks import composition, offers, registry, rotation, selection
    from crm_app.people.messages import outbox, texts
    from crm_app.privacy import erasure, retention
    from crm_app.ui.rotation_charts import TIMELINE_COLOURS
    return [
        ("label.network_kind.", registry.KINDS), ("label.cadence.", registry.CADENCES),
        ("dimension.", composition.DIMENSIONS), ("label.education_band.", set(composition.EDUCATION_BANDS.values())),
        ("fill.method.", selection.METHODS), ("fill.method_help.", selection.METHODS),
        ("fill.offer_", offers.RESPONSES.values()), ("fill.", offers.RESPONSES), ("fill.confirm.", offers.RESPONSES),
        ("fill.confirm_yes.", offers.RESPONSES), ("networks.measure.", registry.MEASURES),
        ("rotation.alumni_choice.", (*rotation.ALUMNI_CHOICES, "unknown")),
        ("rotation.status.", TIMELINE_COLOURS), ("privacy.rule.", retention.RULES),
        ("privacy.setting.", retention.SETTINGS), ("privacy.kind.", [kind for kind, _, _ in erasure.KINDS]),
        ("dash.period.", counted.PERIODS), ("label.dash_population.", population.POPULATIONS),
        ("label.dash_stage.", funnel.FUNNEL_STAGES),
        ("label.dash_dimension.", {*population.DIMENSIONS, *funnel.REACH_DIMENSIONS}),
        ("label.dash_level.", {level for levels in population.LEVELS.values() for level in levels}),
        ("label.dash_unknown.", [counted.UNKNOWN]), ("label.audit_action.", audit.ACTIONS),
        ("audit.reason.", audit.REASONS), ("label.audit_result.", audit.RESULTS), ("label.audit_origin.", audit.ORIGINS),
        ("label.region_group.", {name for pair in population.region_groups().values() for name in pair}),
        ("label.session_method.", sessions.METHODS), ("sessions.limit.", sessions.LIMITS),
        ("sessions.limit_help.", sessions.LIMITS),
        ("label.message_kind.", outbox.KINDS), ("label.message_channel.", outbox.CHANNELS),
        ("message.activity.", outbox.STATUSES),
        ("messages.batch.", [f.name for f in dataclasses.fields(outbox.BatchResult)]),
        ("message.", [f"{kind}.{part}" for kind in texts.KINDS for part in texts.PARTS]),
    ]


def test_the_listed_runtime_ids_are_the_domains_own_values():
    for prefix, values in _runtime_families():
        assert set(RUNTIME_IDS[prefix]) >= set(values), prefix
        if prefix != "label.region_group.":   # every UN M49 group is named, not only those in the data
            assert set(RUNTIME_IDS[prefix]) == set(values), prefix


# -- every code the core raises -------------------------------------------------------------------
@dataclass(frozen=True)
class Raised:
    code: str
    params: frozenset | None   # None: not known from the source (e.g. passed on as **params)
    where: str


def _error_classes(trees: dict[Path, ast.Module]) -> set[str]:
    """CrmError and every class deriving from it anywhere in the core."""
    names = {"CrmError"}
    while True:
        more = {node.name for tree in trees.values() for node in ast.walk(tree)
                if isinstance(node, ast.ClassDef)
                and any(isinstance(b, ast.Name) and b.id in names for b in node.bases)} - names
        if not more:
            return names
        names |= more


def _dict_keys(node) -> frozenset | None:
    if isinstance(node, ast.Dict) and all(isinstance(k, ast.Constant) for k in node.keys):
        return frozenset(k.value for k in node.keys)
    return None


def raised_codes() -> tuple[list[Raised], list[str]]:
    """(codes with their params, call sites whose code is not a literal) from FieldError/CrmError calls."""
    trees = {path: TREES[path] for path in CORE}
    error_classes = _error_classes(trees) - {"ValidationError"}
    found, unresolved = [], []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            # Functions named *_problem return a code that is raised as FieldError("…", problem).
            if isinstance(node, ast.FunctionDef) and node.name.endswith("_problem"):
                for ret in ast.walk(node):
                    if isinstance(ret, ast.Return) and isinstance(ret.value, ast.Constant) and ret.value.value:
                        found.append(Raised(ret.value.value, frozenset(), f"{path.name}:{ret.lineno}"))
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            where = f"{path.name}:{node.lineno}"
            if node.func.id == "FieldError":
                code = node.args[1] if len(node.args) > 1 else next(
                    (k.value for k in node.keywords if k.arg == "code"), None)
                params_node = node.args[2] if len(node.args) > 2 else next(
                    (k.value for k in node.keywords if k.arg == "params"), None)
                params = frozenset() if params_node is None else _dict_keys(params_node)
            elif node.func.id in error_classes:
                code = node.args[0] if node.args else None
                params = (None if any(k.arg is None for k in node.keywords)
                          else frozenset(k.arg for k in node.keywords))
            else:
                continue
            if isinstance(code, ast.Constant) and isinstance(code.value, str):
                found.append(Raised(code.value, params, where))
            elif isinstance(code, ast.Name) and code.id == "problem":
                continue   # resolved through the *_problem functions above
            else:
                unresolved.append(where)
    found.append(Raised("validation_failed", frozenset({"count"}), "errors.py ValidationError"))
    return found, unresolved


RAISED, UNRESOLVED = raised_codes()


def test_the_scan_finds_the_core_refusals():
    codes = {r.code for r in RAISED}
    # A sample the scan must see, or it has gone blind.
    assert {"phone_invalid", "phone_unreadable", "bidi_control", "control_character", "too_long",
            "contact_consent_required", "diversity_consent_required", "person_not_found", "permission_denied",
            "store_locked", "concurrent_change", "username_taken", "password_too_short", "date_in_past",
            "contact_consent_needed", "resting"} <= codes
    assert UNRESOLVED == [], "error codes that are not literals: give them a message another way"


@pytest.mark.parametrize("raised", [r for r in RAISED if r.params is not None], ids=lambda r: f"{r.code}@{r.where}")
def test_every_message_gets_the_params_it_names(raised):
    given = set(raised.params) | ({"country_name"} if "country" in raised.params else set())
    for catalogue in CATALOGUES.values():
        text = catalogue[f"err.{raised.code}"]
        assert isinstance(text, tuple) == ("count" in given), f"{raised.code}: a count param means a plural message"
        for form in forms(text):
            assert placeholders(form) <= given, (raised.where, placeholders(form) - given)


def test_error_text_names_the_country_in_the_users_language():
    error = FieldError("phone", "phone_invalid", {"country": "SY"})
    assert "Syrië" in i18n.error_text(error, "nl")
    assert "Syria" in i18n.error_text(error, "en")


def test_field_errors_gives_the_first_problem_per_field():
    error = ValidationError([FieldError("phone", "phone_unreadable"), FieldError("phone", "required"),
                             FieldError("given_name", "too_long", {"max": 100, "length": 101})])
    messages = i18n.field_errors(error, "en")
    assert messages == {"phone": i18n.t("err.phone_unreadable", "en"),
                        "given_name": i18n.t("err.too_long", "en", max=100, length=101)}
    assert "101" in messages["given_name"]


def test_a_crm_error_is_translated_by_its_code():
    assert i18n.error_text(CrmError("concurrent_change"), "nl") == DUTCH["err.concurrent_change"]


# -- labels for every option ----------------------------------------------------------------------
@pytest.mark.parametrize("group, values", [
    ("role", reference.ROLES),
    ("source_kind", reference.SOURCE_KINDS),
    ("consent_purpose", reference.CONSENT_PURPOSES),
    ("consent_method", reference.CONSENT_METHODS),
    ("gender", reference.GENDERS),
    ("education_level", reference.EDUCATION_LEVELS),
    ("integration_route", reference.INTEGRATION_ROUTES),
    ("activity_kind", reference.ACTIVITY_KINDS),
])
def test_every_option_has_a_label_in_every_language(group, values):
    for value in values:
        for lang, catalogue in CATALOGUES.items():
            assert i18n.label(group, value, lang) == catalogue[f"label.{group}.{value}"]


def test_no_value_has_a_label_too():
    assert i18n.label("gender", None, "en") == CATALOGUES["en"]["field.none"]


def test_no_dutch_text_says_aanmelden():
    """In Dutch software "aanmelden" reads as "log in": registering a candidate and the kiosk use other words."""
    said = {key: text for key, text in CATALOGUES["nl"].items()
            if re.search(r"\baan(ge)?meld|\bmeld je aan", str(text), re.IGNORECASE)}
    assert not said
