"""SRPO files and commands: atomic writes, verified resumes, one `rqe: error:` line and exit 2 for every failure."""

import errno
import json

import pytest

torch = pytest.importorskip("torch")

from rqe.cli import main as rqe_main  # noqa: E402
from rqe.errors import FileFormatError, OutputError, ParameterError  # noqa: E402
from rqe.srpo import TrainConfig, Trainer  # noqa: E402

TINY = ["--env", "collaborate_defect", "--steps", "256", "--set", "n_envs=32", "n_steps=4", "n_minibatches=2",
        "--no-progress", "--device", "cpu", "--checkpoint-every", "1"]


def _cfg(**kw):
    base = dict(algo="ippo", env="collaborate_defect", total_steps=256, n_envs=32, n_steps=4, n_minibatches=2,
                device="cpu", checkpoint_every=1)
    base.update(kw)
    return TrainConfig(**base)


def _one_error_line(capsys):
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rqe: error: "), captured.err
    assert "Traceback" not in captured.err + captured.out
    return lines[0]


def _leftovers(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.name.endswith(".tmp"))


def test_resume_without_a_checkpoint_is_an_error(tmp_path, capsys):
    with pytest.raises(ParameterError, match="does not exist"):
        Trainer(_cfg(), tmp_path / "new").train(progress=False, resume=True)
    assert rqe_main(["train", "ippo", "--out", str(tmp_path / "cli"), "--resume", *TINY]) == 2
    assert "does not exist" in _one_error_line(capsys)
    assert not (tmp_path / "cli" / "checkpoint.pt").exists()


def test_resume_with_another_configuration_names_the_differing_fields(tmp_path, capsys):
    Trainer(_cfg(), tmp_path).train(progress=False)
    with pytest.raises(ParameterError, match=r"lr: 0\.001 in the checkpoint, 0\.01 now, tau: 10\.0 in the checkpoint, 2\.0 now"):
        Trainer(_cfg(tau=2.0, lr=0.01), tmp_path).train(progress=False, resume=True)
    Trainer(_cfg(device="cpu", checkpoint_every=3), tmp_path).train(progress=False, resume=True)  # bookkeeping only
    assert rqe_main(["train", "ippo", "--out", str(tmp_path), "--resume", *TINY, "tau=3"]) == 2
    assert "tau" in _one_error_line(capsys)


def test_corrupt_checkpoint_is_an_error_not_a_traceback(tmp_path, capsys):
    Trainer(_cfg(), tmp_path).train(progress=False)
    data = (tmp_path / "checkpoint.pt").read_bytes()
    (tmp_path / "checkpoint.pt").write_bytes(data[: len(data) // 2])
    with pytest.raises(FileFormatError, match="checkpoint"):
        Trainer(_cfg(), tmp_path).train(progress=False, resume=True)
    assert rqe_main(["train", "ippo", "--out", str(tmp_path), "--resume", *TINY]) == 2
    assert "corrupt" in _one_error_line(capsys)
    torch.save({"something": "else"}, tmp_path / "checkpoint.pt")
    with pytest.raises(FileFormatError, match="not a training checkpoint"):
        Trainer(_cfg(), tmp_path).train(progress=False, resume=True)


def test_corrupt_snapshot_is_rewritten_on_resume_and_an_error_for_partners(tmp_path, capsys):
    run = tmp_path / "sp"
    cfg = _cfg(algo="selfplay", total_steps=4 * 128, checkpoint_every=2)
    Trainer(cfg, run).train(progress=False)
    snapshot = run / "snapshots" / "policies_00002.pt"
    good = snapshot.read_bytes()
    snapshot.write_bytes(good[:100])
    with pytest.raises(FileFormatError, match="policies_00002.pt"):
        Trainer(_cfg(algo="fcp", partner_runs=[str(run)]))
    assert rqe_main(["train", "fcp", "--partners", str(run), "--out", str(tmp_path / "fcp"), *TINY]) == 2
    assert "policies_00002.pt" in _one_error_line(capsys)
    # resuming from the checkpoint of update 4 leaves the other snapshots alone; the checkpoint's own is verified
    (run / "snapshots" / "policies_00004.pt").write_bytes(b"garbage")
    Trainer(cfg, run).train(progress=False, resume=True)
    from rqe.srpo.trainer import load_policies_file

    load_policies_file(run / "snapshots" / "policies_00004.pt")    # rewritten whole from the restored state


def _disk_full(monkeypatch):
    import rqe._files

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(rqe._files.os, "fsync", full)


def _read_only(monkeypatch):
    import rqe._files

    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(rqe._files.tempfile, "mkstemp", denied)


@pytest.mark.parametrize("failure", [_disk_full, _read_only])
def test_train_on_a_full_disk_or_read_only_folder(failure, tmp_path, capsys, monkeypatch):
    out = tmp_path / "run"
    assert rqe_main(["train", "ippo", "--out", str(out), *TINY]) == 0
    before = (out / "checkpoint.pt").read_bytes()
    capsys.readouterr()
    failure(monkeypatch)
    assert rqe_main(["train", "ippo", "--out", str(out), *TINY]) == 2
    line = _one_error_line(capsys)
    assert "cannot write" in line and str(out) in line
    assert _leftovers(out) == [] and not (out / "checkpoint.tmp").exists()
    assert (out / "checkpoint.pt").read_bytes() == before          # the previous checkpoint is whole


@pytest.mark.parametrize("failure", [_disk_full, _read_only])
def test_crossplay_on_a_full_disk_or_read_only_folder(failure, tmp_path, capsys, monkeypatch):
    assert rqe_main(["train", "ippo", "--seeds", "0", "1", "--out", str(tmp_path / "runs"), *TINY]) == 0
    capsys.readouterr()
    failure(monkeypatch)
    assert rqe_main(["crossplay", str(tmp_path / "runs"), "--out", str(tmp_path / "xp"), "--episodes", "4",
                     "--no-plots"]) == 2
    assert "cannot write" in _one_error_line(capsys)
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("failure", [_disk_full, _read_only])
def test_train_lm_on_a_full_disk_or_read_only_folder(failure, tmp_path, capsys, monkeypatch):
    failure(monkeypatch)
    code = rqe_main(["train-lm", "--out", str(tmp_path / "lm"), "--pretrain-steps", "1", "--iterations", "1",
                     "--batch-size", "2", "--d-model", "16", "--n-layers", "1", "--n-heads", "2", "--eval-problems",
                     "2", "--device", "cpu", "--quiet"])
    assert code == 2
    assert "cannot write" in _one_error_line(capsys)
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("extra", [
    ["--set", "lr=abc"], ["--set", "n_envs=0"], ["--set", "kl_direction=sideways"], ["--set", "nope=1"],
    ["--set", "lr"], ["--steps", "0"], ["--env-arg", "horizon=x"], ["--threads", "0"],
])
def test_bad_values_give_one_error_line(extra, tmp_path, capsys):
    argv = ["train", "srpo", "--out", str(tmp_path / "r"), "--env", "collaborate_defect", "--no-progress",
            "--device", "cpu", *extra]
    assert rqe_main(argv) == 2
    _one_error_line(capsys)
    assert not (tmp_path / "r" / "checkpoint.pt").exists()


def test_crossplay_of_a_corrupt_run_is_an_error(tmp_path, capsys):
    Trainer(_cfg(), tmp_path / "r").train(progress=False)
    (tmp_path / "r" / "policies.pt").write_bytes(b"\x80\x02garbage")
    assert rqe_main(["crossplay", str(tmp_path / "r"), "--out", str(tmp_path / "xp"), "--no-plots"]) == 2
    assert "policies.pt" in _one_error_line(capsys)


def test_every_run_file_is_whole_after_training(tmp_path):
    Trainer(_cfg(), tmp_path).train(progress=False)
    assert json.loads((tmp_path / "config.json").read_text())["algo"] == "ippo"
    assert _leftovers(tmp_path) == []
    from rqe.srpo.trainer import load_checkpoint_file, load_policies_file

    assert load_checkpoint_file(tmp_path / "checkpoint.pt")["update"] == 2
    load_policies_file(tmp_path / "policies.pt")
    with pytest.raises(OutputError):
        from rqe.srpo.trainer import save_torch

        save_torch({}, tmp_path / "missing-folder" / "x.pt")


def test_train_lm_bad_value_writes_nothing(tmp_path, capsys):
    code = rqe_main(["train-lm", "--out", str(tmp_path / "lm"), "--pretrain-steps", "1", "--iterations", "0",
                     "--device", "cpu", "--quiet"])
    assert code == 2
    assert "iterations" in _one_error_line(capsys)
    assert not (tmp_path / "lm").exists()
