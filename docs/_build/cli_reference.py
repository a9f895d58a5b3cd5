"""The command-line reference page, written from the ``rqe`` argparse parsers themselves.

:func:`markdown` walks :func:`rqe.cli.build_parser` (with every extension module's commands) and lists each
command with its usage line, description and a table of its arguments. The docs build calls it through
``hooks.py``, so the page cannot fall behind the parsers.
"""

from __future__ import annotations

import argparse
import re

_ROLE = re.compile(r":(?:py:)?[a-z]+:`~?\.?([^`]+)`")


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _help(action: argparse.Action) -> str:
    text = action.help or ""
    if text == argparse.SUPPRESS:
        return ""
    if "%(" in text:
        values = {**vars(action), "default": action.default}
        try:
            text = text % values
        except (KeyError, TypeError, ValueError):
            pass
    return _ROLE.sub(r"\1", text)


def _names(action: argparse.Action) -> str:
    if not action.option_strings:
        return f"`{action.metavar or action.dest}`"
    return ", ".join(f"`{name}`" for name in action.option_strings)


def _value(action: argparse.Action) -> str:
    if action.nargs == 0:
        return ""
    if action.choices is not None and not isinstance(action, argparse._SubParsersAction):
        return ", ".join(f"`{c}`" for c in action.choices)
    metavar = action.metavar or (action.dest.upper() if action.option_strings else "")
    if isinstance(metavar, tuple):
        metavar = " ".join(metavar)
    suffix = {"*": " ...", "+": " ...", "?": " (optional)"}.get(str(action.nargs), "")
    return f"`{metavar}`{suffix}" if metavar else ""


def _default(action: argparse.Action) -> str:
    if action.nargs == 0 or action.default in (None, argparse.SUPPRESS) or action.required:
        return ""
    return f"`{action.default}`"


def _subcommands(parser: argparse.ArgumentParser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            yield from action.choices.items()


def _describe(prog: str, parser: argparse.ArgumentParser, level: int, lines: list[str]) -> None:
    lines += [f"{'#' * level} `{prog}`", ""]
    lines += ["```text", parser.format_usage().strip().removeprefix("usage: "), "```", ""]
    description = _ROLE.sub(r"\1", parser.description or "")
    if description:
        lines += ["```text", description.strip(), "```", ""] if "\n" in description.strip() else \
            [description.strip(), ""]
    rows = [a for a in parser._actions
            if not isinstance(a, (argparse._HelpAction, argparse._SubParsersAction))]
    if rows:
        lines += ["| argument | value | default | description |", "|---|---|---|---|"]
        for action in rows:
            lines.append(f"| {_names(action)} | {_cell(_value(action))} | {_cell(_default(action))} | "
                         f"{_cell(_help(action))} |")
        lines.append("")
    for name, sub in _subcommands(parser):
        _describe(f"{prog} {name}", sub, min(level + 1, 4), lines)


def commands(parser: argparse.ArgumentParser, prog: str = "rqe") -> dict[str, argparse.ArgumentParser]:
    """Every command line (``"rqe solve"``, ...) and its parser, the top level included."""
    found = {prog: parser}
    for name, sub in _subcommands(parser):
        found.update(commands(sub, f"{prog} {name}"))
    return found


def markdown(parser: argparse.ArgumentParser) -> str:
    """The reference page for ``parser`` (the ``rqe`` parser) as Markdown."""
    lines = ["# Command-line reference", "",
             "Generated from the `rqe` argument parsers when the site is built: every command and option of this "
             "version. `rqe COMMAND --help` prints the same. Errors print one line `rqe: error: ...` and exit "
             "with status 2. Options named `--json` print one JSON document on stdout, described in "
             "[JSON output](json.md).", ""]
    lines += ["## Commands", "", "| command | what it does |", "|---|---|"]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            for name in action.choices:
                lines.append(f"| [`rqe {name}`](#rqe-{name}) | {_cell(helps.get(name) or '')} |")
    lines.append("")
    _describe("rqe", parser, 2, lines)
    return "\n".join(lines) + "\n"
