"""Throughput of the SRPO environments from established packages: vectorised Tag vs mpe2, Hanabi, Overcooked.

Tag rows: the torch-vectorised :class:`rqe.srpo.tag.Tag` (float32, one torch thread) and ``mpe2``'s
``simple_tag`` behind rqe's PettingZoo adapter (:func:`rqe.srpo.tag.reference_tag`) step the *same* rollout: the
vectorised copies start from the reference's states (copied in), both get the same pre-drawn random predator
actions and the same deterministic fleeing prey. Timings are interleaved (reference, vectorised, reference, ...)
and the median of each is kept; the accuracy columns give the largest observation difference of each side
against the float64 vectorised physics run on the same inputs (so ``mpe2``'s own float32 rounding shows too).
The machine's load averages are recorded before and after. ``mpe2_raw_steps_per_s`` times ``mpe2``'s own
parallel env alone (every agent, prey included, with random actions; no adapter, no prey policy), interleaved
with the other two, to show what the adapter and the scripted prey add to the reference's cost.

Hanabi and Overcooked rows: env steps per second of the batched wrappers (a Python loop over ``pyspiel`` states
and over overcooked-ai kitchens) with uniformly random legal actions; they have no vectorised counterpart.

Run: ``python -m benchmarks.bench_srpo_envs_zoo`` (writes ``benchmarks/results/srpo_envs_zoo.json``).
"""

from __future__ import annotations

import os
import statistics
import time

import numpy as np

from benchmarks.harness import Row


def _load() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:  # pragma: no cover - not on every platform
        return []


def _tag_rows(batch_sizes: list[int], steps: int, rounds: int) -> list[Row]:
    import torch

    from mpe2 import simple_tag_v3 as simple_tag

    from rqe.srpo.tag import Tag, TagRules, reference_tag

    rules = TagRules()  # the paper's scenario: 2 predators, 1 prey, 2 obstacles
    rows = []
    for n_envs in batch_sizes:
        g = torch.Generator().manual_seed(n_envs)
        actions = [torch.randint(0, 5, (rules.num_adversaries, n_envs), generator=g) for _ in range(steps)]
        slow = reference_tag(n_envs, rules, prey="flee", seed=n_envs)
        fast = Tag(n_envs, rules=rules, prey="flee")
        exact = Tag(n_envs, rules=rules, prey="flee", dtype=torch.float64)

        def start(env):
            env.reset(g)
            states = [e.world_state() for e in slow.envs]
            env.world.set_state(*(np.stack([s[k] for s in states]) for k in range(3)))
            env._observe()

        def run_slow():
            slow.reset()
            start(fast)       # keep the fast side's start state in step with the reference's (untimed below)
            t0 = time.perf_counter()
            obs = [slow.step(a).obs for a in actions]
            return time.perf_counter() - t0, obs

        def run_fast():
            t0 = time.perf_counter()
            obs = [fast.step(a, g).obs for a in actions]
            return time.perf_counter() - t0, obs

        raw = [simple_tag.parallel_env(num_good=rules.num_good, num_adversaries=rules.num_adversaries,
                                       num_obstacles=rules.num_obstacles, max_cycles=rules.max_cycles)
               for _ in range(n_envs)]
        names = raw[0].possible_agents
        raw_actions = np.random.default_rng(n_envs).integers(0, 5, (steps, n_envs, len(names)))

        def run_raw():
            for e, env in enumerate(raw):
                env.reset(seed=e)
            t0 = time.perf_counter()
            for t in range(steps):
                for e, env in enumerate(raw):
                    env.step({a: int(raw_actions[t, e, i]) for i, a in enumerate(names)})
            return time.perf_counter() - t0

        slow_times, fast_times, raw_times = [], [], []
        for _ in range(rounds):
            t_slow, obs_slow = run_slow()
            t_fast, obs_fast = run_fast()
            slow_times.append(t_slow)
            fast_times.append(t_fast)
            raw_times.append(run_raw())
        # accuracy: the float64 physics on the last round's start state and actions
        slow.reset()
        start(exact)
        start(fast)
        obs_exact = [exact.step(a, g).obs for a in actions]
        obs_fast = [fast.step(a, g).obs for a in actions]
        obs_slow = [slow.step(a).obs for a in actions]
        err_fast = max(float((a - b).abs().max()) for a, b in zip(obs_fast, obs_exact))
        err_slow = max(float((a.double() - b).abs().max()) for a, b in zip(obs_slow, obs_exact))
        t_fast, t_slow = statistics.median(fast_times), statistics.median(slow_times)
        transitions = n_envs * steps
        rows.append(Row(case="srpo_env_tag", size=f"tag {n_envs} envs x {steps} steps", peer="mpe2 + PettingZooEnv",
                        rqe_time=t_fast, peer_time=t_slow, repeat=rounds, rqe_accuracy=err_fast,
                        peer_accuracy=err_slow, accuracy_metric="max |obs - float64 physics|",
                        note=f"{transitions / t_fast:,.0f} vs {transitions / t_slow:,.0f} env steps/s",
                        extra={"vectorised_steps_per_s": transitions / t_fast,
                               "reference_steps_per_s": transitions / t_slow, "speedup": t_slow / t_fast,
                               "vectorised_times": fast_times, "reference_times": slow_times,
                               "mpe2_raw_steps_per_s": transitions / statistics.median(raw_times),
                               "mpe2_raw_times": raw_times}))
    return rows


def _masked_random(mask, generator):
    import torch

    from rqe.srpo.networks import sample_actions

    return sample_actions(torch.zeros(mask.shape).masked_fill(~mask, float("-inf")), generator)


def _hanabi_rows(batch_sizes: list[int], steps: int) -> list[Row]:
    import torch

    from rqe.srpo.hanabi import Hanabi

    rows = []
    for players in (2, 4):
        for n_envs in batch_sizes:
            env = Hanabi(n_envs, players=players)
            g = torch.Generator().manual_seed(n_envs)
            env.reset(g)
            t0 = time.perf_counter()
            for _ in range(steps):
                env.step(_masked_random(env.legal_mask(), g), g)
            elapsed = time.perf_counter() - t0
            rate = n_envs * steps / elapsed
            rows.append(Row(case="srpo_env_hanabi", size=f"hanabi {players}p 3x3 {n_envs} envs x {steps} steps",
                            peer="—", rqe_time=elapsed, peer_time=None, repeat=1,
                            note=f"{rate:,.0f} env steps/s (pyspiel states in a Python loop)",
                            extra={"steps_per_s": rate}))
    return rows


def _overcooked_rows(batch_sizes: list[int], steps: int) -> list[Row]:
    import torch

    from rqe.srpo.overcooked import N_ACTIONS, overcooked_env

    rows = []
    for n_envs in batch_sizes:
        env = overcooked_env("cramped_room", n_envs)
        g = torch.Generator().manual_seed(n_envs)
        env.reset()
        t0 = time.perf_counter()
        for _ in range(steps):
            env.step(torch.randint(0, N_ACTIONS, (2, n_envs), generator=g))
        elapsed = time.perf_counter() - t0
        rate = n_envs * steps / elapsed
        rows.append(Row(case="srpo_env_overcooked", size=f"cramped_room {n_envs} envs x {steps} steps", peer="—",
                        rqe_time=elapsed, peer_time=None, repeat=1,
                        note=f"{rate:,.0f} env steps/s (overcooked-ai kitchens via PettingZooEnv)",
                        extra={"steps_per_s": rate}))
    return rows


def run(quick: bool = False) -> list[Row]:
    import importlib.util

    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    load_before = _load()
    rows: list[Row] = []
    try:
        sizes = [16, 64] if quick else [16, 64, 256]
        if importlib.util.find_spec("mpe2") is not None:
            rows += _tag_rows(sizes, steps=25 if quick else 50, rounds=3 if quick else 5)
        if importlib.util.find_spec("pyspiel") is not None:
            rows += _hanabi_rows(sizes, steps=20 if quick else 50)
        if importlib.util.find_spec("overcooked_ai_py") is not None:
            rows += _overcooked_rows(sizes, steps=20 if quick else 50)
    finally:
        torch.set_num_threads(threads)
    load = {"load_avg_1_5_15_before": load_before, "load_avg_1_5_15_after": _load()}
    return [Row(**{**r.__dict__, "extra": {**r.extra, **load}}) for r in rows]


if __name__ == "__main__":
    from benchmarks.harness import markdown_table, write_case

    result = run(quick=False)
    print(markdown_table(result))
    print(write_case("srpo_envs_zoo", result))
