"""TensorBoard scalars beside metrics.csv: the same rows, rewritten whole at every checkpoint."""

import csv

import pytest

pytest.importorskip("tensorboard")

from rqe.cli import main  # noqa: E402


def _scalars(folder):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(folder))
    events.Reload()
    return {tag: [(e.step, e.value) for e in events.Scalars(tag)] for tag in events.Tags()["scalars"]}


def test_tensorboard_scalars_equal_the_csv_and_survive_resume(tmp_path):
    out = tmp_path / "run"
    args = ["train", "ippo", "--env", "collaborate_defect", "--steps", "4800", "--out", str(out),
            "--checkpoint-every", "1", "--no-progress"]
    assert main(args) == 0
    rows = list(csv.DictReader((out / "metrics.csv").open()))
    scalars = _scalars(out / "tensorboard")
    assert len(rows) == 3 and sorted(p.name for p in (out / "tensorboard").iterdir()) == ["events.out.tfevents.rqe"]
    for name in ("env_steps", "return_seat0", "agent0/pg_loss"):
        assert scalars[name] == [(int(r["update"]), pytest.approx(float(r[name]), rel=1e-6)) for r in rows]
    assert main(args + ["--resume"]) == 0
    assert _scalars(out / "tensorboard") == scalars
