"""The laboratory games of ``docs/rqe-math.md`` section 9 ([GHP03], [SC08]) as used by the RQE tests.

Payoffs and observed play come from :mod:`rqe.library` (``ghp2003``, ``selten_chmura`` and ``lab_data``);
``mps`` are the (epsilon, tau) per player that [MPS]'s released notebook uses with KL + log-barrier.
"""

from rqe import library

#: name -> (library name, params, MPS epsilon, MPS tau)
_SPECS = {
    "ghp4": ("ghp2003", {}, (170, 110), (0.001, 0.06)),
    "sc1": ("selten_chmura", {"game": 1}, (0.21, 0.555), (0.1, 100)),
    "sc2": ("selten_chmura", {"game": 2}, (0.68, 10), (0.08, 2)),
    "sc3": ("selten_chmura", {"game": 3}, (0.216, 0.837), (0.1, 56)),
    "sc4": ("selten_chmura", {"game": 4}, (0.35, 1.64), (0.1, 30)),
    "sc5": ("selten_chmura", {"game": 5}, (0.38, 2.7), (0.1, 10)),
    "sc6": ("selten_chmura", {"game": 6}, (0.92, 3.8), (0.1, 6)),
    "sc7": ("selten_chmura", {"game": 7}, (0.49, 1.88), (0.1, 11)),
    "sc8": ("selten_chmura", {"game": 8}, (0.36, 2.8), (0.1, 10)),
    "sc9": ("selten_chmura", {"game": 9}, (0.179, 0.65), (0.1, 90)),
    "sc10": ("selten_chmura", {"game": 10}, (0.1, 2.11), (0.3, 20)),
    "sc11": ("selten_chmura", {"game": 11}, (0.172, 2.97), (0.1, 25)),
    "sc12": ("selten_chmura", {"game": 12}, (0.23, 5.74), (0.04, 19)),
}


def _entry(name):
    lib_name, params, eps, tau = _SPECS[name]
    game = library.get(lib_name, **params)
    data = library.lab_data(lib_name, **params)
    return dict(R1=game.payoffs[0].tolist(), R2=game.payoffs[1].tolist(),
                observed=(data.row_first, data.column_first), mps=dict(epsilon=eps, tau=tau))


LAB_GAMES = {name: _entry(name) for name in _SPECS}


def lab_game(name: str):
    lib_name, params, _, _ = _SPECS[name]
    return library.get(lib_name, **params)
