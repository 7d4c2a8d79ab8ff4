"""Argument types: argparse turns a bad value into a usage error (exit 2) with argparse's English message."""
from __future__ import annotations

import argparse
import datetime as dt

from crm_app.core import fields


def positive_int(text: str) -> int:
    """A count of 1 or more, in the digits 0-9 (int() would also read "٣")."""
    value = fields.record_id(text)
    if value is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return value


def record_id(text: str) -> int:
    """The id of a person, network, offer or membership, as `crm … list` prints it."""
    value = fields.record_id(text)
    if value is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not an id (a whole number from 1, digits 0-9)")
    return value


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None
