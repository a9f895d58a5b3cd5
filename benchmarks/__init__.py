"""rqe's benchmark suite: ``python -m benchmarks [--quick] [--only CASE ...]``.

Each ``benchmarks/bench_<case>.py`` defines ``run(quick: bool) -> list[Row]`` (see :mod:`benchmarks.harness`).
Results go to ``benchmarks/results/<case>.json`` and one markdown table ``benchmarks/results/README.md``.
"""
