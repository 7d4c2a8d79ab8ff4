"""docs/cli.md, generated from the argparse parsers, and `crm docs` that writes it.

Built from the parsers themselves so the reference cannot drift from the command; a test compares the
committed file with `markdown(build_parser())`. Only argparse's own structure is read (no terminal width, no
argparse help formatting), so the text is the same on every machine.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crm_app.cli.output import EXIT_OK

_WIDTH = 100

_INTRO = """\
# The `crm` command

Generated from the command's argparse parsers (`crm_app/cli/`). Do not edit by hand: run
`crm docs -o docs/cli.md`. A test fails while this file differs from what the parsers say.

The operator's way in, and the contract acceptance tests use: every command calls the same services
as the screens, with the same permission checks and audit events (as the operator `cli`).

- Exit codes: `0` done; `1` refused (invalid input, nothing changed, the reason on stderr); `2` usage
  error (argparse's message on stderr); `141` the output's reader went away (`crm … | head`: what was done
  is done, the rest of the output is dropped, nothing on stderr).
- Output and refusals follow `--lang` (`nl`, the default, or `en`). With `--json` a command prints its
  result as one JSON object or list on stdout, the same in every language.
- The option help below and in `crm --help`, and argparse's usage errors, are in English only.
"""


def register(sub) -> None:
    docs = sub.add_parser("docs", help="this command reference in Markdown (docs/cli.md)")
    docs.add_argument("-o", "--output", help="write to this file instead of standard output")
    docs.set_defaults(run=cmd_docs)


def cmd_docs(args) -> int:
    text = markdown(args.root_parser)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def markdown(parser: argparse.ArgumentParser) -> str:
    """The whole reference of `parser` (the `crm` command's, from cli.main.build_parser): global options,
    an index of the commands, then every command's arguments."""
    found = list(commands(parser))
    lines = [_INTRO, "## Global options", "", *_table(parser), "", "## Commands", "",
             "| command | what it does |", "|---|---|"]
    lines += [f"| [`{prog}`](#{prog.replace(' ', '-')}) | {_cell(about)} |" for prog, about, _ in found]
    for prog, about, command in found:
        lines += ["", f"## `{prog}`", "", _cell(about), "", "```", _synopsis(prog, command), "```"]
        table = _table(command)
        if table:
            lines += ["", *table]
    return "\n".join(lines) + "\n"


def commands(parser: argparse.ArgumentParser, about: str = ""):
    """(prog, help, parser) of every command that runs something, depth first in the order of `crm --help`."""
    sub = next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)
    if sub is None:
        yield parser.prog, about, parser
        return
    helps = {choice.dest: choice.help for choice in sub._choices_actions}
    for name, child in sub.choices.items():
        yield from commands(child, helps.get(name) or "")


def _arguments(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [a for a in parser._actions
            if not isinstance(a, (argparse._HelpAction, argparse._SubParsersAction)) and a.help != argparse.SUPPRESS]


def _name(action: argparse.Action) -> str:
    if not action.option_strings:
        return (action.metavar or action.dest).upper()
    if action.nargs == 0:
        return ", ".join(action.option_strings)
    return f"{', '.join(action.option_strings)} {action.metavar or action.dest.upper()}"


def _synopsis(prog: str, parser: argparse.ArgumentParser) -> str:
    """`crm fill NETWORK [--places PLACES] …`, wrapped at whole arguments."""
    lines = [prog]
    for action in _arguments(parser):
        name = _name(action).split(", ")[-1]
        part = name if action.required or not action.option_strings else f"[{name}]"
        if len(lines[-1]) + 1 + len(part) > _WIDTH:
            lines.append("   ")
        lines[-1] += " " + part
    return "\n".join(lines)


def _table(parser: argparse.ArgumentParser) -> list[str]:
    rows = []
    for action in _arguments(parser):
        if action.required and action.option_strings:
            default = "required"
        elif action.default in (None, False, [], "") or not action.option_strings:
            default = ""
        else:
            default = f"`{action.default}`"
        meaning = (action.help or "") % {"default": action.default, "prog": parser.prog}
        if action.choices:
            meaning += ("; " if meaning else "") + "one of " + ", ".join(f"`{c}`" for c in action.choices)
        rows.append(f"| `{_name(action)}` | {default} | {_cell(meaning)} |")
    return ["| argument | default | meaning |", "|---|---|---|", *rows] if rows else []


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
