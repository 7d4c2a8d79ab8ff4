"""`crm network|waitlist|fill|offer`: networks and their places, waiting lists, proposals and offers."""
from __future__ import annotations

import dataclasses
import re

from crm_app import maintenance
from crm_app.access.audit import CLI_OPERATOR
from crm_app.cli import messages
from crm_app.cli.argtypes import positive_int, record_id
from crm_app.cli.output import EXIT_OK, Refused, emit, open_store, say
from crm_app.core import i18n
from crm_app.core.errors import CrmError
from crm_app.core.fields import display_name
from crm_app.networks import memberships, offers, reasons, registry, selection, waitlists
from crm_app.people.messages import outbox

_NETWORK = "the network's name or id"


def register(sub) -> None:
    net = sub.add_parser("network", help="networks, places, terms, targets").add_subparsers(dest="action", required=True)
    nadd = net.add_parser("add", help="create a network")
    nadd.add_argument("--name", required=True, help="the network's name (unique, case-insensitive)")
    nadd.add_argument("--kind", default="sounding_board", choices=registry.KINDS, help="kind of network")
    nadd.add_argument("--min-places", default="0", help="below this many members the network is flagged")
    nadd.add_argument("--max-places", required=True, help="the number of places")
    nadd.add_argument("--term-months", default="12", help="length of one term")
    nadd.add_argument("--max-terms", default="2", help="maximum consecutive terms")
    nadd.add_argument("--rest-months", default="12", help="rest period before re-joining")
    nadd.add_argument("--cadence", default="monthly", choices=registry.CADENCES, help="how often it meets")
    nadd.add_argument("--alumni-network", help="name or id of the alumni network members move to")
    nadd.add_argument("--target", action="append", default=[], metavar="SPEC",
                      help="gender=woman>=40%%, country_of_origin distinct>=3, municipality each<=4")
    nadd.set_defaults(run=cmd_network_add)
    nlist = net.add_parser("list", help="networks with their places")
    nlist.set_defaults(run=cmd_network_list)
    nshow = net.add_parser("show", help="one network: places, targets, members")
    nshow.add_argument("network", help=_NETWORK)
    nshow.set_defaults(run=cmd_network_show)

    wl = sub.add_parser("waitlist", help="a network's waiting list in order")
    wl.add_argument("network", help=_NETWORK)
    wl.add_argument("--add", type=record_id, metavar="PERSON_ID", help="put this person on the list")
    wl.set_defaults(run=cmd_waitlist)

    fill = sub.add_parser("fill", help="propose (or with --apply, make) offers for open places")
    fill.add_argument("network", help=_NETWORK)
    fill.add_argument("--places", type=positive_int, help="how many of the open places (default: all)")
    fill.add_argument("--method", choices=selection.METHODS,
                      help="waitlist: longest waiting first; quota: the same within the targets, and where a target "
                           "falls short, first whoever makes it up; lottery: drawn by lot from the fairest lottery "
                           "that meets the targets (default: the method of a declined offer whose "
                           "place is still to be offered again, else waitlist)")
    fill.add_argument("--seed", type=positive_int,
                      help="the lottery's seed: the same pool, targets and seed draw the same panel (default: the "
                           "seed of a declined lottery offer whose place is still to be offered again, else a new one)")
    fill.add_argument("--apply", action="store_true", help="make the offers (default: only show the proposal)")
    fill.add_argument("--send", action="store_true",
                      help="with --apply: email each offer to the person now (those without an email address: "
                           "crm message links offer PERSON_ID OFFER_ID)")
    fill.set_defaults(run=cmd_fill)

    offer = sub.add_parser("offer", help="answer an offer").add_subparsers(dest="action", required=True)
    for response in offers.RESPONSES:
        answer = offer.add_parser(response, help=f"{response} an open offer")
        answer.add_argument("id", type=record_id, metavar="OFFER_ID", help="the offer's id (crm fill --apply prints it)")
        answer.set_defaults(run=cmd_offer, response=response)


_TARGET_STATE = {"met": "target.met", "short": "target.short", "over": "target.over"}
_TARGET = re.compile(r"^\s*(\w+)\s*(?:=\s*(.+?)|\s+(distinct|each))\s*(>=|<=)\s*(\d+(?:[.,]\d+)?)\s*(%?)\s*$")


def parse_target(spec: str, lang: str) -> registry.TargetInput:
    """`gender=woman>=40%`, `country_of_origin distinct>=3`, `municipality each<=4` → a target."""
    match = _TARGET.match(spec)
    if not match:
        raise Refused(i18n.t("cli.network.target_syntax", lang, spec=repr(spec)))
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
    store = open_store(args)
    alumni = registry.find_id(store, args.alumni_network) if args.alumni_network else None
    data = registry.NetworkInput(args.name, args.kind, args.min_places, args.max_places, args.term_months,
                                 args.max_terms, args.rest_months, args.cadence, alumni)
    network_id = registry.save(store, CLI_OPERATOR, data, [parse_target(spec, args.lang) for spec in args.target])
    network = registry.get(store, CLI_OPERATOR, network_id)
    emit(args, _network_dict(network, args.lang), [say(args, "cli.network.added", id=network_id, name=network.name)])
    return EXIT_OK


def _places_line(args, row: registry.PlacesRow) -> str:
    return (f"#{row.network_id:<4} {row.name:<32} "
            + say(args, "cli.network.places", members=row.members, max_places=row.max_places, on_offer=row.on_offer,
                  open_now=row.open_now, opening_soon=row.opening_soon, waiting=row.waiting)
            + ("  " + say(args, "cli.network.below_min") if row.below_min else "")
            + ("  " + say(args, "cli.network.targets_short", count=row.targets_short) if row.targets_short else ""))


def cmd_network_list(args) -> int:
    store = open_store(args)
    maintenance.run_due(store)
    rows = registry.overview(store, CLI_OPERATOR)
    data = [{k: v for k, v in dataclasses.asdict(r).items() if k != "targets"} | {"targets_short": r.targets_short}
            for r in rows]
    emit(args, data, [_places_line(args, r) for r in rows])
    return EXIT_OK


def cmd_network_show(args) -> int:
    store = open_store(args)
    maintenance.run_due(store)
    network_id = registry.find_id(store, args.network)
    network = registry.get(store, CLI_OPERATOR, network_id)
    row = next(r for r in registry.overview(store, CLI_OPERATOR) if r.network_id == network_id)
    members = memberships.members(store, CLI_OPERATOR, network_id)
    data = _network_dict(network, args.lang) | {"members": members, "open_now": row.open_now,
                                                "on_offer": row.on_offer, "opening_soon": row.opening_soon}
    lines = [_places_line(args, row),
             "  " + say(args, "cli.network.terms", term=network.term_months, max_terms=network.max_consecutive_terms,
                        rest=network.rest_months, cadence=i18n.label("cadence", network.meeting_cadence, args.lang))]
    lines += ["  " + say(args, "cli.network.target", target=reasons.target_text(t, network.max_places, args.lang),
                         now=say(args, _TARGET_STATE[now]), after=say(args, _TARGET_STATE[after]))
              for t, now, after in row.targets]
    lines += ["  " + say(args, "cli.network.member", id=m["person_id"], name=display_name(m['given_name'], m['family_name']),
                         until=m["planned_end_date"]) for m in members]
    emit(args, data, lines)
    return EXIT_OK


def cmd_waitlist(args) -> int:
    store = open_store(args)
    maintenance.run_due(store)
    network_id = registry.find_id(store, args.network)
    if args.add is not None:
        waitlists.add(store, CLI_OPERATOR, network_id, args.add)
    rows = waitlists.entries(store, CLI_OPERATOR, network_id)
    data = [dataclasses.asdict(e) for e in rows]
    lines = [f"{e.position or '-':>4}  #{e.person_id:<7} {display_name(e.given_name, e.family_name)}  "
             f"{i18n.label('waitlist_status', e.status, args.lang)}  "
             + say(args, "cli.waitlist.entry", days=e.waited_days, check_due=e.check_due)
             + ("  " + say(args, "cli.waitlist.check_overdue") if e.check_overdue else "") for e in rows]
    emit(args, data, lines or [say(args, "cli.empty")])
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
    } | (_draw_dict(plan.draw) if plan.draw else {})


def _draw_dict(draw: selection.Draw) -> dict:
    """The lottery's part: seed, the hash of pool and targets, each candidate's chance, and any relaxation."""
    shown = draw.distribution
    return {
        "seed": draw.seed, "pool_hash": draw.digest,
        "min_probability": None if shown is None else round(shown.minimum, 9),
        "panels": None if shown is None else shown.panel_count,
        "probabilities": [] if shown is None else [{"person_id": pid, "probability": round(p, 9)}
                                                     for pid, p in zip(shown.person_ids, shown.probabilities)],
        "relaxations": [{"dimension": r.bound.target.dimension, "value": r.bound.target.dim_value,
                         "measure": r.bound.target.measure, "bound": r.bound.side, "from": r.bound.limit,
                         "to": r.relaxed} for r in draw.relaxations],
    }


def cmd_fill(args) -> int:
    store = open_store(args)
    maintenance.run_due(store)
    network_id = registry.find_id(store, args.network)
    plan = selection.propose(store, CLI_OPERATOR, network_id, args.places, args.method, seed=args.seed)
    data = _plan_dict(plan, args.lang)
    if args.apply and plan.proposals:
        data["offer_ids"] = offers.make(store, CLI_OPERATOR, network_id,
                                        [p.candidate.entry_id for p in plan.proposals], plan.method,
                                        {p.candidate.entry_id: p.reasons for p in plan.proposals}, draw=plan.draw)
    lines = [say(args, "cli.fill.plan", network=plan.network_name, open=plan.open_places, method=plan.method)
             + ("" if args.apply else " " + say(args, "cli.fill.proposal_only"))]
    if plan.draw is not None and plan.draw.distribution is not None:
        shown = plan.draw.distribution
        lines.append("  " + i18n.tn("cli.fill.lottery", shown.panel_count, args.lang, seed=plan.draw.seed,
                                    minimum=reasons.percent(shown.minimum, args.lang)))
    lines += [f"  #{p['person_id']} {display_name(p['given_name'], p['family_name'])}: {p['reason']}"
              for p in data["proposals"]]
    lines += [f"  ! {u}" for u in data["unmet"]]
    data["contact_limit_reached"], tired = messages.fatigue_lines(args, store, [p["person_id"] for p in data["proposals"]])
    lines += tired
    if "offer_ids" in data:
        lines.append("  " + say(args, "cli.fill.offers_made", ids=", ".join(map(str, data["offer_ids"]))))
        if args.send:
            data["emails"] = _send_offers(args, store, data, lines)
    emit(args, data, lines)
    return EXIT_OK


def _send_offers(args, store, data: dict, lines: list[str]) -> dict[int, str]:
    """Email each new offer; per offer "sent" or the refusal's code, each also said in a line."""
    outcome = {}
    for offer_id, proposal in zip(data["offer_ids"], data["proposals"]):
        person_id = proposal["person_id"]
        try:
            outbox.send_email(store, CLI_OPERATOR, "offer", person_id, offer_id, lang=args.lang)
            outcome[offer_id] = "sent"
            lines.append("  " + say(args, "cli.message.sent", person_id=person_id))
        except CrmError as exc:
            outcome[offer_id] = exc.code
            lines.append(f"  ! #{person_id}: {i18n.error_text(exc, args.lang)}")
    return outcome


def cmd_offer(args) -> int:
    store = open_store(args)
    maintenance.run_due(store)
    result = offers.respond(store, CLI_OPERATOR, args.id, args.response)
    lines = [say(args, "cli.offer.status", id=args.id, status=i18n.label("offer_status", result["status"], args.lang))]
    if result["status"] == "declined":   # (a lottery draws the next with the declined offer's seed)
        plan = selection.propose(store, CLI_OPERATOR, result["network_id"], 1, result["method"])
        result["next"] = _plan_dict(plan, args.lang)
        method = say(args, f"fill.method.{plan.method}")
        lines += ["  " + say(args, "cli.offer.next", method=method, id=p["person_id"],
                             name=display_name(p["given_name"], p["family_name"]), reason=p["reason"])
                  for p in result["next"]["proposals"]]
    emit(args, result, lines)
    return EXIT_OK
