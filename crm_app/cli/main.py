"""The `crm` command: the operator's and the acceptance tests' way in (DESIGN section 4).

Exit codes: 0 done; 1 refused (invalid input, nothing changed, message on stderr); 2 usage error.
Every subcommand calls the same services as the pages.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import logging
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

from crm_app import maintenance
from crm_app.access import audit, users
from crm_app.access.audit import CLI_OPERATOR
from crm_app.core import formats, i18n, reference
from crm_app.core.errors import CrmError, ValidationError
from crm_app.core.fields import format_phone
from crm_app.core.store import Store, default_path
from crm_app.networks import memberships, offers, reasons, registry, selection, waitlists
from crm_app.people import persons
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput
from crm_app.privacy import exports

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2


class Refused(Exception):
    """A refusal already phrased for the operator."""


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("give 1 or more")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crm", description="CRM for participant networks")
    parser.add_argument("--db", help="database file (default: $CRM_DB or data/crm.duckdb)")
    parser.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    parser.add_argument("--lang", choices=i18n.LANGS, default=i18n.DEFAULT_LANG)
    sub = parser.add_subparsers(dest="command", required=True)

    init = sub.add_parser("init", help="create or migrate the store")
    init.add_argument("--demo", action="store_true", help="fill an empty store with synthetic demo data")
    init.set_defaults(run=cmd_init)

    serve = sub.add_parser("serve", help="run the web app on this store")
    serve.add_argument("--port", type=int, default=8501)
    serve.add_argument("--address", default="127.0.0.1")
    serve.set_defaults(run=cmd_serve)

    person = sub.add_parser("person", help="persons").add_subparsers(dest="action", required=True)
    add = person.add_parser("add", help="register a person")
    add.add_argument("--given-name", required=True)
    add.add_argument("--family-name")
    add.add_argument("--phone")
    add.add_argument("--phone-country", default="NL")
    add.add_argument("--email")
    add.add_argument("--preferred-language")
    add.add_argument("--languages", help="other languages, comma-separated ISO 639 codes")
    add.add_argument("--source", required=True, choices=reference.SOURCE_KINDS)
    add.add_argument("--source-name", help="which market, coach, organisation or event")
    add.add_argument("--source-org", help="the coach's organisation")
    add.add_argument("--source-date", help="market or event day, YYYY-MM-DD")
    add.add_argument("--source-detail")
    add.add_argument("--consent", default="", help="purposes given, comma-separated: contact,diversity_statistics")
    add.add_argument("--consent-method", default="verbal", choices=reference.CONSENT_METHODS)
    for dim in ("gender", "birth-year", "country-of-origin", "education-level", "municipality", "district",
                "arrival-year", "integration-route"):
        add.add_argument(f"--{dim}")
    add.add_argument("--note")
    add.set_defaults(run=cmd_person_add)
    find = person.add_parser("find", help="search by name, phone (any notation) or email")
    find.add_argument("text")
    find.set_defaults(run=cmd_person_find)
    show = person.add_parser("show", help="everything about one person")
    show.add_argument("id", type=int)
    show.set_defaults(run=cmd_person_show)

    net = sub.add_parser("network", help="networks, places, terms, targets").add_subparsers(dest="action", required=True)
    nadd = net.add_parser("add", help="create a network")
    nadd.add_argument("--name", required=True)
    nadd.add_argument("--kind", default="sounding_board", choices=registry.KINDS)
    nadd.add_argument("--min-places", default="0")
    nadd.add_argument("--max-places", required=True)
    nadd.add_argument("--term-months", default="12")
    nadd.add_argument("--max-terms", default="2", help="maximum consecutive terms")
    nadd.add_argument("--rest-months", default="12", help="rest period before re-joining")
    nadd.add_argument("--cadence", default="monthly", choices=registry.CADENCES)
    nadd.add_argument("--alumni-network", help="name or id of the alumni network members move to")
    nadd.add_argument("--target", action="append", default=[], metavar="SPEC",
                      help="gender=woman>=40%%, country_of_origin distinct>=3, municipality each<=4")
    nadd.set_defaults(run=cmd_network_add)
    nlist = net.add_parser("list", help="networks with their places")
    nlist.set_defaults(run=cmd_network_list)
    nshow = net.add_parser("show", help="one network: places, targets, members")
    nshow.add_argument("network")
    nshow.set_defaults(run=cmd_network_show)

    wl = sub.add_parser("waitlist", help="a network's waiting list in order")
    wl.add_argument("network")
    wl.add_argument("--add", type=int, metavar="PERSON_ID", help="put this person on the list")
    wl.set_defaults(run=cmd_waitlist)

    fill = sub.add_parser("fill", help="propose (or with --apply, make) offers for open places")
    fill.add_argument("network")
    fill.add_argument("--places", type=_positive_int, help="how many of the open places (default: all)")
    fill.add_argument("--method", default="waitlist", choices=selection.METHODS)
    fill.add_argument("--apply", action="store_true")
    fill.set_defaults(run=cmd_fill)

    offer = sub.add_parser("offer", help="answer an offer").add_subparsers(dest="action", required=True)
    for response in offers.RESPONSES:
        answer = offer.add_parser(response, help=f"{response} an open offer")
        answer.add_argument("id", type=int)
        answer.set_defaults(run=cmd_offer, response=response)

    export = sub.add_parser("export", help="persons, networks, members or waiting lists to a file")
    export.add_argument("kind", choices=exports.KINDS)
    export.add_argument("--format", default="csv", choices=exports.FORMATS)
    export.add_argument("-o", "--output", required=True)
    export.set_defaults(run=cmd_export)

    user = sub.add_parser("user", help="staff accounts").add_subparsers(dest="action", required=True)
    uadd = user.add_parser("add", help="add a staff account")
    uadd.add_argument("username")
    uadd.add_argument("--name", required=True, help="display name")
    uadd.add_argument("--role", required=True, choices=reference.ROLES)
    uadd.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    uadd.add_argument("--oidc-subject", help="the identity provider's subject (sub) for this account (OIDC login)")
    uadd.add_argument("--email", help="email the identity provider verifies, to find this account at OIDC login")
    uadd.add_argument("--oidc-issuer", help="only accept the subject from this issuer (optional)")
    uadd.add_argument("--no-password", action="store_true",
                      help="no local password: the account logs in only through the identity provider")
    uadd.set_defaults(run=cmd_user_add)
    upw = user.add_parser("passwd", help="set a staff account's password")
    upw.add_argument("username")
    upw.add_argument("--password-stdin", action="store_true", help="read the new password from standard input")
    upw.set_defaults(run=cmd_user_passwd)
    ulist = user.add_parser("list", help="list staff accounts")
    ulist.set_defaults(run=cmd_user_list)
    udis = user.add_parser("disable", help="disable a staff account")
    udis.add_argument("username")
    udis.set_defaults(run=cmd_user_disable)
    uen = user.add_parser("enable", help="enable a disabled staff account")
    uen.add_argument("username")
    uen.set_defaults(run=cmd_user_enable)

    aud = sub.add_parser("audit", help="the tamper-evident audit log").add_subparsers(dest="action", required=True)
    averify = aud.add_parser("verify", help="check the hash chain (exit 1 with the first bad id when broken)")
    averify.set_defaults(run=cmd_audit_verify)
    alist = aud.add_parser("list", help="audit events, newest first")
    alist.add_argument("--action", help="only actions containing this text")
    alist.add_argument("--limit", type=int, default=50, help="at most this many events (default 50)")
    alist.set_defaults(run=cmd_audit_list)

    # -- privacy (issue 4) --
    erase = sub.add_parser("erase", help="erase a person completely (right to erasure); compacts the store")
    erase.add_argument("id", type=int, metavar="PERSON_ID")
    erase.add_argument("--dry-run", action="store_true", help="only count what would be removed; change nothing")
    erase.set_defaults(run=cmd_erase)
    access = sub.add_parser("subject-access", help="everything held about a person: FILE.json and FILE.html")
    access.add_argument("id", type=int, metavar="PERSON_ID")
    access.add_argument("-o", "--output", required=True, metavar="FILE",
                        help="the JSON file (the HTML goes beside it); a name ending in .html: the HTML, JSON beside")
    access.set_defaults(run=cmd_subject_access)
    backup = sub.add_parser("backup", help="a consistent copy of the store")
    backup.add_argument("file")
    backup.set_defaults(run=cmd_backup)
    restore = sub.add_parser("restore", help="replace the store with a backup; erasures since are re-applied")
    restore.add_argument("file")
    restore.set_defaults(run=cmd_restore)
    retention = sub.add_parser("retention", help="list (or with --apply, remove) records past their retention period")
    retention.add_argument("--apply", action="store_true", help="remove them (erasure, compaction, audit count)")
    retention.add_argument("--as-of", help="the day to judge by, YYYY-MM-DD (default today)")
    switch = retention.add_mutually_exclusive_group()
    switch.add_argument("--enable", action="store_true", help="let the daily job apply retention (after this preview)")
    switch.add_argument("--disable", action="store_true", help="stop the daily job applying retention")
    retention.set_defaults(run=cmd_retention)

    # -- sessions (issue 4) --
    ulink = user.add_parser("link", help="link an account to its identity-provider identity (OIDC)")
    ulink.add_argument("username")
    ulink.add_argument("--oidc-subject")
    ulink.add_argument("--email")
    ulink.add_argument("--oidc-issuer")
    ulink.set_defaults(run=cmd_user_link)
    roles = sub.add_parser("roles", help="the role × screen × action matrix (docs/roles.md)")
    roles.add_argument("--markdown", action="store_true", help="the Markdown document (default: a short table)")
    roles.add_argument("-o", "--output", help="write to this file instead of standard output")
    roles.set_defaults(run=cmd_roles)
    sess = sub.add_parser("sessions", help="server-side login sessions").add_subparsers(dest="action", required=True)
    slist = sess.add_parser("list", help="live sessions: id, account, how, since, last seen (no tokens)")
    slist.set_defaults(run=cmd_sessions_list)
    send = sess.add_parser("end", help="end every live session of an account (log it out everywhere)")
    send.add_argument("username")
    send.set_defaults(run=cmd_sessions_end)
    sset = sess.add_parser("settings", help="show or change the idle and maximum session times")
    sset.add_argument("--idle-seconds", type=int, help="end a session after this long without a click (default 1800)")
    sset.add_argument("--max-seconds", type=int, help="end a session this long after login at the latest (default 28800)")
    sset.add_argument("--oidc-fresh-seconds", type=int,
                      help="an identity-provider login older than this cannot start a session (default 300)")
    sset.set_defaults(run=cmd_sessions_settings)

    # -- rotation (issue 5) --
    rot = sub.add_parser("rotate", help="end terms, propose renewals, move members to alumni, open places")
    rot.add_argument("--as-of", type=_date, help="the day to process, YYYY-MM-DD (default today)")
    rot.add_argument("--apply", action="store_true", help="make the changes (default: only show them)")
    rot.set_defaults(run=cmd_rotate)
    ren = sub.add_parser("renewal", help="renewals and exit conversations").add_subparsers(dest="action",
                                                                                          required=True)
    for decision in ("confirm", "decline"):
        one = ren.add_parser(decision, help=f"{decision} the next term of a membership")
        one.add_argument("membership", type=int)
        one.add_argument("--note", help="note on the renewal conversation")
        one.set_defaults(run=cmd_renewal, decision=decision)
    ending = ren.add_parser("list", help="terms ending soon, with their renewal state")
    ending.add_argument("--days", type=_positive_int)
    ending.set_defaults(run=cmd_renewal_list)
    ex = ren.add_parser("exit", help="record the exit conversation: join the alumni network or not")
    ex.add_argument("membership", type=int)
    ex.add_argument("--alumni", required=True, choices=("yes", "no"))
    ex.add_argument("--note")
    ex.set_defaults(run=cmd_renewal_exit)
    alu = sub.add_parser("alumni", help="the alumni network").add_subparsers(dest="action", required=True)
    arot = alu.add_parser("rotate", help="the proposed active alumni of the next period (--apply confirms)")
    arot.add_argument("network")
    arot.add_argument("--apply", action="store_true")
    arot.set_defaults(run=cmd_alumni_rotate)
    aset = alu.add_parser("settings", help="how many alumni are active per period and for how long")
    aset.add_argument("network")
    aset.add_argument("--active", required=True, help="active alumni per period")
    aset.add_argument("--period-months", required=True, help="1, 2, 3, 4, 6 or 12")
    aset.add_argument("--active-periods", default="1", help="periods in a row one alumnus stays active")
    aset.set_defaults(run=cmd_alumni_settings)
    acreate = alu.add_parser("create-for", help="create and link an alumni network for a network")
    acreate.add_argument("network")
    acreate.set_defaults(run=cmd_alumni_create)
    amove = alu.add_parser("move", help="move a member whose term ended (and who agreed) to the alumni network")
    amove.add_argument("membership", type=int)
    amove.set_defaults(run=cmd_alumni_move)
    alink = alu.add_parser("link-referral", help="say which alumnus referred (a source alumni_referral)")
    alink.add_argument("source", type=int, help="the person source id (crm person show lists them)")
    alink.add_argument("alumnus", type=int, help="the alumnus' person id")
    alink.set_defaults(run=cmd_alumni_link)

    # -- dashboards (issue 6) --

    return parser


# -- output ------------------------------------------------------------------------------------------
def _emit(args, data, text_lines: list[str]) -> None:
    if args.json:
        print(json.dumps(data, default=_json_default, ensure_ascii=False, indent=None))
    else:
        print("\n".join(text_lines))


def _json_default(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(type(value).__name__)


def _store(args) -> Store:
    """The command's store, opened once; main() closes it when the command ends."""
    if getattr(args, "store", None) is None:
        args.store = Store(args.db or default_path())
    return args.store


# -- commands ----------------------------------------------------------------------------------------
def cmd_init(args) -> int:
    store = _store(args)
    result = {"db": str(store.path), "schema_version": store.schema_version()}
    lines = [f"store {store.path} at schema version {result['schema_version']}"]
    if args.demo:
        from crm_app.demo import dataset as demo
        summary = demo.fill_demo(store)
        result["demo"] = summary
        lines.append("demo data: " + ", ".join(f"{value} {key}" for key, value in summary.items()
                                                if isinstance(value, int) and key not in ("seed", "users_created")))
        lines.append(f"demo accounts (password: {demo.DEMO_PASSWORD}):")
        lines.extend(f"  {u['username']:<12} {u['role']}" for u in users.list_users(store))
    _emit(args, result, lines)
    return EXIT_OK


def cmd_serve(args) -> int:
    store_path = str(Path(args.db or default_path()).resolve())
    _store(args).close()  # create and migrate before the app starts, and fail early on a locked file
    args.store = None
    env = dict(os.environ, CRM_DB=store_path)
    app = Path(__file__).resolve().parents[2] / "app.py"
    command = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(args.port),
               "--server.address", args.address, "--browser.gatherUsageStats", "false"]
    return subprocess.call(command, env=env, cwd=app.parent)


def _person_input(args) -> PersonInput:
    given = {purpose.strip() for purpose in args.consent.split(",") if purpose.strip()}
    unknown = given - set(reference.CONSENT_PURPOSES)
    if unknown:
        raise Refused(f"--consent: unknown purpose(s) {', '.join(sorted(unknown))}; "
                      f"choose from {', '.join(reference.CONSENT_PURPOSES)}")
    return PersonInput(
        given_name=args.given_name, family_name=args.family_name, phone=args.phone,
        phone_country=args.phone_country, email=args.email, preferred_language=args.preferred_language,
        other_languages=[code.strip() for code in (args.languages or "").split(",") if code.strip()],
        note=args.note, consent_contact="contact" in given,
        consent_diversity_statistics="diversity_statistics" in given, gender=args.gender,
        birth_year=args.birth_year, country_of_origin=args.country_of_origin,
        education_level=args.education_level, municipality=args.municipality, district=args.district,
        arrival_year=args.arrival_year, integration_route=args.integration_route,
    )


def cmd_person_add(args) -> int:
    data = _person_input(args)
    source = SourceInput(kind=args.source, source_name=args.source_name, source_org=args.source_org,
                         source_date=args.source_date, detail=args.source_detail)
    result = persons.register(_store(args), CLI_OPERATOR, data, source, consent_method=args.consent_method,
                              confirmed_new=True)
    duplicates = [{"id": m.person_id, "given_name": m.given_name, "family_name": m.family_name,
                   "score": m.score, "reasons": m.reasons} for m in result.duplicates]
    lines = [f"added person {result.person_id}" + (f" ({format_phone(result.phone_e164)})" if result.phone_e164 else "")]
    lines.extend(f"  possible duplicate: #{d['id']} {d['given_name']} {d['family_name'] or ''} "
                 f"({', '.join(i18n.t('reason.' + r, args.lang) for r in d['reasons'])})" for d in duplicates)
    _emit(args, {"id": result.person_id, "phone_e164": result.phone_e164, "duplicates": duplicates}, lines)
    return EXIT_OK


def cmd_person_find(args) -> int:
    rows = persons.find(_store(args), CLI_OPERATOR, args.text)
    lines = [f"#{r['id']:<7} {r['given_name']} {r['family_name'] or ''}  {format_phone(r['phone_e164'])}  "
             f"{r['email'] or ''}  {i18n.label('stage', r['stage'], args.lang)}" for r in rows]
    _emit(args, rows, lines or [i18n.t("find.none", args.lang)])
    return EXIT_OK


def cmd_person_show(args) -> int:
    person = persons.get(_store(args), CLI_OPERATOR, args.id)
    lines = [f"#{person['id']} {person['given_name']} {person['family_name'] or ''}",
             f"  stage: {i18n.label('stage', person['stage'], args.lang)}",
             f"  phone: {format_phone(person['phone_e164'])}", f"  email: {person['email'] or ''}"]
    lines += [f"  source: {i18n.label('source_kind', s['kind'], args.lang)} {s['source_name'] or ''} "
              f"{s['source_org'] or ''} {s['source_date'] or ''}".rstrip() for s in person["sources"]]
    lines += [f"  consent {purpose}: {'yes' if granted else 'no'}" for purpose, granted in person["consents"].items()]
    lines += [f"  {a['occurred_utc']:%Y-%m-%d} {a['kind']}: {a['summary'] or ''}" for a in person["activities"]]
    _emit(args, person, lines)
    return EXIT_OK


def cmd_user_passwd(args) -> int:
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else _ask_password()
    users.set_password(_store(args), CLI_OPERATOR, args.username, password)
    _emit(args, {"username": args.username.strip().lower(), "password_changed": True},
          [f"password changed for {args.username}"])
    return EXIT_OK


def _ask_password() -> str:
    import getpass
    first = getpass.getpass("password: ")
    if first != getpass.getpass("again: "):
        raise Refused("the two passwords differ; nothing changed")
    return first


def cmd_user_list(args) -> int:
    rows = users.list_users(_store(args))
    lines = [f"{r['username']:<16} {r['role']:<16} {'disabled' if r['disabled'] else 'active'}  {r['display_name']}"
             for r in rows]
    _emit(args, rows, lines)
    return EXIT_OK


def cmd_user_disable(args) -> int:
    users.set_disabled(_store(args), CLI_OPERATOR, args.username, True)
    _emit(args, {"username": args.username, "disabled": True}, [f"disabled {args.username}"])
    return EXIT_OK


def cmd_user_enable(args) -> int:
    users.set_disabled(_store(args), CLI_OPERATOR, args.username, False)
    _emit(args, {"username": args.username, "disabled": False}, [f"enabled {args.username}"])
    return EXIT_OK


def cmd_audit_verify(args) -> int:
    result = audit.verify(_store(args))
    if result.ok:
        line = f"audit chain intact ({result.events_checked} events checked)"
    else:
        line = f"audit chain broken at id {result.first_bad_id} ({result.reason})"
    _emit(args, dataclasses.asdict(result), [line])
    return EXIT_OK if result.ok else EXIT_REFUSED


def cmd_audit_list(args) -> int:
    rows = audit.search(_store(args), CLI_OPERATOR, action=args.action, limit=args.limit)
    lines = [f"{r['id']:>7} {r['occurred_utc']:%Y-%m-%d %H:%M:%S} {r['user_id'] if r['user_id'] is not None else '-':>5} "
             f"{r['action']:<24} {r['record_type'] or '-'}:{r['record_id'] if r['record_id'] is not None else '-'} "
             f"{r['result']} {r['origin']}" for r in rows]
    _emit(args, rows, lines)
    return EXIT_OK


_TARGET = re.compile(r"^\s*(\w+)\s*(?:=\s*(.+?)|\s+(distinct|each))\s*(>=|<=)\s*(\d+(?:[.,]\d+)?)\s*(%?)\s*$")


def parse_target(spec: str) -> registry.TargetInput:
    """`gender=woman>=40%`, `country_of_origin distinct>=3`, `municipality each<=4` → a target."""
    match = _TARGET.match(spec)
    if not match:
        raise Refused(f"--target {spec!r}: write it as DIMENSION=VALUE>=N[%], DIMENSION distinct>=N "
                      f"or DIMENSION each<=N")
    dimension, value, spread, op, number, percent = match.groups()
    measure = "distinct" if spread == "distinct" else "share" if percent else "count"
    bound = number.replace(",", ".") + percent   # keep the % sign: "1%" is one percent, not 100 %
    return registry.TargetInput(dimension, value, measure, bound if op == ">=" else None, bound if op == "<=" else None)


def _network_dict(network: registry.Network, lang: str) -> dict:
    data = dataclasses.asdict(network)
    data["targets"] = [dict(dataclasses.asdict(t), text=reasons.target_text(t, network.max_places, lang))
                       for t in network.targets]
    return data


def cmd_network_add(args) -> int:
    store = _store(args)
    alumni = registry.find_id(store, args.alumni_network) if args.alumni_network else None
    data = registry.NetworkInput(args.name, args.kind, args.min_places, args.max_places, args.term_months,
                                 args.max_terms, args.rest_months, args.cadence, alumni)
    network_id = registry.save(store, CLI_OPERATOR, data, [parse_target(spec) for spec in args.target])
    network = registry.get(store, CLI_OPERATOR, network_id)
    _emit(args, _network_dict(network, args.lang), [f"added network {network_id}: {network.name}"])
    return EXIT_OK


def _places_line(row: registry.PlacesRow) -> str:
    return (f"#{row.network_id:<4} {row.name:<32} members {row.members}/{row.max_places}  on offer {row.on_offer}  "
            f"open {row.open_now}  opening soon {row.opening_soon}  waiting {row.waiting}"
            + ("  BELOW MIN" if row.below_min else "") + (f"  targets short {row.targets_short}" if row.targets_short else ""))


def cmd_network_list(args) -> int:
    store = _store(args)
    maintenance.run_due(store)
    rows = registry.overview(store, CLI_OPERATOR)
    data = [{k: v for k, v in dataclasses.asdict(r).items() if k != "targets"} | {"targets_short": r.targets_short}
            for r in rows]
    _emit(args, data, [_places_line(r) for r in rows])
    return EXIT_OK


def cmd_network_show(args) -> int:
    store = _store(args)
    maintenance.run_due(store)
    network_id = registry.find_id(store, args.network)
    network = registry.get(store, CLI_OPERATOR, network_id)
    row = next(r for r in registry.overview(store, CLI_OPERATOR) if r.network_id == network_id)
    members = memberships.members(store, CLI_OPERATOR, network_id)
    data = _network_dict(network, args.lang) | {"members": members, "open_now": row.open_now,
                                                "on_offer": row.on_offer, "opening_soon": row.opening_soon}
    lines = [_places_line(row), f"  term {network.term_months} months, at most {network.max_consecutive_terms} "
             f"consecutive, rest {network.rest_months} months, meets {network.meeting_cadence}"]
    lines += [f"  target: {reasons.target_text(t, network.max_places, args.lang)}: {now} (with offers: {after})"
              for t, now, after in row.targets]
    lines += [f"  member #{m['person_id']} {m['given_name']} {m['family_name'] or ''} until {m['planned_end_date']}"
              for m in members]
    _emit(args, data, lines)
    return EXIT_OK


def cmd_waitlist(args) -> int:
    store = _store(args)
    maintenance.run_due(store)
    network_id = registry.find_id(store, args.network)
    if args.add is not None:
        waitlists.add(store, CLI_OPERATOR, network_id, args.add)
    rows = waitlists.entries(store, CLI_OPERATOR, network_id)
    data = [dataclasses.asdict(e) for e in rows]
    lines = [f"{e.position or '-':>4}  #{e.person_id:<7} {e.given_name} {e.family_name or ''}  {e.status}  "
             f"waiting {e.waited_days} days  check due {e.check_due}" + ("  CHECK OVERDUE" if e.check_overdue else "")
             for e in rows]
    _emit(args, data, lines or ["(empty)"])
    return EXIT_OK


def _plan_dict(plan: selection.FillPlan, lang: str) -> dict:
    return {
        "network_id": plan.network_id, "network": plan.network_name, "method": plan.method,
        "open_places": plan.open_places,
        "proposals": [{"entry_id": p.candidate.entry_id, "person_id": p.candidate.person_id,
                       "given_name": p.candidate.given_name, "family_name": p.candidate.family_name,
                       "position": p.candidate.position, "waited_days": p.candidate.waited_days,
                       "reason": reasons.describe_all(p.reasons, lang)} for p in plan.proposals],
        "unmet": [reasons.describe(r, lang) for r in plan.unmet],
    }


def cmd_fill(args) -> int:
    store = _store(args)
    maintenance.run_due(store)
    network_id = registry.find_id(store, args.network)
    plan = selection.propose(store, CLI_OPERATOR, network_id, args.places, args.method)
    data = _plan_dict(plan, args.lang)
    if args.apply and plan.proposals:
        data["offer_ids"] = offers.make(store, CLI_OPERATOR, network_id,
                                        [p.candidate.entry_id for p in plan.proposals], plan.method,
                                        {p.candidate.entry_id: p.reasons for p in plan.proposals})
    lines = [f"{plan.network_name}: {plan.open_places} open place(s), method {plan.method}"
             + ("" if args.apply else " (proposal only; --apply makes the offers)")]
    lines += [f"  #{p['person_id']} {p['given_name']} {p['family_name'] or ''}: {p['reason']}" for p in data["proposals"]]
    lines += [f"  ! {u}" for u in data["unmet"]]
    if "offer_ids" in data:
        lines.append(f"  offers made: {', '.join(map(str, data['offer_ids']))}")
    _emit(args, data, lines)
    return EXIT_OK


def cmd_offer(args) -> int:
    store = _store(args)
    maintenance.run_due(store)
    result = offers.respond(store, CLI_OPERATOR, args.id, args.response)
    lines = [f"offer {args.id} {result['status']}"]
    if result["status"] == "declined":
        plan = selection.propose(store, CLI_OPERATOR, result["network_id"], 1, result["method"])
        result["next"] = _plan_dict(plan, args.lang)
        lines += [f"  next: #{p['person_id']} {p['given_name']} {p['family_name'] or ''}: {p['reason']}"
                  for p in result["next"]["proposals"]]
    _emit(args, result, lines)
    return EXIT_OK


def cmd_export(args) -> int:
    folder = Path(args.output).resolve().parent
    if not folder.is_dir():
        raise Refused(f"-o {args.output}: the folder {folder} does not exist; nothing was written")
    rows = exports.write(_store(args), CLI_OPERATOR, args.kind, args.format, args.output)
    _emit(args, {"kind": args.kind, "format": args.format, "file": args.output, "rows": rows},
          [f"wrote {rows} {args.kind} rows to {args.output}"])
    return EXIT_OK


# -- privacy (issue 4) --
def cmd_erase(args) -> int:
    from crm_app.privacy import erasure
    store = _store(args)
    counts = erasure.preview(store, CLI_OPERATOR, args.id)
    if args.dry_run:
        _emit(args, {"person_id": args.id, "would_remove": counts, "dry_run": True},
              [f"erasing person {args.id} would remove:"] + [f"  {kind}: {n}" for kind, n in counts.items()])
        return EXIT_OK
    result = erasure.erase(store, CLI_OPERATOR, args.id)
    chain = audit.verify(store)
    _emit(args, {"person_id": args.id, "removed": result.counts, "compaction_seconds": result.compaction_seconds,
                 "audit_chain_ok": chain.ok},
          [f"erased person {args.id}; store compacted in {result.compaction_seconds:.2f} s"]
          + [f"  {kind}: {n}" for kind, n in result.counts.items()])
    return EXIT_OK


def cmd_subject_access(args) -> int:
    from crm_app.privacy import subject_access
    json_path, html_path = subject_access.output_paths(args.output)
    for path in (json_path, html_path):
        if not path.resolve().parent.is_dir():
            raise Refused(f"-o {args.output}: the folder {path.resolve().parent} does not exist; nothing was written")
    json_path, html_path = subject_access.write(_store(args), CLI_OPERATOR, args.id, args.output, args.lang)
    _emit(args, {"person_id": args.id, "json": str(json_path), "html": str(html_path)},
          [f"wrote {json_path} and {html_path}"])
    return EXIT_OK


def cmd_backup(args) -> int:
    from crm_app.privacy import backups
    target = Path(args.file)
    if not target.resolve().parent.is_dir():
        raise Refused(f"{args.file}: the folder {target.resolve().parent} does not exist; nothing was written")
    store = _store(args)
    if target.resolve() == store.path.resolve():
        raise Refused(f"{args.file} is the store itself; choose another file")
    backups.backup(store, CLI_OPERATOR, target)
    _emit(args, {"file": str(target), "bytes": target.stat().st_size}, [f"backup written to {target}"])
    return EXIT_OK


def cmd_restore(args) -> int:
    from crm_app.privacy import backups
    source, target = Path(args.file), Path(args.db or default_path())
    if not source.is_file():
        raise Refused(f"{args.file}: no such file; nothing changed")
    if source.resolve() == target.resolve():
        raise Refused(f"{args.file} is the store itself; nothing changed")
    try:
        result = backups.restore(CLI_OPERATOR, source, target)
    except ValueError:
        raise Refused(f"{args.file} is not a backup of this CRM; nothing changed") from None
    except duckdb_error() as exc:
        raise Refused(f"{args.file} is not a readable database ({type(exc).__name__}); nothing changed") from None
    _emit(args, {"store": str(result.store_path), "schema_version": result.schema_version,
                 "erasures_reapplied": result.erasures_reapplied},
          [f"restored {args.file} into {result.store_path} (schema version {result.schema_version}); "
           f"{result.erasures_reapplied} erasure(s) re-applied"])
    return EXIT_OK


def duckdb_error():
    import duckdb
    return duckdb.Error


def cmd_retention(args) -> int:
    from crm_app.core.clock import today
    from crm_app.privacy import retention
    as_of = None
    if args.as_of:
        try:
            as_of = dt.date.fromisoformat(args.as_of)
        except ValueError:
            raise Refused(f"--as-of {args.as_of!r}: write the day as YYYY-MM-DD") from None
    store = _store(args)
    if args.disable:
        retention.enable(store, CLI_OPERATOR, on=False)
    items = retention.preview(store, CLI_OPERATOR, as_of)
    data = {"as_of": (as_of or today()).isoformat(), "counts": retention.counts(items),
            "items": [i.as_dict() for i in items]}
    lines = [f"{i.rule:<20} #{i.person_id:<7} {i.stage:<15} last {formats.date(i.last_activity, args.lang)}"
             + (f"  entry {i.entry_id}" if i.entry_id else "") for i in items]
    lines.append("would remove: " + ", ".join(f"{n} {rule}" for rule, n in data["counts"].items()))
    if args.apply:
        data["applied"] = retention.apply(store, CLI_OPERATOR, as_of)
        lines.append(f"removed: {data['applied']['persons_erased']} person(s), "
                     f"{data['applied']['waitlist_expired']} waiting-list entr(y/ies)")
    if args.enable:
        retention.enable(store, CLI_OPERATOR)
    data["daily_job"] = retention.is_enabled(store)
    lines.append(f"daily retention run: {'on' if data['daily_job'] else 'off'}")
    _emit(args, data, lines)
    return EXIT_OK


# -- sessions (issue 4) --
def cmd_user_add(args) -> int:
    """--no-password: an account that logs in only through the identity provider."""
    if args.no_password:
        if not (args.oidc_subject or args.email):
            raise Refused("--no-password needs --oidc-subject or --email, or the account could never log in")
        password = None
    else:
        password = sys.stdin.readline().rstrip("\n") if args.password_stdin else _ask_password()
    user_id = users.add(_store(args), CLI_OPERATOR, args.username, args.name, args.role, password,
                        oidc_subject=args.oidc_subject, email=args.email, oidc_issuer=args.oidc_issuer)
    _emit(args, {"id": user_id, "username": args.username.strip().lower(), "role": args.role,
                 "oidc_linked": bool(args.oidc_subject or args.email), "local_login": password is not None},
          [f"added user {args.username} ({args.role})"])
    return EXIT_OK


def cmd_user_link(args) -> int:
    users.link_identity(_store(args), CLI_OPERATOR, args.username, oidc_subject=args.oidc_subject,
                        email=args.email, oidc_issuer=args.oidc_issuer)
    _emit(args, {"username": args.username.strip().lower(), "oidc_linked": True},
          [f"linked {args.username} to its identity-provider identity"])
    return EXIT_OK


def cmd_sessions_list(args) -> int:
    from crm_app.access import sessions
    rows = sessions.live_sessions(_store(args))
    _emit(args, rows, [f"#{r['id']:<6} {r['username']:<16} {r['method']:<6} since {r['created_utc']:%Y-%m-%d %H:%M} UTC, "
                       f"last seen {r['last_seen_utc']:%H:%M:%S}" for r in rows] or ["no live sessions"])
    return EXIT_OK


def cmd_sessions_end(args) -> int:
    from crm_app.access import sessions
    store = _store(args)
    user_id = next((u["id"] for u in users.list_users(store) if u["username"] == args.username.strip().lower()), None)
    if user_id is None:
        raise CrmError("user_not_found")
    ended = sessions.end_all_for_user(store, CLI_OPERATOR, user_id, reason="ended_by_admin")
    _emit(args, {"username": args.username, "ended": ended}, [f"ended {ended} session(s) of {args.username}"])
    return EXIT_OK


def cmd_sessions_settings(args) -> int:
    from crm_app.core import settings
    names = {"session_idle_seconds": args.idle_seconds, "session_max_seconds": args.max_seconds,
             "oidc_fresh_login_seconds": args.oidc_fresh_seconds}

    def work(cur):
        for name, value in names.items():
            if value is not None:
                settings.set_value(cur, name, value)
                audit.record(cur, CLI_OPERATOR, "setting.change", None, None, name)
        return {name: settings.get(cur, name) for name in names}

    current = _store(args).write(work)
    _emit(args, current, [f"{name} = {value}" for name, value in current.items()])
    return EXIT_OK


def cmd_roles(args) -> int:
    from crm_app.access import roles
    from crm_app.core import permissions
    if args.markdown or args.output:
        text = roles.matrix_markdown()
        if args.output:
            Path(args.output).write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
        return EXIT_OK
    table = {action: sorted(allowed) for action, allowed in permissions.ACTIONS.items()}
    _emit(args, table, [f"{action:<24} {', '.join(allowed)}" for action, allowed in table.items()])
    return EXIT_OK


# -- rotation (issue 5) --
def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def cmd_rotate(args) -> int:
    from crm_app.networks import rotation
    store = _store(args)
    result = rotation.process(store, args.as_of, apply=args.apply, actor=CLI_OPERATOR)
    if args.apply:
        maintenance.run_due(store)      # offers and waiting-list checks too (today's rotation is done by now)
    if result.get("applied"):
        lines = [f"processed {result['as_of']}: {result['renewed']} renewed, {result['ended']} ended "
                 f"({result['moved']} moved to alumni), {result['proposed']} renewal(s) proposed, "
                 f"{result['alumni_periods']} alumni period proposal(s)"]
    elif args.apply:
        lines = [f"{result['as_of']}: nothing to change (last processed {result['last_processed']})"]
    else:
        lines = [f"{result['as_of']}: would renew {len(result['renew'])}, end {len(result['end'])}, propose "
                 f"{len(result['propose'])} renewal(s), {len(result['alumni_periods'])} alumni period proposal(s)"
                 " (preview; --apply makes the changes)"]
    _emit(args, result, lines)
    return EXIT_OK


def cmd_renewal(args) -> int:
    from crm_app.networks import rotation
    store = _store(args)
    maintenance.run_due(store)
    result = rotation.decide_renewal(store, CLI_OPERATOR, args.membership, args.decision == "confirm", args.note)
    _emit(args, result, [f"membership {args.membership}: renewal {result['renewal']}"])
    return EXIT_OK


def cmd_renewal_list(args) -> int:
    from crm_app.networks import rotation
    store = _store(args)
    maintenance.run_due(store)
    rows = rotation.ending_soon(store, CLI_OPERATOR, days=args.days)
    lines = [f"#{r['membership_id']:<6} {r['network']:<28} #{r['person_id']:<6} {r['given_name']} "
             f"{r['family_name'] or ''}  until {r['planned_end_date']}  term {r['term_number']}/{r['max_terms']}  "
             f"{r['status']}  alumni: {r['alumni_choice'] or '?'}" for r in rows]
    _emit(args, rows, lines or ["(none)"])
    return EXIT_OK


def cmd_renewal_exit(args) -> int:
    from crm_app.networks import rotation
    result = rotation.record_exit(_store(args), CLI_OPERATOR, args.membership, args.alumni, args.note)
    _emit(args, result, [f"membership {args.membership}: alumni network {args.alumni}"
                         + (f" ({result['outcome']})" if "outcome" in result else "")])
    return EXIT_OK


def _alumni_row(alumnus, reasons_list, lang: str) -> dict:
    return {"person_id": alumnus.person_id, "membership_id": alumnus.membership_id,
            "given_name": alumnus.given_name, "family_name": alumnus.family_name,
            "reason": reasons.describe_all(reasons_list, lang)}


def cmd_alumni_rotate(args) -> int:
    from crm_app.networks import alumni
    store = _store(args)
    maintenance.run_due(store)
    network_id = registry.find_id(store, args.network)
    view = alumni.overview(store, CLI_OPERATOR, network_id)
    if view.setting is None:
        raise Refused(f"{view.name} has no rotation setting yet: crm alumni settings {network_id} "
                      f"--active N --period-months 6")
    data = {"network_id": network_id, "network": view.name, "proposals": [
        {"id": p["id"], "start": p["start"], "end": p["end"],
         "active": [_alumni_row(a, r, args.lang) for a, r in p["rows"]]} for p in view.proposals]}
    lines = []
    for proposal in data["proposals"]:
        lines.append(f"{view.name}: period {proposal['start']} to {proposal['end']}, {len(proposal['active'])} active")
        lines += [f"  #{a['person_id']} {a['given_name']} {a['family_name'] or ''}: {a['reason']}"
                  for a in proposal["active"]]
    if args.apply and view.proposals:
        alumni.confirm(store, CLI_OPERATOR, view.proposals[0]["id"])
        data["confirmed"] = view.proposals[0]["id"]
        lines.append(f"confirmed the period starting {view.proposals[0]['start']}")
    elif view.proposals:
        lines.append("(proposal only; --apply confirms the first period)")
    _emit(args, data, lines or [f"{view.name}: no proposal waiting"])
    return EXIT_OK


def cmd_alumni_settings(args) -> int:
    from crm_app.networks import alumni
    store = _store(args)
    network_id = registry.find_id(store, args.network)
    alumni.save_setting(store, CLI_OPERATOR, network_id, args.active, args.period_months, args.active_periods)
    _emit(args, {"network_id": network_id, "active_places": int(args.active), "period_months": int(args.period_months),
                 "active_periods": int(args.active_periods)}, [f"alumni rotation setting saved for {network_id}"])
    return EXIT_OK


def cmd_alumni_create(args) -> int:
    from crm_app.networks import rotation
    store = _store(args)
    network_id = registry.find_id(store, args.network)
    alumni_id = rotation.create_alumni_network(store, CLI_OPERATOR, network_id)
    _emit(args, {"network_id": network_id, "alumni_network_id": alumni_id},
          [f"network {network_id} has alumni network {alumni_id}"])
    return EXIT_OK


def cmd_alumni_move(args) -> int:
    from crm_app.networks import rotation
    outcome = rotation.move_to_alumni(_store(args), CLI_OPERATOR, args.membership)
    _emit(args, {"membership_id": args.membership, "outcome": outcome}, [f"membership {args.membership}: {outcome}"])
    return EXIT_OK

def cmd_alumni_link(args) -> int:
    from crm_app.networks import alumni
    alumni.link_referral(_store(args), CLI_OPERATOR, args.source, args.alumnus)
    _emit(args, {"source_id": args.source, "referrer_id": args.alumnus},
          [f"referral {args.source} linked to alumnus {args.alumnus}"])
    return EXIT_OK

# -- dashboards (issue 6) --


# -- entry point -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)  # exits 2 on a usage error
    try:
        return _run(args)
    finally:
        if getattr(args, "store", None) is not None:
            args.store.close()


def _run(args) -> int:
    try:
        return args.run(args)
    except ValidationError as exc:
        for error in exc.errors:
            print(f"{error.field}: {i18n.error_text(error, args.lang)}", file=sys.stderr)
        if args.json:
            print(json.dumps({"errors": [{"field": e.field, "code": e.code} for e in exc.errors]}))
        return EXIT_REFUSED
    except CrmError as exc:
        print(i18n.error_text(exc, args.lang), file=sys.stderr)
        return EXIT_REFUSED
    except Refused as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_REFUSED
    except Exception as exc:  # never a traceback with values in it: a code the log can be searched for
        code = uuid.uuid4().hex[:8]
        logging.getLogger("crm_app.cli.main").error("internal error %s: %s", code, type(exc).__name__)
        print(i18n.t("err.internal", args.lang, code=code), file=sys.stderr)
        return EXIT_REFUSED

