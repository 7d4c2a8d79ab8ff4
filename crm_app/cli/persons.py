"""`crm person add|find|show|consent`: register, search, show persons and record consents, through the same
services as the pages."""
from __future__ import annotations

from crm_app.access.audit import CLI_OPERATOR
from crm_app.cli.argtypes import record_id
from crm_app.cli.output import EXIT_OK, Refused, emit, open_store, say
from crm_app.core import i18n, reference
from crm_app.core.fields import display_name, format_phone
from crm_app.people import consents, persons
from crm_app.people.sources import SourceInput
from crm_app.people.validation import PersonInput

_DIMENSIONS = ("gender", "birth-year", "country-of-origin", "education-level", "municipality", "district",
               "arrival-year", "integration-route")


def register(sub) -> None:
    person = sub.add_parser("person", help="persons").add_subparsers(dest="action", required=True)
    add = person.add_parser("add", help="register a person")
    add.add_argument("--given-name", required=True, help="given name, as the person writes it")
    add.add_argument("--family-name", help="family name (optional)")
    add.add_argument("--phone", help="phone number in any notation")
    add.add_argument("--phone-country", default="NL", help="country of a number written without +")
    add.add_argument("--email", help="email address")
    add.add_argument("--preferred-language", help="ISO 639 code of the language to contact the person in")
    add.add_argument("--languages", help="other languages, comma-separated ISO 639 codes")
    add.add_argument("--source", required=True, choices=reference.SOURCE_KINDS, help="how the person was found")
    add.add_argument("--source-name", help="which market, coach, organisation or event")
    add.add_argument("--source-org", help="the coach's organisation")
    add.add_argument("--source-date", help="market or event day, YYYY-MM-DD")
    add.add_argument("--source-detail", help="more about the source (free text)")
    add.add_argument("--consent", default="", help="purposes given, comma-separated: contact,diversity_statistics,"
                     "share_with_referrer (only with a referring source),photo")
    add.add_argument("--consent-method", default="verbal", choices=reference.CONSENT_METHODS,
                     help="how the consent was given")
    for dim in _DIMENSIONS:
        add.add_argument(f"--{dim}", help="diversity characteristic (only with consent diversity_statistics)")
    add.add_argument("--note", help="a note on the registration")
    add.set_defaults(run=cmd_person_add)
    find = person.add_parser("find", help="search by name, phone (any notation) or email")
    find.add_argument("text", help="part of a name, a phone number or an email address")
    find.set_defaults(run=cmd_person_find)
    show = person.add_parser("show", help="everything about one person")
    show.add_argument("id", type=record_id, metavar="PERSON_ID", help="the person's id (crm person find lists it)")
    show.set_defaults(run=cmd_person_show)
    consent = person.add_parser("consent", help="give or withdraw one consent (kept as history)")
    consent.add_argument("id", type=record_id, metavar="PERSON_ID", help="the person's id")
    consent.add_argument("purpose", choices=reference.CONSENT_PURPOSES, help="what the consent is for")
    consent.add_argument("answer", choices=("yes", "no"), help="yes: given; no: withdrawn (withdrawing contact "
                         "removes phone and email and ends waiting-list entries; diversity_statistics removes the "
                         "characteristics)")
    consent.add_argument("--method", default="verbal", choices=reference.CONSENT_METHODS,
                         help="how the person gave or withdrew it")
    consent.set_defaults(run=cmd_person_consent)


def _person_input(args) -> PersonInput:
    given = {purpose.strip() for purpose in args.consent.split(",") if purpose.strip()}
    unknown = given - set(reference.CONSENT_PURPOSES)
    if unknown:
        raise Refused(say(args, "cli.person.unknown_consent", unknown=", ".join(sorted(unknown)),
                          choices=", ".join(reference.CONSENT_PURPOSES)))
    return PersonInput(
        given_name=args.given_name, family_name=args.family_name, phone=args.phone,
        phone_country=args.phone_country, email=args.email, preferred_language=args.preferred_language,
        other_languages=[code.strip() for code in (args.languages or "").split(",") if code.strip()],
        note=args.note, consent_contact="contact" in given,
        consent_diversity_statistics="diversity_statistics" in given,
        consent_share_with_referrer="share_with_referrer" in given, consent_photo="photo" in given, gender=args.gender,
        birth_year=args.birth_year, country_of_origin=args.country_of_origin,
        education_level=args.education_level, municipality=args.municipality, district=args.district,
        arrival_year=args.arrival_year, integration_route=args.integration_route,
    )


def cmd_person_add(args) -> int:
    data = _person_input(args)
    source = SourceInput(kind=args.source, source_name=args.source_name, source_org=args.source_org,
                         source_date=args.source_date, detail=args.source_detail)
    result = persons.register(open_store(args), CLI_OPERATOR, data, source, consent_method=args.consent_method,
                              confirmed_new=True)
    duplicates = [{"id": m.person_id, "given_name": m.given_name, "family_name": m.family_name,
                   "score": m.score, "reasons": m.reasons} for m in result.duplicates]
    lines = [say(args, "cli.person.added", id=result.person_id)
             + (f" ({format_phone(result.phone_e164)})" if result.phone_e164 else "")]
    lines.extend("  " + say(args, "cli.person.duplicate", id=d["id"], name=display_name(d['given_name'], d['family_name']),
                            reasons=", ".join(i18n.t("reason." + r, args.lang) for r in d["reasons"]))
                 for d in duplicates)
    emit(args, {"id": result.person_id, "phone_e164": result.phone_e164, "duplicates": duplicates}, lines)
    return EXIT_OK


def cmd_person_find(args) -> int:
    rows = persons.find(open_store(args), CLI_OPERATOR, args.text)
    lines = [f"#{r['id']:<7} {display_name(r['given_name'], r['family_name'])}  {format_phone(r['phone_e164'])}  "
             f"{r['email'] or ''}  {i18n.label('stage', r['stage'], args.lang)}  "
             f"({', '.join(i18n.t('find.matched.' + m, args.lang) for m in r['matched'])})" for r in rows]
    emit(args, rows, lines or [say(args, "find.none")])
    return EXIT_OK


def cmd_person_show(args) -> int:
    person = persons.get(open_store(args), CLI_OPERATOR, args.id)
    lines = [f"#{person['id']} {display_name(person['given_name'], person['family_name'])}",
             "  " + say(args, "cli.person.stage", stage=i18n.label("stage", person["stage"], args.lang)),
             "  " + say(args, "cli.person.phone", phone=format_phone(person["phone_e164"])),
             "  " + say(args, "cli.person.email", email=person["email"] or "")]
    lines += ["  " + say(args, "cli.person.source", source=(
        f"{i18n.label('source_kind', s['kind'], args.lang)} {s['source_name'] or ''} "
        f"{s['source_org'] or ''} {s['source_date'] or ''}").rstrip()) for s in person["sources"]]
    lines += ["  " + say(args, "cli.person.consent", purpose=purpose, given=say(args, "cli.yes" if granted else "cli.no"))
              for purpose, granted in person["consents"].items()]
    lines += [f"  {a['occurred_utc']:%Y-%m-%d} {a['kind']}: {a['summary'] or ''}" for a in person["activities"]]
    emit(args, person, lines)
    return EXIT_OK


def cmd_person_consent(args) -> int:
    store = open_store(args)
    consents.set_consent(store, CLI_OPERATOR, args.id, args.purpose, args.answer == "yes", args.method)
    given = persons.get(store, CLI_OPERATOR, args.id, record_view=False)["consents"]
    emit(args, {"id": args.id, "consents": given},
         ["  " + say(args, "cli.person.consent", purpose=purpose, given=say(args, "cli.yes" if granted else "cli.no"))
          for purpose, granted in given.items()])
    return EXIT_OK
