"""SRPO layer throughput: vectorised cooking gridworld vs the Python-loop reference, and training updates/s.

Both environment versions run the same seeded rollout (same actions, same pre-drawn random numbers) in the same
process; the accuracy column is the largest reward difference between them over the rollout (0 means they agree
step by step). One torch thread. Training rows time whole PPO updates (rollout + GAE + epochs) on the gridworld.
"""

from __future__ import annotations

import time

import numpy as np

from benchmarks.harness import Row, time_call


def _rollout_inputs(n_envs: int, steps: int, seed: int):
    import torch

    from rqe.srpo.envs import CookingGridworld

    g = torch.Generator().manual_seed(seed)
    env = CookingGridworld(n_envs=n_envs)
    swap = torch.rand(n_envs, generator=g)
    actions = [torch.randint(0, 5, (2, n_envs), generator=g) for _ in range(steps)]
    noise = [env.draw_noise(g) for _ in range(steps)]
    return swap, actions, noise


def run(quick: bool = False) -> list[Row]:
    import torch

    from rqe.srpo import TrainConfig, Trainer
    from rqe.srpo.envs import CookingGridworld, CookingGridworldReference

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    rows = []
    try:
        steps = 50
        for n_envs in ([256] if quick else [256, 1024, 4096]):
            swap, actions, noise = _rollout_inputs(n_envs, steps, seed=n_envs)
            actions_np = [a.numpy() for a in actions]
            noise_np = [{k: v.numpy() for k, v in n.items()} for n in noise]
            fast, slow = CookingGridworld(n_envs=n_envs), CookingGridworldReference(n_envs=n_envs)

            def vectorised():
                fast.reset(noise=swap)
                return torch.stack([fast.step(a, noise=z).rewards for a, z in zip(actions, noise)]).numpy()

            def reference():
                slow.reset(noise=swap.numpy())
                return np.stack([slow.step(a, noise=z).rewards for a, z in zip(actions_np, noise_np)])

            t_fast, r_fast = time_call(vectorised, repeat=3 if quick else 5)
            t_slow, r_slow = time_call(reference, repeat=1 if quick else 3, warmup=0)
            diff = float(np.abs(r_fast - r_slow).max())
            transitions = n_envs * steps
            rows.append(Row(case="srpo_env", size=f"cooking {n_envs} envs x {steps} steps", peer="python loop",
                            rqe_time=t_fast.median, peer_time=t_slow.median, repeat=t_fast.repeat,
                            rqe_accuracy=diff, peer_accuracy=0.0, accuracy_metric="max |reward diff|",
                            note=f"{transitions / t_fast.median:,.0f} vs {transitions / t_slow.median:,.0f} env steps/s",
                            extra={"vectorised_steps_per_s": transitions / t_fast.median,
                                   "reference_steps_per_s": transitions / t_slow.median,
                                   "speedup": t_slow.median / t_fast.median}))
        for algo in ("ippo", "srpo"):
            cfg = TrainConfig(algo=algo, env="cooking", n_envs=64, n_steps=50, total_steps=64 * 50 * 1000,
                              device="cpu")
            trainer = Trainer(cfg)
            n_updates = 2 if quick else 5
            trainer.train_update()  # warm-up
            start = time.perf_counter()
            for _ in range(n_updates):
                trainer.train_update()
            per_update = (time.perf_counter() - start) / n_updates
            rows.append(Row(case="srpo_train", size=f"{algo} cooking 64 envs x 50 steps", peer="—",
                            rqe_time=per_update, peer_time=None, repeat=n_updates,
                            note=f"{1 / per_update:.2f} updates/s", extra={"updates_per_s": 1 / per_update}))
    finally:
        torch.set_num_threads(threads)
    return rows


if __name__ == "__main__":
    from benchmarks.harness import markdown_table, write_case

    result = run(quick=False)
    print(markdown_table(result))
    print(write_case("srpo_env", result))
