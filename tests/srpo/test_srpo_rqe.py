"""SRPO on a matrix game learns the RQE at the same (tau, eps) (``docs/rqe-math.md`` sections 4 and 8)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import rqe  # noqa: E402
from rqe.srpo import TrainConfig, Trainer  # noqa: E402
from rqe.srpo.evaluate import policy_probabilities  # noqa: E402


def _learned(algo, seed, updates, n_envs, tau=10.0, epsilon=0.2, game_kwargs=None):
    cfg = TrainConfig(algo=algo, env="collaborate_defect", env_kwargs=game_kwargs or {}, seed=seed, tau=tau,
                      epsilon=epsilon, n_envs=n_envs, n_steps=1, n_minibatches=1, n_epochs=4,
                      total_steps=updates * n_envs * (2 if algo in ('srpo', 'adversarial') else 1), lr=3e-3, norm_adv=False, device="cpu")
    trainer = Trainer(cfg)
    trainer.train(progress=False)
    obs = np.zeros(5, dtype=np.float32)
    obs[0] = 1.0
    return [policy_probabilities(trainer.learners[f"agent{i}"].actor, obs) for i in range(2)]


def test_srpo_learns_the_rqe_of_collaborate_defect():
    tau, epsilon = 10.0, 0.2
    target = rqe.solve_rqe(rqe.library.get("collaborate_defect"), tau, epsilon)
    assert target.converged
    learned = _learned("srpo", seed=0, updates=120, n_envs=512, tau=tau, epsilon=epsilon)
    for x, y in zip(learned, target.strategies):
        assert 0.5 * np.abs(x - y).sum() < 0.05
    # and the test can fail: the RQE is far from the uniform starting point and from pure collaboration
    assert 0.5 * np.abs(target.strategies[0] - 0.5).sum() > 0.2


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5))
def test_srpo_learns_the_rqe_five_seeds(seed):
    target = rqe.solve_rqe(rqe.library.get("collaborate_defect"), 10.0, 0.2)
    learned = _learned("srpo", seed=seed, updates=300, n_envs=1024)
    for x, y in zip(learned, target.strategies):
        assert 0.5 * np.abs(x - y).sum() < 0.05
