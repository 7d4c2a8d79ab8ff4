"""`crm export|erase|subject-access|backup|restore|retention`: data leaving the store, and the data subject's rights."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import duckdb

from crm_app.access import audit
from crm_app.access.audit import CLI_OPERATOR
from crm_app.cli.argtypes import record_id
from crm_app.cli.output import EXIT_OK, Refused, emit, open_store, say
from crm_app.core import fingerprints, formats
from crm_app.core.store import default_path
from crm_app.privacy import exports


def register(sub) -> None:
    export = sub.add_parser("export", help="persons, networks, members or waiting lists to a file")
    export.add_argument("kind", choices=exports.KINDS, help="what to export")
    export.add_argument("--format", default="csv", choices=exports.FORMATS, help="file format (formulas neutralised)")
    export.add_argument("-o", "--output", required=True, metavar="FILE", help="the file to write")
    export.set_defaults(run=cmd_export)

    erase = sub.add_parser("erase", help="erase a person completely (right to erasure); compacts the store")
    erase.add_argument("id", type=record_id, metavar="PERSON_ID", help="the person's id")
    erase.add_argument("--dry-run", action="store_true", help="only count what would be removed; change nothing")
    erase.set_defaults(run=cmd_erase)
    access = sub.add_parser("subject-access", help="everything held about a person: FILE.json and FILE.html")
    access.add_argument("id", type=record_id, metavar="PERSON_ID", help="the person's id")
    access.add_argument("-o", "--output", required=True, metavar="FILE",
                        help="the JSON file (the HTML goes beside it); a name ending in .html: the HTML, JSON beside")
    access.set_defaults(run=cmd_subject_access)
    backup = sub.add_parser("backup", help="a consistent copy of the store")
    backup.add_argument("file", help="the copy to write (not the store itself)")
    backup.set_defaults(run=cmd_backup)
    restore = sub.add_parser("restore", help="replace the store with a backup; erasures since are re-applied")
    restore.add_argument("file", help="a backup made by crm backup")
    restore.add_argument("--accept-damaged-journal", action="store_true",
                         help="restore although erasure journal lines cannot be verified (those erasures are not "
                              "re-applied; audited with the line numbers)")
    restore.set_defaults(run=cmd_restore)
    retention = sub.add_parser("retention", help="list (or with --apply, remove) records past their retention period")
    retention.add_argument("--apply", action="store_true", help="remove them (erasure, compaction, audit count)")
    retention.add_argument("--as-of", help="the day to judge by, YYYY-MM-DD (default today)")
    switch = retention.add_mutually_exclusive_group()
    switch.add_argument("--enable", action="store_true", help="let the daily job apply retention (after this preview)")
    switch.add_argument("--disable", action="store_true", help="stop the daily job applying retention")
    retention.set_defaults(run=cmd_retention)


def _refuse_missing_folder(args, path: Path, named: str) -> None:
    folder = path.resolve().parent
    if not folder.is_dir():
        raise Refused(say(args, "cli.no_folder", named=named, folder=folder))


def cmd_export(args) -> int:
    _refuse_missing_folder(args, Path(args.output), f"-o {args.output}")
    rows = exports.write(open_store(args), CLI_OPERATOR, args.kind, args.format, args.output)
    emit(args, {"kind": args.kind, "format": args.format, "file": args.output, "rows": rows},
         [say(args, "cli.export.done", rows=rows, kind=args.kind, file=args.output)])
    return EXIT_OK


def cmd_erase(args) -> int:
    from crm_app.privacy import erasure
    store = open_store(args)
    counts = erasure.preview(store, CLI_OPERATOR, args.id)
    if args.dry_run:
        emit(args, {"person_id": args.id, "would_remove": counts, "dry_run": True},
             [say(args, "cli.erase.would_remove", id=args.id)] + [f"  {kind}: {n}" for kind, n in counts.items()])
        return EXIT_OK
    result = erasure.erase(store, CLI_OPERATOR, args.id)
    chain = audit.verify(store)
    if result.compaction_pending:     # erased, but the file still holds the bytes: say so, and when it is retried
        headline = say(args, "cli.erase.compaction_pending", id=args.id)
        print(headline, file=sys.stderr)
    else:
        headline = say(args, "cli.erase.done", id=args.id, seconds=f"{result.compaction_seconds:.2f}")
    emit(args, {"person_id": args.id, "removed": result.counts, "compaction_seconds": result.compaction_seconds,
                "compaction_pending": result.compaction_pending, "audit_chain_ok": chain.ok},
         [headline] + [f"  {kind}: {n}" for kind, n in result.counts.items()])
    return EXIT_OK


def cmd_subject_access(args) -> int:
    from crm_app.privacy import subject_access
    for path in subject_access.output_paths(args.output):
        _refuse_missing_folder(args, path, f"-o {args.output}")
    json_path, html_path = subject_access.write(open_store(args), CLI_OPERATOR, args.id, args.output, args.lang)
    emit(args, {"person_id": args.id, "json": str(json_path), "html": str(html_path)},
         [say(args, "cli.subject_access.done", json=json_path, html=html_path)])
    return EXIT_OK


def cmd_backup(args) -> int:
    from crm_app.privacy import backups
    target = Path(args.file)
    _refuse_missing_folder(args, target, args.file)
    store = open_store(args)
    if target.resolve() == store.path.resolve():
        raise Refused(say(args, "cli.backup.is_store", file=args.file))
    backups.backup(store, CLI_OPERATOR, target)
    tables = fingerprints.read_manifest(target)
    rows = sum(table["rows"] for table in tables.values())
    emit(args, {"file": str(target), "bytes": target.stat().st_size, "manifest": str(fingerprints.manifest_path(target)),
                "tables": len(tables), "rows": rows},
         [say(args, "cli.backup.done", file=target, tables=len(tables), rows=rows,
              manifest=fingerprints.manifest_path(target).name)])
    return EXIT_OK


def cmd_restore(args) -> int:
    from crm_app.privacy import backups
    source, target = Path(args.file), Path(args.db or default_path())
    if not source.is_file():
        raise Refused(say(args, "cli.restore.no_file", file=args.file))
    if source.resolve() == target.resolve():
        raise Refused(say(args, "cli.restore.is_store", file=args.file))
    try:
        result = backups.restore(CLI_OPERATOR, source, target, accept_damaged_journal=args.accept_damaged_journal)
    except ValueError:
        raise Refused(say(args, "cli.restore.not_a_backup", file=args.file)) from None
    except duckdb.Error as exc:
        raise Refused(say(args, "cli.restore.unreadable", file=args.file, error=type(exc).__name__)) from None
    lines = [say(args, "cli.restore.done", file=args.file, store=result.store_path, version=result.schema_version,
                 erasures=result.erasures_reapplied),
             say(args, "cli.restore.verified" if result.verified else "cli.restore.not_verified")]
    if result.damaged_kept:
        lines.append(say(args, "cli.restore.damaged_kept", file=result.damaged_kept))
    emit(args, {"store": str(result.store_path), "schema_version": result.schema_version,
                "erasures_reapplied": result.erasures_reapplied, "verified": result.verified,
                "damaged_kept": str(result.damaged_kept) if result.damaged_kept else None}, lines)
    return EXIT_OK


def cmd_retention(args) -> int:
    from crm_app.core.clock import today
    from crm_app.privacy import retention
    as_of = None
    if args.as_of:
        try:
            as_of = dt.date.fromisoformat(args.as_of)
        except ValueError:
            raise Refused(say(args, "cli.retention.bad_date", value=repr(args.as_of))) from None
    store = open_store(args)
    if args.disable:
        retention.enable(store, CLI_OPERATOR, on=False)
    items = retention.preview(store, CLI_OPERATOR, as_of)
    data = {"as_of": (as_of or today()).isoformat(), "counts": retention.counts(items),
            "items": [i.as_dict() for i in items]}
    lines = [f"{i.rule:<20} #{i.person_id:<7} {i.stage:<15} "
             + say(args, "cli.retention.last", day=formats.date(i.last_activity, args.lang))
             + ("  " + say(args, "cli.retention.entry", id=i.entry_id) if i.entry_id else "") for i in items]
    lines.append(say(args, "cli.retention.would_remove",
                     counts=", ".join(f"{n} {rule}" for rule, n in data["counts"].items())))
    if args.apply:
        data["applied"] = retention.apply(store, CLI_OPERATOR, as_of)
        lines.append(say(args, "cli.retention.removed", persons=data["applied"]["persons_erased"],
                         entries=data["applied"]["waitlist_expired"]))
    if args.enable:
        retention.enable(store, CLI_OPERATOR)
    data["daily_job"] = retention.is_enabled(store)
    lines.append(say(args, "cli.retention.daily_job", state=say(args, "cli.on" if data["daily_job"] else "cli.off")))
    emit(args, data, lines)
    return EXIT_OK
