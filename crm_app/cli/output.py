"""What every command shares: exit codes, the phrased refusal, output as text or JSON, the run's store."""
from __future__ import annotations

import datetime as dt
import json

from crm_app.core import i18n
from crm_app.core.store import Store, default_path

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2


class Refused(Exception):
    """A refusal already phrased for the operator, in the language of --lang."""


def say(args, key: str, **params) -> str:
    """A human-readable line in the language of --lang."""
    return i18n.t(key, args.lang, **params)


def emit(args, data, text_lines: list[str]) -> None:
    """--json: the data, language-neutral; otherwise the lines for a person."""
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


def open_store(args) -> Store:
    """The command's store, opened once; main() closes it when the command ends."""
    if getattr(args, "store", None) is None:
        args.store = Store(args.db or default_path())
    return args.store
