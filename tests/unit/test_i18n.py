"""Every text in Dutch and English; every refusal the core can raise has a message; every option a label."""
from __future__ import annotations

import ast
import string
from dataclasses import dataclass
from pathlib import Path

import pytest

from crm_app.core import i18n, reference
from crm_app.core.errors import CrmError, FieldError, ValidationError

CORE = sorted(Path(i18n.__file__).parents[1].rglob("*.py"))


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


# -- the messages themselves ----------------------------------------------------------------------
@pytest.mark.parametrize("key", sorted(i18n.MESSAGES))
def test_message_has_dutch_and_english_with_the_same_placeholders(key):
    texts = i18n.MESSAGES[key]
    assert isinstance(texts, tuple) and len(texts) == len(i18n.LANGS) == 2
    nl, en = texts
    assert nl.strip() and en.strip()
    assert placeholders(nl) == placeholders(en)
    dummy = dict.fromkeys(placeholders(nl), "X")
    assert i18n.t(key, "nl", **dummy) and i18n.t(key, "en", **dummy)   # formats without error


def test_dutch_is_the_default_and_unknown_keys_are_no_silent_gap():
    assert i18n.DEFAULT_LANG == "nl"
    assert i18n.t("login.title") == i18n.MESSAGES["login.title"][0]
    assert i18n.t("login.title", "en") == i18n.MESSAGES["login.title"][1]
    with pytest.raises(KeyError):
        i18n.t("no.such.key")


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
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in CORE}
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


@pytest.mark.parametrize("code", sorted({r.code for r in RAISED}))
def test_every_error_code_has_a_message(code):
    assert f"err.{code}" in i18n.MESSAGES


@pytest.mark.parametrize("raised", [r for r in RAISED if r.params is not None], ids=lambda r: f"{r.code}@{r.where}")
def test_every_message_gets_the_params_it_names(raised):
    given = set(raised.params) | ({"country_name"} if "country" in raised.params else set())
    for text in i18n.MESSAGES[f"err.{raised.code}"]:
        assert placeholders(text) <= given, (raised.where, placeholders(text) - given)


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
    assert i18n.error_text(CrmError("concurrent_change"), "nl") == i18n.MESSAGES["err.concurrent_change"][0]


# -- labels for every option ----------------------------------------------------------------------
STAGES = ("new", "contacted", "interested", "waiting", "offered", "member", "alumnus", "not_interested",
          "unreachable", "withdrawn")   # derived (view person_stage) and set by staff


@pytest.mark.parametrize("group, values", [
    ("role", reference.ROLES),
    ("source_kind", reference.SOURCE_KINDS),
    ("consent_purpose", reference.CONSENT_PURPOSES),
    ("consent_method", reference.CONSENT_METHODS),
    ("gender", reference.GENDERS),
    ("education_level", reference.EDUCATION_LEVELS),
    ("integration_route", reference.INTEGRATION_ROUTES),
    ("activity_kind", reference.ACTIVITY_KINDS),
    ("stage", STAGES),
])
def test_every_option_has_a_label_in_both_languages(group, values):
    labels = i18n.LABELS[group]
    assert set(values) <= set(labels), set(values) - set(labels)
    for value in values:
        nl, en = labels[value]
        assert nl.strip() and en.strip()
        assert i18n.label(group, value, "nl") == nl and i18n.label(group, value, "en") == en


def test_no_value_has_a_label_too():
    assert i18n.label("gender", None, "en") == i18n.MESSAGES["field.none"][1]
