"""One way to write a file: atomically.

Every file rqe writes (games, figures, JSON results, checkpoints, snapshots, metrics) goes through
:func:`atomic_write`: the bytes go to a temporary file in the target's own folder, are flushed and fsynced,
and only then replace the target with :func:`os.replace` (atomic on POSIX and Windows). A failure at any point
(disk full, a read-only folder, an exception while the caller writes, a kill) leaves the target as it was,
whole, and removes the temporary file; the error comes out as :class:`rqe.errors.OutputError` naming the path.

>>> import os, tempfile
>>> folder = tempfile.mkdtemp()
>>> target = os.path.join(folder, "hello.txt")
>>> with atomic_write(target, "w") as fh:
...     _ = fh.write("hello")
>>> open(target).read()
'hello'
>>> write_text(target, "bye")
>>> open(target).read()
'bye'
"""

from __future__ import annotations

import contextlib
import math
import os
import tempfile
from pathlib import Path
from typing import IO, Any, Iterator

import numpy as np

from rqe.errors import OutputError

__all__ = ["atomic_write", "write_text", "write_bytes", "save_figure", "make_folder", "jsonable"]


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "w", *, encoding: str | None = "utf-8",
                 newline: str | None = None) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path`` for writing; on a clean exit, fsync it and move it onto ``path``.

    Parameters
    ----------
    path : str or os.PathLike
        The file to (re)write. Its folder must exist.
    mode : {"w", "wb"}
        Text or binary.
    encoding, newline :
        As for :func:`open`, text mode only.

    Raises
    ------
    rqe.errors.OutputError
        The folder is missing or not writable, the disk is full, or any other OS error; ``path`` is unchanged
        and no temporary file is left. Exceptions raised by the caller inside the block propagate unchanged
        (the target is left unchanged too).
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_write mode must be 'w' or 'wb', got {mode!r}")
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"cannot write {str(target)!r}: {exc.strerror or exc}", path=str(target)) from exc
    try:
        try:
            if mode == "wb":
                handle = os.fdopen(fd, "wb")
            else:
                handle = os.fdopen(fd, "w", encoding=encoding, newline=newline)
        except BaseException:
            os.close(fd)
            raise
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        _keep_mode(target, tmp_name)
        os.replace(tmp_name, target)
    except OSError as exc:
        _remove_quietly(tmp_name)
        raise OutputError(f"cannot write {str(target)!r}: {exc.strerror or exc}", path=str(target)) from exc
    except BaseException:
        _remove_quietly(tmp_name)
        raise
    _fsync_folder(folder)


def write_text(path: str | os.PathLike, text: str, *, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_write`).

    A string that cannot be encoded (e.g. a lone surrogate) raises :class:`rqe.errors.OutputError` before the
    target is touched.
    """
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError as exc:
        raise OutputError(f"cannot write {str(path)!r}: the text is not valid {encoding} "
                          f"({exc.reason} at character {exc.start})", path=str(path)) from exc
    write_bytes(path, data)


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_write`)."""
    with atomic_write(path, "wb") as handle:
        handle.write(data)


def save_figure(fig: Any, path: str | os.PathLike, *, dpi: int = 120) -> Path:
    """Save a matplotlib figure atomically, in the format its suffix names (``.png`` when there is none)."""
    target = Path(path)
    with atomic_write(target, "wb") as handle:
        fig.savefig(handle, dpi=dpi, format=target.suffix.lstrip(".").lower() or "png")
    return target


def make_folder(path: str | os.PathLike) -> Path:
    """Create a folder (and its parents) if needed; :class:`~rqe.errors.OutputError` when it cannot be made."""
    folder = Path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the folder {str(folder)!r}: {exc.strerror or exc}", path=str(folder)) from exc
    return folder


def jsonable(value: Any) -> Any:
    """``value`` ready for strict JSON: numpy types made plain, non-finite floats written as strings.

    >>> jsonable({"x": np.float64(0.5), "y": [np.int64(2), float("inf")]})
    {'x': 0.5, 'y': [2, 'inf']}
    """
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        v = float(value)
        return v if math.isfinite(v) else str(v)
    if value is None or isinstance(value, (str, int)):
        return value
    return str(value)


def _keep_mode(target: Path, tmp_name: str) -> None:
    # mkstemp creates 0600; give the new file the old file's mode, or the usual umask-derived one.
    try:
        mode = os.stat(target).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(tmp_name, mode)


def _remove_quietly(name: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(name)


def _fsync_folder(folder: Path) -> None:
    # Make the rename itself durable where the platform allows it (POSIX); harmless to skip elsewhere.
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
