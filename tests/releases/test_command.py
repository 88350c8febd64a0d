import orjson
import pytest
from django.core.management import CommandError, call_command

from annotations.exports.native import NativeWriter
from annotations.exports.spacy_docbin import SpacyWriter


def test_it_exports_a_project_from_the_command_line(gold_project, tmp_path, capsys):
    call_command(
        "export_dataset",
        "--project",
        "demo",
        "--format",
        "native",
        "--output",
        str(tmp_path / "gold.jsonl"),
    )
    lines = (tmp_path / "gold.jsonl").read_bytes().splitlines()
    assert len(lines) == 3
    assert all(orjson.loads(line)["gold"] for line in lines)
    assert "3/3" in capsys.readouterr().err


def test_it_writes_each_file_of_a_multi_file_format(gold_project, tmp_path):
    call_command(
        "export_dataset",
        "--project",
        "demo",
        "--format",
        "bio",
        "--output",
        str(tmp_path / "gold"),
        "--no-progress",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "gold.conll",
        "gold.jsonl",
        "gold.labels.json",
        "gold.report.jsonl",
    ]


def test_it_exports_annotators_sets_on_request(gold_project, tmp_path):
    call_command(
        "export_dataset",
        "--project",
        "demo",
        "--format",
        "doccano",
        "--output",
        str(tmp_path / "a.jsonl"),
        "--annotators",
        "anna",
        "--no-progress",
    )
    [line] = (tmp_path / "a.jsonl").read_bytes().splitlines()
    assert orjson.loads(line)["annotator"] == "anna"


def test_it_names_an_unknown_project(db, tmp_path):
    with pytest.raises(CommandError, match="No project with the slug 'nope'"):
        call_command(
            "export_dataset",
            "--project",
            "nope",
            "--format",
            "native",
            "--output",
            str(tmp_path / "x"),
        )


def test_it_leaves_no_half_written_file_when_the_export_fails(gold_project, tmp_path, monkeypatch):
    def full_disk(self, record):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(NativeWriter, "write", full_disk)
    with pytest.raises(CommandError, match="No space left on device"):
        call_command(
            "export_dataset",
            "--project",
            "demo",
            "--format",
            "native",
            "--output",
            str(tmp_path / "gold.jsonl"),
            "--no-progress",
        )
    assert list(tmp_path.iterdir()) == []


def test_it_says_why_it_cannot_write_a_format_and_writes_nothing(
    gold_project, tmp_path, monkeypatch
):
    monkeypatch.setattr(SpacyWriter, "unavailable", "The spaCy format needs spaCy.")
    with pytest.raises(CommandError, match="The export failed: The spaCy format needs spaCy."):
        call_command(
            "export_dataset",
            "--project",
            "demo",
            "--format",
            "spacy",
            "--output",
            str(tmp_path / "gold.spacy"),
            "--no-progress",
        )
    assert list(tmp_path.iterdir()) == []


def test_it_names_a_missing_directory(gold_project, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command(
            "export_dataset",
            "--project",
            "demo",
            "--format",
            "native",
            "--output",
            str(tmp_path / "nowhere" / "gold.jsonl"),
        )
