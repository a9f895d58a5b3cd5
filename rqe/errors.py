"""The exceptions rqe raises.

Every error rqe raises on purpose derives from :class:`RQEError`, so ``except rqe.errors.RQEError`` catches
them all. Each also derives from the built-in exception a Python user would expect (``ValueError`` for bad
values, ``RuntimeError`` for a solver that did not converge, ``ImportError`` for a missing optional
dependency), so generic handlers keep working.

Messages name the offending value and what was expected, e.g.
``ParameterError: tau must be >= 0 for every player, got tau[1] = -0.5``.
"""

from __future__ import annotations

__all__ = [
    "RQEError",
    "GameError",
    "ProfileError",
    "ParameterError",
    "ConvergenceError",
    "FileFormatError",
    "OutputError",
    "ProblemSizeError",
    "MissingDependencyError",
    "NotAvailableError",
]


class RQEError(Exception):
    """Base class of every error raised by rqe."""


class GameError(RQEError, ValueError):
    """A game is malformed: non-finite payoffs, wrong shapes or ranks, empty action sets, bad names."""


class ProfileError(RQEError, ValueError):
    """A mixed strategy or profile is invalid: wrong length, negative entries, not summing to one."""


class ParameterError(RQEError, ValueError):
    """A solver parameter is out of range (negative tau or epsilon, unknown method, bad option)."""


class ProblemSizeError(RQEError, ValueError):
    """The requested method would need more memory or time than allowed for this game size.

    Raised *before* any large allocation, with the estimated size in the message.
    """


class ConvergenceError(RQEError, RuntimeError):
    """An iterative method did not reach its tolerance.

    Attributes
    ----------
    residual : float
        The certificate (residual / gap) at the last iterate.
    iterations : int
        Iterations performed.
    """

    def __init__(self, message: str, residual: float = float("nan"), iterations: int = -1):
        super().__init__(message)
        self.residual = residual
        self.iterations = iterations


class FileFormatError(RQEError, ValueError):
    """A game file is malformed. Carries the 1-based ``line`` and ``column`` where parsing failed."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None, path: str | None = None):
        where = []
        if path is not None:
            where.append(str(path))
        if line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column {column}")
        full = f"{', '.join(where)}: {message}" if where else message
        super().__init__(full)
        self.line = line
        self.column = column
        self.path = path


class OutputError(RQEError, OSError):
    """A file could not be written (missing or read-only folder, disk full, unencodable text).

    Raised by rqe's one file writer (``rqe._files.atomic_write``), which never leaves a partial or truncated
    file behind: the target keeps its old content. ``path`` names the file.
    """

    def __init__(self, message: str, path: str | None = None):
        super().__init__(message)
        self.path = path

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class MissingDependencyError(RQEError, ImportError):
    """An optional dependency is not installed; the message names the extra to install."""


class NotAvailableError(RQEError, NotImplementedError):
    """A solution concept or method is not available (yet) in this version of rqe."""
