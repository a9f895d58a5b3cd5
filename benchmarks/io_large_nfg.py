"""Time writing and reading a ~100 MB ``.nfg`` (payoff and outcome versions): ``python -m benchmarks.io_large_nfg``.

A 2-player 2500 x 2000 game (1e7 payoffs): random normals rounded to 6 decimals for the payoff version, random
integers for the outcome version (one outcome per profile, as Gambit writes). Prints the size, the wall times
and whether the game read back equals the one written. Not part of the ``python -m benchmarks`` suite.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

import numpy as np


def main(seed: int = 0) -> None:
    from rqe import Game
    from rqe.io import read_game, write_game

    rng = np.random.default_rng(seed)
    cases = [("payoff version, decimals", np.round(rng.normal(size=(2, 2500, 2000)), 6), False),
             ("outcome version, integers", rng.integers(-99999, 99999, size=(2, 2500, 2000)).astype(float), True)]
    with tempfile.TemporaryDirectory() as folder:
        for name, payoffs, outcome_version in cases:
            game = Game(payoffs)
            path = os.path.join(folder, "game.nfg")
            start = time.perf_counter()
            write_game(game, path, outcome_version=outcome_version)
            written = time.perf_counter() - start
            start = time.perf_counter()
            again = read_game(path)
            read = time.perf_counter() - start
            print(f"{name}: {os.path.getsize(path) / 1e6:.0f} MB, write {written:.1f} s, read {read:.1f} s, "
                  f"equal {again == game}", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", file=sys.stderr)


if __name__ == "__main__":
    main()
