"""`crm dedupe scan|list` and `crm merge`: the duplicate review queue, the batch scan, merges and their undo."""
from __future__ import annotations

from crm_app.access.audit import CLI_OPERATOR
from crm_app.cli.argtypes import record_id
from crm_app.cli.output import EXIT_OK, Refused, emit, open_store, say
from crm_app.core import i18n
from crm_app.core.fields import display_name
from crm_app.people import duplicates, merges, scan


def register(sub) -> None:
    dedupe = sub.add_parser("dedupe", help="possible duplicates").add_subparsers(dest="action", required=True)
    run = dedupe.add_parser("scan", help="scan the whole store for pairs that may be one person")
    run.add_argument("--apply", action="store_true", help="put the pairs found in the review queue")
    run.set_defaults(run=cmd_scan)
    listing = dedupe.add_parser("list", help="the open pairs of the review queue")
    listing.set_defaults(run=cmd_list)
    merge = sub.add_parser("merge", help="merge person B into person A, or undo a merge")
    merge.add_argument("ids", nargs="*", type=record_id, metavar="PERSON_ID", help="A (kept) and B (merged into A)")
    merge.add_argument("--keep", action="append", default=[], metavar="FIELD=kept|merged|both",
                       help=f"whose value a field keeps (default: A's unless empty); fields: {', '.join(merges.FIELDS)}")
    merge.add_argument("--decide", action="append", default=[], metavar="CONFLICT=ROW_ID",
                       help="for a conflict (both on one list, two places in one network): the row that stays")
    merge.add_argument("--undo", type=record_id, metavar="MERGE_ID", help="undo this merge exactly")
    merge.set_defaults(run=cmd_merge)


def _pairs_of(args, text: list[str]) -> dict[str, str]:
    found = {}
    for item in text:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise Refused(say(args, "cli.merge.bad_option", option=item))
        found[key.strip()] = value.strip()
    return found


def cmd_scan(args) -> int:
    result = scan.scan(open_store(args), CLI_OPERATOR, apply=args.apply)
    data = {"likely": result.count("likely"), "possible": result.count("possible"), "clusters": len(result.clusters),
            "queued": result.queued,
            "pairs": [{"first_id": p.first_id, "second_id": p.second_id, "level": p.level, "score": p.score,
                       "reasons": list(p.reasons)} for p in result.pairs]}
    lines = [say(args, "cli.dedupe.scanned", likely=data["likely"], possible=data["possible"],
                 clusters=data["clusters"])]
    lines += [f"  #{p.first_id} – #{p.second_id}  {i18n.label('duplicate_level', p.level, args.lang)}  "
              + ", ".join(i18n.t("reason." + r, args.lang) for r in p.reasons) for p in result.pairs[:50]]
    if args.apply:
        lines.append(i18n.tn("cli.dedupe.queued", result.queued, args.lang))
    emit(args, data, lines)
    return EXIT_OK


def cmd_list(args) -> int:
    pairs = duplicates.open_pairs(open_store(args), CLI_OPERATOR)
    lines = [f"{p['id']:>6}  #{p['first_person_id']} {display_name(*p['first_name'])} – #{p['second_person_id']} "
             f"{display_name(*p['second_name'])}  {i18n.label('duplicate_level', p['level'], args.lang)}  "
             f"{i18n.label('duplicate_origin', p['origin'], args.lang)}" for p in pairs]
    emit(args, [{k: v for k, v in p.items() if not k.endswith("_name")} for p in pairs],
         lines or [say(args, "duplicates.none")])
    return EXIT_OK


def cmd_merge(args) -> int:
    store = open_store(args)
    if args.undo is not None:
        if args.ids or args.keep or args.decide:
            raise Refused(say(args, "cli.merge.undo_alone"))
        merged_id = merges.undo(store, CLI_OPERATOR, args.undo)
        emit(args, {"merge_id": args.undo, "restored_id": merged_id},
             [say(args, "cli.merge.undone", merge=args.undo, id=merged_id)])
        return EXIT_OK
    if len(args.ids) != 2:
        raise Refused(say(args, "cli.merge.two_ids"))
    kept, merged = args.ids
    decisions = {}
    for key, value in _pairs_of(args, args.decide).items():
        if not value.isdigit():
            raise Refused(say(args, "cli.merge.bad_option", option=f"{key}={value}"))
        decisions[key] = int(value)
    preview = merges.preview(store, CLI_OPERATOR, kept, merged)
    undecided = [c for c in preview.conflicts if c.key not in decisions]
    if undecided:
        raise Refused("\n".join([say(args, "cli.merge.conflicts")] + [
            "  " + say(args, f"merge.conflict.{c.kind}", network=c.network_name) + f"  --decide {c.key}="
            f"{c.kept_row}|{c.merged_row}" for c in undecided]))
    merge_id = merges.merge(store, CLI_OPERATOR, kept, merged, choices=_pairs_of(args, args.keep), decisions=decisions)
    emit(args, {"merge_id": merge_id, "kept_id": kept, "merged_id": merged},
         [say(args, "cli.merge.done", merge=merge_id, kept=kept, merged=merged)])
    return EXIT_OK
