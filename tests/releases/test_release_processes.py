"""A release's formats written by several processes: the same files, and every failure told."""

import os
import signal

import pytest

from annotations import release_build, release_processes
from annotations.exports import FORMATS, ExportMeta
from annotations.models import Label, Release
from annotations.release_processes import (
    FormatProcesses,
    WriterProcessFailed,
    shares,
)
from tests.releases.test_releases import stored_files

ALL_FORMATS = sorted(FORMATS)


@pytest.fixture
def in_processes(settings, monkeypatch):
    """Builds of any size write their formats in two processes; the number of builds that
    started processes."""
    settings.RELEASE_BUILD_PROCESSES = 2
    monkeypatch.setattr(release_build, "PARALLEL_FROM_SETS", 0)
    monkeypatch.setattr(release_processes, "BATCH", 1)  # a batch per record: several batches
    started = []
    enter = FormatProcesses.__enter__

    def counted(self):
        started.append(self.share_formats)
        return enter(self)

    monkeypatch.setattr(FormatProcesses, "__enter__", counted)
    return started


def checksums(release):
    return {
        (f.format, f.split, f.name.split("-", 2)[-1]): f.sha256
        for f in release.files.exclude(format="card")
    }


def test_formats_written_in_two_processes_are_the_bytes_one_process_writes(
    gold_project, manager, build, settings, in_processes
):
    definition = {"formats": ALL_FORMATS, "split_ratios": {"train": 0.5, "test": 0.5}}
    parallel = build(gold_project, manager, **definition)
    assert parallel.status == Release.Status.READY, parallel.error
    assert len(in_processes) == 1 and len(in_processes[0]) == 2

    settings.RELEASE_BUILD_PROCESSES = 1
    alone = build(gold_project, manager, **definition)
    assert alone.status == Release.Status.READY, alone.error
    assert len(in_processes) == 1  # this one wrote every format in its own process

    assert checksums(parallel) == checksums(alone)
    assert (
        parallel.card["totals"]
        == alone.card["totals"]
        == {
            "annotation_sets": 3,
            "spans": 12,
            "claims": 1,
        }
    )


def test_a_small_release_is_written_in_the_builds_own_process(
    gold_project, manager, build, settings, in_processes, monkeypatch
):
    monkeypatch.setattr(release_build, "PARALLEL_FROM_SETS", 4)  # the project has 3 sets
    release = build(gold_project, manager, formats=ALL_FORMATS)
    assert release.status == Release.Status.READY, release.error
    assert in_processes == []


def test_a_process_that_fails_fails_the_build_with_its_own_reason_and_leaves_no_files(
    gold_project, manager, build, media, in_processes
):
    Label.objects.create(project=gold_project, name="military_force")
    release = build(gold_project, manager, formats=["native", "bio", "spacy"])
    assert in_processes, "the build did not start processes"
    assert release.status == Release.Status.FAILED
    assert (
        "The process writing bio, spacy failed: ExportRefused: The labels 'military force' and "
        in (release.error)
    )
    assert not release.files.exists()
    assert stored_files(media) == []


def test_a_process_that_dies_is_named_with_its_exit_code(tmp_path):
    meta = ExportMeta(project="demo", labels=("actor",))
    jobs = [(format, "train", tmp_path / f"demo-{format}") for format in ("native", "w3c")]
    record = {"id": "a" * 16}
    with (
        pytest.raises(WriterProcessFailed) as failed,
        FormatProcesses([["native"], ["w3c"]], jobs, meta) as writing,
    ):
        _, victim = writing.processes[1]
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait()
        writing.write("train", record)
        writing.close()
    assert str(failed.value) == "The process writing w3c failed: it stopped with exit code -9."
    assert all(process.poll() is not None for _, process in writing.processes)


def test_formats_are_spread_by_cost_and_keep_their_order():
    costs = {"a": 10, "b": 9, "c": 2, "d": 1, "e": 1}
    assert shares(["a", "b", "c", "d", "e"], costs, 2) == [["a", "d", "e"], ["b", "c"]]
    assert shares(["e", "a"], costs, 4) == [["a"], ["e"]]
    assert shares(["a", "b", "c"], costs, 1) == [["a", "b", "c"]]
    # Formats that share their tokens stay in one process, whatever it costs.
    together = shares(["a", "b", "c", "d", "e"], costs, 2, together={"a", "c"})
    assert together == [["a", "c"], ["b", "d", "e"]]
    assert shares(["b", "c"], costs, 2, together={"a", "c"}) == [["b"], ["c"]]
    # No more processes than it takes to bring each share down to the costliest unit.
    assert shares(["a", "b", "c", "d", "e"], costs, 8) == [["a"], ["b"], ["c", "d", "e"]]
    assert len(shares(list("abcde"), dict.fromkeys("abcde", 1), 8)) == 5


def test_a_release_of_every_format_takes_two_processes_on_a_worker_with_many_cpus():
    costs = {name: writer.COST for name, writer in FORMATS.items()}
    tokens = {name for name, writer in FORMATS.items() if writer.TOKENS}
    spread = shares(ALL_FORMATS, costs, 16, together=tokens)
    assert len(spread) == 2
    assert {"bio", "spacy"} in [set(share) & tokens for share in spread]


def test_a_process_that_fails_at_length_is_heard_in_a_few_kilobytes(tmp_path):
    """A reason longer than a pipe holds would leave the process unable to exit and the
    build waiting for it."""
    name = "x" * 100_000  # no such format: the process fails on it, naming it
    meta = ExportMeta(project="demo", labels=("actor",))
    with (
        pytest.raises(WriterProcessFailed) as failed,
        FormatProcesses([[name]], [(name, "train", tmp_path / "demo")], meta) as writing,
    ):
        writing.close()
    reason = str(failed.value).split(" failed: ", 1)[1]
    assert reason.startswith("KeyError: 'xxx") and len(reason) <= 4096


def test_the_processes_are_out_of_reach_of_signals_to_the_workers_process_group(tmp_path):
    meta = ExportMeta(project="demo", labels=("actor",))
    jobs = [("native", "train", tmp_path / "demo")]
    with FormatProcesses([["native"]], jobs, meta) as writing:
        [(_, process)] = writing.processes
        assert os.getsid(process.pid) == process.pid != os.getsid(0)
        writing.close()
    assert (tmp_path / "demo.jsonl").read_bytes() == b""


def test_the_formats_that_cut_tokens_are_written_by_one_process(
    gold_project, manager, build, in_processes
):
    release = build(gold_project, manager, formats=ALL_FORMATS)
    assert release.status == Release.Status.READY, release.error
    [spread] = in_processes
    assert len(spread) == 2
    assert any({"bio", "spacy"} <= set(share) for share in spread)
