"""The `crm` command: the operator's and the acceptance tests' way in (the reference: docs/cli.md).

Exit codes: 0 done; 1 refused (invalid input, nothing changed, message on stderr); 2 usage error;
141 the output's reader went away (`crm … | head`: what was done is done, the rest of the output is dropped).
Every subcommand calls the same services as the pages. Each command group registers its parsers
beside its handlers; this module holds the global options and turns refusals into exit codes.
"""
from __future__ import annotations

import argparse
import functools
import json
import logging
import os
import sys
import uuid

from crm_app.cli import (
    access,
    duplicates,
    imports,
    meetings,
    messages,
    networks,
    persons,
    privacy,
    reference,
    rotation,
    store,
)
from crm_app.cli.output import EXIT_REFUSED, Refused
from crm_app.core import i18n
from crm_app.core.errors import CrmError, ValidationError

EXIT_READER_GONE = 141   # as a shell reports a command stopped by SIGPIPE

GROUPS = (store, persons, imports, duplicates, networks, meetings, messages, privacy, access, rotation, reference)


@functools.cache
def build_parser() -> argparse.ArgumentParser:
    """Built once per process (some 30 ms of work): parsing leaves the parser as it was, so the tests and
    anything else that calls main() many times reuse it."""
    parser = argparse.ArgumentParser(prog="crm", description="CRM for participant networks")
    parser.add_argument("--db", metavar="PATH", help="database file (default: $CRM_DB or data/crm.duckdb)")
    parser.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    parser.add_argument("--lang", choices=i18n.LANGS, default=i18n.DEFAULT_LANG,
                        help="language of the output and refusals (not of --json)")
    sub = parser.add_subparsers(dest="command", required=True)
    for group in GROUPS:
        group.register(sub)
    parser.set_defaults(root_parser=parser)   # `crm docs` describes the whole command
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)  # exits 2 on a usage error
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
    except BrokenPipeError:   # not an internal error: stop writing, quietly, also at the exit's flush
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_READER_GONE
    except Exception as exc:  # never a traceback with values in it: a code the log can be searched for
        code = uuid.uuid4().hex[:8]
        logging.getLogger("crm_app.cli.main").error("internal error %s: %s", code, type(exc).__name__)
        print(i18n.t("err.internal", args.lang, code=code), file=sys.stderr)
        return EXIT_REFUSED
