"""`crm import FILE`: persons from a CSV or XLSX file, checked row by row like a registration.

Exit 0 when every row is in the store (now or from an earlier run), 1 when some were refused (the good
ones are in; the report names each refused row and field) or the file cannot be read, 2 for usage errors.
"""
from __future__ import annotations

import sys
from pathlib import Path

from crm_app.access.audit import CLI_OPERATOR
from crm_app.cli.output import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, emit, open_store, say
from crm_app.core import i18n, reference
from crm_app.core.errors import ValidationError
from crm_app.people.imports import batch, mapping, reader, rejects
from crm_app.people.imports.rows import Defaults


def register(sub) -> None:
    command = sub.add_parser("import", help="persons from a CSV or XLSX file; prints a report per row")
    command.add_argument("file", help="the CSV or XLSX file (its kind is read from its content)")
    command.add_argument("--dry-run", action="store_true", help="check and report every row; store nothing")
    command.add_argument("--source", choices=reference.SOURCE_KINDS, metavar="KIND",
                         help="how these persons were found, for rows without a source column: "
                              + ", ".join(reference.SOURCE_KINDS))
    command.add_argument("--source-name", metavar="NAME", help="which market, coach, organisation or event")
    command.add_argument("--phone-country", default="NL", metavar="CC",
                         help="country of a phone number written without a country code (default NL)")
    command.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD",
                         help="read COLUMN as FIELD (repeatable; FIELD empty leaves the column out); without it, "
                              "columns are matched by their header in Dutch or English. Fields: "
                              + ", ".join(mapping.FIELDS))
    command.add_argument("--add-duplicates", action="store_true",
                         help="also add rows that only look like a known person (a same phone or email never is)")
    command.add_argument("--rejects", metavar="FILE", help="write the refused rows with a reason column to FILE (CSV)")
    command.set_defaults(run=cmd_import)


def cmd_import(args) -> int:
    path = Path(args.file)
    if not path.is_file():
        print(say(args, "cli.import.no_file", file=args.file), file=sys.stderr)
        return EXIT_USAGE
    data = path.read_bytes()
    defaults = Defaults(args.source, args.source_name, args.phone_country)
    store = open_store(args)
    try:
        columns = mapping.parse_pairs(args.map, reader.read(data).headers) if args.map else None
    except ValidationError as exc:
        for error in exc.errors:
            print(f"--map: {i18n.error_text(error, args.lang)}", file=sys.stderr)
        return EXIT_USAGE
    options = batch.Options(defaults, columns, args.add_duplicates)
    report = (batch.preview if args.dry_run else batch.run)(store, CLI_OPERATOR, data, options)
    if args.rejects:
        Path(args.rejects).write_bytes(rejects.csv_file(report, args.lang))
    emit(args, report.as_dict(), _lines(args, report))
    return EXIT_OK if report.complete else EXIT_REFUSED


def _lines(args, report: batch.Report) -> list[str]:
    counts = {status: report.count(status) for status in batch.STATUSES}
    head = "cli.import.summary_dry_run" if report.dry_run else "cli.import.summary"
    lines = [i18n.tn(head, len(report.results), args.lang, **counts)]
    if report.earlier_batch is not None:
        lines.append(say(args, "import.seen_before", batch=report.earlier_batch))
    for result in report.results:
        if result.status in rejects.REFUSED:
            lines.append(say(args, "cli.import.row", row=result.row, reason=rejects.reason(result, args.lang)))
    return lines
