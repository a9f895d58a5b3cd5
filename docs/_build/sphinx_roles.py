"""A Griffe extension that turns Sphinx roles in numpydoc docstrings into cross-reference links.

rqe's docstrings use numpydoc with Sphinx roles (``:func:`rqe.io.read_game```, ``:class:`~rqe.game.Game```,
``:mod:`rqe.plot```). mkdocstrings renders Markdown, where such roles would show literally. After Griffe loads the
package, every docstring's roles are rewritten into mkdocs-autorefs references:

* the target is resolved in the docstring's scope (``:func:`solve_rqe``` inside ``rqe.solvers.rqe`` means
  ``rqe.solvers.rqe.solve_rqe``) and followed through re-exports (``rqe.Game`` is ``rqe.game.Game``);
* ``~`` shows the last component only, as in Sphinx;
* references are *optional*: a target that no page documents (``numpy.ndarray``) renders as code, not a broken
  link, so the strict build stays strict about everything else.

Used from ``mkdocs.yml`` (``handlers.python.options.extensions``); nothing in ``rqe`` depends on it.
"""

from __future__ import annotations

import html
import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(func|meth|class|mod|attr|data|exc|obj|const|type):`(~?)\.?([^`<>]+?)`")


def _canonical(collection: Any, path: str) -> str | None:
    """``path`` followed through aliases, or ``None`` when Griffe does not know it."""
    try:
        target = collection.get_member(path) if hasattr(collection, "get_member") else collection[path]
    except Exception:  # not loaded (another package) or not a member
        return None
    try:
        return target.final_target.path if target.is_alias else target.path
    except Exception:  # an alias to something outside the loaded packages
        return path


def _by_suffix(index: dict[str, list[str]], path: str) -> str | None:
    """The one documented object whose dotted path ends like ``path`` (``rqe.solve_nash`` is exported lazily,
    so Griffe sees no alias for it: it is ``rqe.solvers.nash.solve_nash``), or ``None``."""
    parts = path.split(".")
    matches = index.get(parts[-1], [])
    if parts[0] in {p.split(".")[0] for p in matches}:   # a package path (rqe.X): stay inside that package
        matches = [p for p in matches if p.split(".")[0] == parts[0]]
    for k in range(2, len(parts) + (parts[0] not in {p.split(".")[0] for p in matches})):
        narrower = [p for p in matches if p.endswith("." + ".".join(parts[-k:]))]
        if not narrower:
            break
        matches = narrower
    if len(matches) > 1:  # ``rqe.solve_rqe``: the module-level function, not a method of the same name
        matches = [p for p in matches if p in index.get("", [])] or matches
    return matches[0] if len(matches) == 1 else None


def _resolve(obj: Any, name: str, index: dict[str, list[str]]) -> str:
    """The full dotted path that ``name`` denotes inside ``obj``'s docstring (``name`` itself when unknown)."""
    collection = obj.modules_collection
    scopes = [obj]
    parent = obj.parent
    while parent is not None:
        scopes.append(parent)
        parent = parent.parent
    candidates = [name]
    head, _, rest = name.partition(".")
    for scope in scopes:
        try:
            base = scope.resolve(head)
        except Exception:
            base = None
        if base:
            candidates.append(base + ("." + rest if rest else ""))
        candidates.append(f"{scope.path}.{name}")
    for candidate in candidates:
        found = _canonical(collection, candidate)
        if found:
            return found
    return _by_suffix(index, name) or name


def rewrite(text: str, obj: Any, index: dict[str, list[str]] | None = None) -> str:
    """``text`` with each Sphinx role replaced by an optional autorefs reference."""

    def replace(match: re.Match) -> str:
        role, short, name = match.group(1), match.group(2), match.group(3).strip()
        label = name.split(".")[-1] if short else name
        if role in ("func", "meth"):
            label += "()" if not label.endswith(")") else ""
        identifier = _resolve(obj, name, index or {})
        return (f'<autoref identifier="{html.escape(identifier, quote=True)}" optional>'
                f"<code>{html.escape(label)}</code></autoref>")

    return ROLE.sub(replace, text)


def _walk(obj: Any, seen: set[int]):
    if id(obj) in seen:
        return
    seen.add(id(obj))
    yield obj
    for member in obj.members.values():
        if member.is_alias:
            continue
        yield from _walk(member, seen)


class SphinxRoles(griffe.Extension):
    """Rewrite Sphinx roles in every docstring of a loaded package (see the module docstring)."""

    def on_package(self, *, pkg: Any, **kwargs: Any) -> None:
        objects = list(_walk(pkg, set()))
        index: dict[str, list[str]] = {}
        for obj in objects:
            if not any(part.startswith("_") for part in obj.path.split(".")[1:]):
                index.setdefault(obj.name, []).append(obj.path)
                if obj.parent is not None and obj.parent.is_module:
                    index.setdefault("", []).append(obj.path)   # module-level objects
        for obj in objects:
            docstring = obj.docstring
            if docstring is not None and ROLE.search(docstring.value):
                docstring.value = rewrite(docstring.value, obj, index)
