"""Reading and writing games: Gambit's ``.nfg`` and ``.efg`` formats and rqe's JSON format.

* ``nfg`` (:mod:`rqe.io.nfg`): a strategic-form game, :class:`~rqe.game.Game`;
* ``json`` (:mod:`rqe.io.json`): a :class:`~rqe.game.Game` with its private ``costs``;
* ``efg`` (:mod:`rqe.io.efg`): an extensive-form game, :class:`~rqe.extensive.ExtensiveGame`.

:func:`read_game` always returns a :class:`~rqe.game.Game`: for an ``.efg`` file, the reduced normal form of
its tree (:meth:`rqe.extensive.ExtensiveGame.reduced_normal_form`). :func:`read_efg` returns the tree itself.
:func:`write_game` writes a :class:`~rqe.game.Game` in any format (as ``.efg``: players moving in turn, each
at one information set) and an :class:`~rqe.extensive.ExtensiveGame` as ``.efg`` (or its reduced normal form
as ``.nfg``/JSON).

Every file is written through :mod:`rqe._files` (a temporary file in the same folder, fsynced, then moved onto
the target), so a full disk, a read-only folder or an unencodable title (:class:`~rqe.errors.OutputError`)
leaves an existing file intact, and converting a file onto itself is safe. Reading checks the sizes a header
declares before allocating anything (:class:`~rqe.errors.ProblemSizeError`, ``max_payoffs=`` raises the
limit) and reports malformed input as :class:`~rqe.errors.FileFormatError` with its line and column.

Example
-------
>>> from rqe.io import dumps, loads
>>> from rqe import Game
>>> game = Game.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]], title="Prisoner's dilemma",
...                           action_names=[["C", "D"], ["C", "D"]])
>>> text = dumps(game, "nfg")
>>> print(text.splitlines()[0])
NFG 1 R "Prisoner's dilemma" { "1" "2" }
>>> loads(text) == game
True
>>> loads(dumps(game, "json")) == game
True
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from rqe._files import write_text
from rqe.errors import FileFormatError, GameError, RQEError
from rqe.extensive import ExtensiveGame
from rqe.game import Game
from rqe.io._text import MAX_PAYOFFS, check_limit, parse_number
from rqe.io.efg import read_efg_text, write_efg_text
from rqe.io.json import read_json, write_json
from rqe.io.nfg import read_nfg, write_nfg

__all__ = ["read_game", "write_game", "read_efg", "loads", "dumps", "FORMATS", "format_from_path",
           "parse_number", "MAX_PAYOFFS"]

#: File formats understood, by name.
FORMATS = ("nfg", "efg", "json")
_EXTENSIONS = {".nfg": "nfg", ".efg": "efg", ".json": "json"}
_LEADING_SPACE = re.compile(r"\s*")


def format_from_path(path: str | os.PathLike[str]) -> str:
    """The format name (``"nfg"``, ``"efg"`` or ``"json"``) given by a file's extension.

    Examples
    --------
    >>> format_from_path("games/pd.nfg")
    'nfg'
    """
    suffix = Path(path).suffix.lower()
    if suffix not in _EXTENSIONS:
        raise FileFormatError(
            f"cannot tell the format of {str(path)!r} from its extension {suffix!r}; "
            f"expected one of {', '.join(sorted(_EXTENSIONS))} (or pass format=...)"
        )
    return _EXTENSIONS[suffix]


def _check_format(fmt: Any) -> str:
    fmt = str(fmt).lower().lstrip(".")
    if fmt not in FORMATS:
        raise FileFormatError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return fmt


def _detect(text: str, path: str | None) -> str:
    start = _LEADING_SPACE.match(text).end()
    if text.startswith("NFG", start):
        return "nfg"
    if text.startswith("EFG", start):
        return "efg"
    if text.startswith("{", start):
        return "json"
    line = text.count("\n", 0, start) + 1
    raise FileFormatError("cannot recognise the format: a game file starts with 'NFG' or 'EFG' (Gambit) or "
                          "'{' (JSON)", line=line, column=1, path=path)


def _decode(text: Any, path: str | None) -> str:
    if isinstance(text, (bytes, bytearray, memoryview)):
        data = bytes(text)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            before = data[: exc.start]
            line = before.count(b"\n") + 1
            column = exc.start - (before.rfind(b"\n") + 1) + 1
            raise FileFormatError(f"not UTF-8 text: {exc.reason}", line=line, column=column,
                                  path=path) from None
    if not isinstance(text, str):
        raise FileFormatError(f"expected the text of a game file, got {type(text).__name__}", path=path)
    return text[1:] if text.startswith("\ufeff") else text


def _parse(text: Any, format: str | None, path: str | None, max_payoffs: Any) -> Any:
    """The object a file holds: a Game (nfg, json) or an ExtensiveGame (efg)."""
    limit = check_limit(max_payoffs)
    text = _decode(text, path)
    fmt = _check_format(format) if format is not None else _detect(text, path)
    try:
        if fmt == "nfg":
            return read_nfg(text, path, max_payoffs=limit)
        if fmt == "efg":
            return read_efg_text(text, path, max_payoffs=limit)
        return read_json(text, path)
    except RQEError:
        raise
    except RecursionError:
        raise FileFormatError("input nested too deeply", line=1, column=1, path=path) from None


def loads(text: str | bytes, format: str | None = None, *, path: str | None = None,
          max_payoffs: float = MAX_PAYOFFS) -> Game:
    """Parse a game from the text of a ``.nfg``, ``.efg`` or JSON file.

    Parameters
    ----------
    text : str or bytes
        The file's contents (bytes are decoded as UTF-8).
    format : {"nfg", "efg", "json"}, optional
        Detected from the first non-blank characters when omitted (``NFG``, ``EFG`` or ``{``).
    path : str, optional
        Used in error messages only.
    max_payoffs : float
        Refuse files whose header declares more payoff entries than this (default ``MAX_PAYOFFS`` = 1e8,
        0.75 GiB as float64); checked before anything is allocated.

    Returns
    -------
    Game
        For an ``.efg`` file, the reduced normal form of its tree (:func:`read_efg` gives the tree).

    Raises
    ------
    FileFormatError
        Malformed input, with the 1-based ``line`` and ``column`` where it was found.
    ProblemSizeError
        The header declares more than ``max_payoffs`` payoffs.

    Examples
    --------
    >>> loads('NFG 1 R "" { "A" "B" } { 2 1 } 1 2 3/2 -4').payoffs.tolist()
    [[[1.0], [1.5]], [[2.0], [-4.0]]]
    """
    result = _parse(text, format, path, max_payoffs)
    return result if isinstance(result, Game) else result.reduced_normal_form().game


def dumps(game: Any, format: str = "nfg", *, outcome_version: bool = False) -> str:
    """The text of ``game`` in ``format`` (``"nfg"``, ``"efg"`` or ``"json"``).

    ``game`` is a :class:`~rqe.game.Game` or an :class:`~rqe.extensive.ExtensiveGame` (written as ``.efg``,
    or as its reduced normal form in the other formats). ``outcome_version=True`` writes the ``.nfg`` outcome
    version (one outcome per pure profile, as Gambit writes files); the default is the compact payoff version,
    which OpenSpiel reads too. Both read back to the same payoffs.

    Examples
    --------
    >>> from rqe import Game
    >>> print(dumps(Game.zero_sum([[1, -1], [-1, 1]], title="Matching pennies")), end="")
    NFG 1 R "Matching pennies" { "1" "2" } { 2 2 }
    <BLANKLINE>
    1 -1
    -1 1
    -1 1
    1 -1
    """
    fmt = _check_format(format)
    if isinstance(game, ExtensiveGame):
        if fmt == "efg":
            return write_efg_text(game)
        game = game.reduced_normal_form().game
    if not isinstance(game, Game):
        raise GameError(f"expected a Game or an ExtensiveGame, got {type(game).__name__}")
    if fmt == "nfg":
        return write_nfg(game, outcome_version)
    if fmt == "efg":
        return write_efg_text(ExtensiveGame.from_game(game))
    return write_json(game)


def _read(source: Any, format: str | None, max_payoffs: Any) -> Any:
    looks_like_text = isinstance(source, str) and source.lstrip().startswith(("NFG", "EFG", "{"))
    if looks_like_text and not os.path.exists(source):
        return _parse(source, format, None, max_payoffs)
    if not isinstance(source, (str, os.PathLike)):
        raise FileFormatError(f"expected a path or the text of a game file, got {type(source).__name__}")
    path = Path(source)
    if not path.is_file():
        raise FileFormatError(f"no such game file: {str(path)!r}")
    if format is None and path.suffix.lower() in _EXTENSIONS:
        format = _EXTENSIONS[path.suffix.lower()]
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FileFormatError(f"cannot read {str(path)!r}: {exc.strerror}") from None
    return _parse(data, format, str(path), max_payoffs)


def read_game(source: str | os.PathLike[str], format: str | None = None, *,
              max_payoffs: float = MAX_PAYOFFS) -> Game:
    """Read a game from a ``.nfg``, ``.efg`` or ``.json`` file (or directly from its text).

    ``source`` is a path; the format comes from ``format`` or else the extension (content sniffing for other
    extensions). For convenience a string that is not an existing file and starts with ``NFG``, ``EFG`` or
    ``{`` is parsed as the file's text. An ``.efg`` file gives the reduced normal form of its tree
    (:func:`read_efg` gives the tree). ``max_payoffs`` as in :func:`loads`.

    Examples
    --------
    >>> read_game('NFG 1 R "tiny" { "1" } { 2 } 0 1').payoffs.tolist()
    [[0.0, 1.0]]
    """
    result = _read(source, format, max_payoffs)
    return result if isinstance(result, Game) else result.reduced_normal_form().game


def read_efg(source: str | os.PathLike[str], *, max_payoffs: float = MAX_PAYOFFS):
    """Read an extensive-form game (:class:`rqe.extensive.ExtensiveGame`) from an ``.efg`` file or its text.

    Examples
    --------
    >>> tree = read_efg('EFG 2 R "" { "1" } p "" 1 1 "" { "a" "b" } 0 t "" 1 "" { 1 } t "" 2 "" { 0 }')
    >>> tree.n_players, tree.reduced_normal_form().game.payoffs.tolist()
    (1, [[1.0, 0.0]])
    """
    return _read(source, "efg", max_payoffs)


def write_game(game: Any, path: str | os.PathLike[str], format: str | None = None, *,
               outcome_version: bool = False) -> Path:
    """Write ``game`` to ``path`` atomically; the format comes from ``format`` or else the extension.

    Returns the path written. ``.nfg`` keeps payoffs, player and action names and the title; JSON also keeps
    the private ``costs``; ``.efg`` keeps a whole :class:`~rqe.extensive.ExtensiveGame`. The text goes through
    :func:`rqe._files.write_text`: on any failure (:class:`~rqe.errors.OutputError`: full disk, read-only
    folder, a title that is not valid text) an existing ``path`` is left as it was.

    Examples
    --------
    >>> import tempfile, os
    >>> from rqe import Game
    >>> game = Game.identical_interest([[2, 0], [0, 1]], title="Hi-lo")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     target = write_game(game, os.path.join(folder, "hilo.nfg"))
    ...     read_game(target) == game
    True
    """
    fmt = _check_format(format) if format is not None else format_from_path(path)
    text = dumps(game, fmt, outcome_version=outcome_version)
    target = Path(path)
    write_text(target, text)
    return target
