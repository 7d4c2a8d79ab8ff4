"""`crm rotate|renewal|alumni`: terms ending, renewals and exit conversations, the alumni network."""
from __future__ import annotations

from crm_app import maintenance
from crm_app.access.audit import CLI_OPERATOR
from crm_app.cli.argtypes import iso_date, positive_int, record_id
from crm_app.cli.output import EXIT_OK, Refused, emit, open_store, say
from crm_app.core.fields import display_name
from crm_app.networks import reasons, registry

_ALUMNI_NETWORK = "the alumni network's name or id"
_MEMBERSHIP = "the membership's id (crm renewal list shows it)"


def register(sub) -> None:
    rot = sub.add_parser("rotate", help="end terms, propose renewals, move members to alumni, open places")
    rot.add_argument("--as-of", type=iso_date, help="the day to process, YYYY-MM-DD (default today)")
    rot.add_argument("--apply", action="store_true", help="make the changes (default: only show them)")
    rot.set_defaults(run=cmd_rotate)
    ren = sub.add_parser("renewal", help="renewals and exit conversations").add_subparsers(dest="action",
                                                                                          required=True)
    for decision in ("confirm", "decline"):
        one = ren.add_parser(decision, help=f"{decision} the next term of a membership")
        one.add_argument("membership", type=record_id, metavar="MEMBERSHIP_ID", help=_MEMBERSHIP)
        one.add_argument("--note", help="note on the renewal conversation")
        one.set_defaults(run=cmd_renewal, decision=decision)
    ending = ren.add_parser("list", help="terms ending soon, with their renewal state")
    ending.add_argument("--days", type=positive_int,
                        help="terms ending within this many days (default: the setting ending_soon_days)")
    ending.set_defaults(run=cmd_renewal_list)
    ex = ren.add_parser("exit", help="record the exit conversation: join the alumni network or not")
    ex.add_argument("membership", type=record_id, metavar="MEMBERSHIP_ID", help=_MEMBERSHIP)
    ex.add_argument("--alumni", required=True, choices=("yes", "no"),
                    help="whether the member wants to join the alumni network")
    ex.add_argument("--note", help="note on the exit conversation")
    ex.set_defaults(run=cmd_renewal_exit)

    alu = sub.add_parser("alumni", help="the alumni network").add_subparsers(dest="action", required=True)
    arot = alu.add_parser("rotate", help="the proposed active alumni of the next period (--apply confirms)")
    arot.add_argument("network", help=_ALUMNI_NETWORK)
    arot.add_argument("--method", choices=("rotation", "lottery"),
                      help="make the open proposals again by this method (default: the setting's; rotation: "
                           "continuing first, then the longest not active; lottery: continuing first, the other "
                           "places drawn from the fairest lottery that meets the targets)")
    arot.add_argument("--seed", type=positive_int,
                      help="make the open proposals again, drawn with this seed: the same alumni, targets and seed "
                           "give the same proposal (lottery only)")
    arot.add_argument("--apply", action="store_true", help="confirm the first proposed period")
    arot.set_defaults(run=cmd_alumni_rotate)
    aset = alu.add_parser("settings", help="how many alumni are active per period and for how long")
    aset.add_argument("network", help=_ALUMNI_NETWORK)
    aset.add_argument("--active", required=True, help="active alumni per period")
    aset.add_argument("--period-months", required=True, help="1, 2, 3, 4, 6 or 12")
    aset.add_argument("--active-periods", default="1", help="periods in a row one alumnus stays active")
    aset.add_argument("--method", choices=("rotation", "lottery"),
                      help="how the active alumni are chosen (default: as set before, else rotation)")
    aset.set_defaults(run=cmd_alumni_settings)
    acreate = alu.add_parser("create-for", help="create and link an alumni network for a network")
    acreate.add_argument("network", help="name or id of the network that gets an alumni network")
    acreate.set_defaults(run=cmd_alumni_create)
    amove = alu.add_parser("move", help="move a member whose term ended (and who agreed) to the alumni network")
    amove.add_argument("membership", type=record_id, metavar="MEMBERSHIP_ID", help=_MEMBERSHIP)
    amove.set_defaults(run=cmd_alumni_move)
    alink = alu.add_parser("link-referral", help="say which alumnus referred (a source alumni_referral)")
    alink.add_argument("source", type=record_id, help="the person source id (crm person show lists them)")
    alink.add_argument("alumnus", type=record_id, help="the alumnus' person id")
    alink.set_defaults(run=cmd_alumni_link)


# -- terms and renewals ------------------------------------------------------------------------------
def cmd_rotate(args) -> int:
    from crm_app.networks import rotation
    store = open_store(args)
    result = rotation.process(store, args.as_of, apply=args.apply, actor=CLI_OPERATOR)
    if args.apply:
        maintenance.run_due(store)      # offers and waiting-list checks too (today's rotation is done by now)
    if result.get("applied"):
        line = say(args, "cli.rotate.done", as_of=result["as_of"], renewed=result["renewed"], ended=result["ended"],
                   moved=result["moved"], proposed=result["proposed"], alumni_periods=result["alumni_periods"])
    elif args.apply:
        line = say(args, "cli.rotate.nothing", as_of=result["as_of"], last=result["last_processed"])
    else:
        line = say(args, "cli.rotate.preview", as_of=result["as_of"], renew=len(result["renew"]), end=len(result["end"]),
                   propose=len(result["propose"]), alumni_periods=len(result["alumni_periods"]))
    emit(args, result, [line])
    return EXIT_OK


def cmd_renewal(args) -> int:
    from crm_app.networks import rotation
    store = open_store(args)
    maintenance.run_due(store)
    result = rotation.decide_renewal(store, CLI_OPERATOR, args.membership, args.decision == "confirm", args.note)
    emit(args, result, [say(args, "cli.renewal.decided", id=args.membership, renewal=result["renewal"])])
    return EXIT_OK


def cmd_renewal_list(args) -> int:
    from crm_app.networks import rotation
    store = open_store(args)
    maintenance.run_due(store)
    rows = rotation.ending_soon(store, CLI_OPERATOR, days=args.days)
    lines = [f"#{r['membership_id']:<6} {r['network']:<28} #{r['person_id']:<6} "
             f"{display_name(r['given_name'], r['family_name'])}  "
             + say(args, "cli.renewal.row", until=r["planned_end_date"], term=r["term_number"], max_terms=r["max_terms"],
                   status=r["status"], alumni=r["alumni_choice"] or "?") for r in rows]
    emit(args, rows, lines or [say(args, "cli.none")])
    return EXIT_OK


def cmd_renewal_exit(args) -> int:
    from crm_app.networks import rotation
    result = rotation.record_exit(open_store(args), CLI_OPERATOR, args.membership, args.alumni, args.note)
    choice = say(args, "cli.yes" if args.alumni == "yes" else "cli.no")
    emit(args, result, [say(args, "cli.renewal.exit", id=args.membership, choice=choice)
                        + (f" ({result['outcome']})" if "outcome" in result else "")])
    return EXIT_OK


# -- the alumni network ------------------------------------------------------------------------------
def _alumni_row(alumnus, reasons_list, lang: str) -> dict:
    from crm_app.networks import alumni
    return {"person_id": alumnus.person_id, "membership_id": alumnus.membership_id,
            "given_name": alumnus.given_name, "family_name": alumnus.family_name,
            "probability": alumni.chance(reasons_list), "reason": reasons.describe_all(reasons_list, lang)}


def cmd_alumni_rotate(args) -> int:
    from crm_app.networks import alumni
    store = open_store(args)
    maintenance.run_due(store)
    network_id = registry.find_id(store, args.network)
    view = alumni.overview(store, CLI_OPERATOR, network_id)
    if view.setting is None:
        raise Refused(say(args, "cli.alumni.no_setting", network=view.name, id=network_id))
    if args.method or args.seed:
        alumni.repropose(store, CLI_OPERATOR, network_id, args.method, args.seed)
        view = alumni.overview(store, CLI_OPERATOR, network_id)
    data = {"network_id": network_id, "network": view.name, "method": view.setting.method, "proposals": [
        {"id": p["id"], "start": p["start"], "end": p["end"], "seed": p["seed"], "pool_hash": p["pool_hash"],
         "min_probability": p["minimum"], "unmet": [reasons.describe(r, args.lang) for r in p["unmet"]],
         "active": [_alumni_row(a, r, args.lang) for a, r in p["rows"]]} for p in view.proposals]}
    lines = []
    for proposal in data["proposals"]:
        lines.append(say(args, "cli.alumni.period", network=view.name, start=proposal["start"], end=proposal["end"],
                         active=len(proposal["active"])))
        if proposal["seed"] is not None:
            lines.append("  " + say(args, "cli.alumni.drawn", seed=proposal["seed"]))
        lines += [f"  #{a['person_id']} {display_name(a['given_name'], a['family_name'])}: {a['reason']}"
                  for a in proposal["active"]]
        lines += [f"  ! {u}" for u in proposal["unmet"]]
    if args.apply and view.proposals:
        alumni.confirm(store, CLI_OPERATOR, view.proposals[0]["id"])
        data["confirmed"] = view.proposals[0]["id"]
        lines.append(say(args, "cli.alumni.confirmed", start=view.proposals[0]["start"]))
    elif view.proposals:
        lines.append(say(args, "cli.alumni.proposal_only"))
    emit(args, data, lines or [say(args, "cli.alumni.no_proposal", network=view.name)])
    return EXIT_OK


def cmd_alumni_settings(args) -> int:
    from crm_app.networks import alumni
    store = open_store(args)
    network_id = registry.find_id(store, args.network)
    alumni.save_setting(store, CLI_OPERATOR, network_id, args.active, args.period_months, args.active_periods,
                        args.method)
    method = alumni.overview(store, CLI_OPERATOR, network_id).setting.method
    emit(args, {"network_id": network_id, "active_places": int(args.active), "period_months": int(args.period_months),
                "active_periods": int(args.active_periods), "method": method},
         [say(args, "cli.alumni.setting_saved", id=network_id)])
    return EXIT_OK


def cmd_alumni_create(args) -> int:
    from crm_app.networks import rotation
    store = open_store(args)
    network_id = registry.find_id(store, args.network)
    alumni_id = rotation.create_alumni_network(store, CLI_OPERATOR, network_id)
    emit(args, {"network_id": network_id, "alumni_network_id": alumni_id},
         [say(args, "cli.alumni.created", id=network_id, alumni_id=alumni_id)])
    return EXIT_OK


def cmd_alumni_move(args) -> int:
    from crm_app.networks import rotation
    outcome = rotation.move_to_alumni(open_store(args), CLI_OPERATOR, args.membership)
    emit(args, {"membership_id": args.membership, "outcome": outcome},
         [say(args, "cli.alumni.moved", id=args.membership, outcome=outcome)])
    return EXIT_OK


def cmd_alumni_link(args) -> int:
    from crm_app.networks import alumni
    alumni.link_referral(open_store(args), CLI_OPERATOR, args.source, args.alumnus)
    emit(args, {"source_id": args.source, "referrer_id": args.alumnus},
         [say(args, "cli.alumni.referral_linked", source=args.source, alumnus=args.alumnus)])
    return EXIT_OK
