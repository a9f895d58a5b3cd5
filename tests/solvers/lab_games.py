"""The laboratory games of ``docs/rqe-math.md`` section 9 ([GHP03], [SC08]) used by the RQE tests.

``R1``/``R2`` are indexed ``[row action, column action]``; ``observed`` are the frequencies of U and L;
``mps`` are the (epsilon, tau) per player that [MPS]'s released notebook uses with KL + log-barrier.
"""

import numpy as np

from rqe import Game

LAB_GAMES = {
    "ghp4": dict(R1=[[200, 160], [370, 10]], R2=[[160, 10], [200, 370]], observed=(0.47, 0.65),
                 mps=dict(epsilon=(170, 110), tau=(0.001, 0.06))),
    "sc1": dict(R1=[[10, 0], [9, 10]], R2=[[8, 18], [9, 8]], observed=(0.079, 0.69),
                mps=dict(epsilon=(0.21, 0.555), tau=(0.1, 100))),
    "sc2": dict(R1=[[9, 0], [6, 8]], R2=[[4, 13], [7, 5]], observed=(0.217, 0.527),
                mps=dict(epsilon=(0.68, 10), tau=(0.08, 2))),
    "sc3": dict(R1=[[8, 0], [7, 10]], R2=[[6, 14], [7, 4]], observed=(0.163, 0.793),
                mps=dict(epsilon=(0.216, 0.837), tau=(0.1, 56))),
    "sc4": dict(R1=[[7, 0], [5, 9]], R2=[[4, 11], [6, 2]], observed=(0.286, 0.736),
                mps=dict(epsilon=(0.35, 1.64), tau=(0.1, 30))),
    "sc5": dict(R1=[[7, 0], [4, 8]], R2=[[2, 9], [5, 1]], observed=(0.327, 0.664),
                mps=dict(epsilon=(0.38, 2.7), tau=(0.1, 10))),
    "sc6": dict(R1=[[7, 1], [3, 8]], R2=[[1, 7], [5, 0]], observed=(0.445, 0.596),
                mps=dict(epsilon=(0.92, 3.8), tau=(0.1, 6))),
    "sc7": dict(R1=[[10, 4], [9, 14]], R2=[[12, 22], [9, 8]], observed=(0.141, 0.564),
                mps=dict(epsilon=(0.49, 1.88), tau=(0.1, 11))),
    "sc8": dict(R1=[[9, 3], [6, 11]], R2=[[7, 16], [7, 5]], observed=(0.25, 0.586),
                mps=dict(epsilon=(0.36, 2.8), tau=(0.1, 10))),
    "sc9": dict(R1=[[8, 3], [7, 13]], R2=[[9, 17], [7, 4]], observed=(0.254, 0.827),
                mps=dict(epsilon=(0.179, 0.65), tau=(0.1, 90))),
    "sc10": dict(R1=[[7, 2], [5, 11]], R2=[[6, 13], [6, 2]], observed=(0.366, 0.699),
                 mps=dict(epsilon=(0.1, 2.11), tau=(0.3, 20))),
    "sc11": dict(R1=[[7, 2], [4, 10]], R2=[[4, 11], [5, 1]], observed=(0.331, 0.652),
                 mps=dict(epsilon=(0.172, 2.97), tau=(0.1, 25))),
    "sc12": dict(R1=[[7, 3], [3, 10]], R2=[[3, 9], [5, 0]], observed=(0.439, 0.604),
                 mps=dict(epsilon=(0.23, 5.74), tau=(0.04, 19))),
}


def lab_game(name: str) -> Game:
    spec = LAB_GAMES[name]
    return Game.from_bimatrix(np.array(spec["R1"], float), np.array(spec["R2"], float), title=name)
