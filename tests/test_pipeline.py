"""The pipeline for real through DVC: a tiny default run, and the real MSD files as source."""

import json
import shutil
from pathlib import Path

from songspace.features.store import load_stats

import numpy as np
import pandas as pd

from conftest import TINY_PARAMS, dvc, make_project
from test_features import independent_moments


def test_tiny_default_repro_writes_every_declared_output(tiny_project):
    songs = pd.read_csv(tiny_project / "data/subset/songs.csv")
    assert len(songs) == 200 and songs["track_id"].is_unique
    data = json.loads((tiny_project / "metrics/data.json").read_text())
    assert data["found"] == 240 and data["selected"] == 200
    assert data["usable"] + data["skipped"] == data["found"]
    ids, stats = load_stats(tiny_project / "data/features")
    assert ids == songs["track_id"].tolist() and stats.shape == (200, 144)
    genres = json.loads((tiny_project / "metrics/genres.json").read_text())
    assert len(genres["counts"]) == 8 and genres["labelled"] > 150
    status = dvc(["status"], tiny_project).stdout
    assert "up to date" in status.lower() or status.strip() == ""


def test_real_msd_directory_with_task_all(shared_msd, tmp_path):
    """`dvc repro extract_features` on real files matches an independent computation."""
    project = make_project(tmp_path / "real", {
        "data": {"source": str(shared_msd / "tracks"), "task": "all"},
        "features": {"workers": 2, "batch_size": 4},
    })
    dvc(["repro", "extract_features"], project)
    ids, stats = load_stats(project / "data/features")
    assert len(ids) == 10
    for track_id, row in zip(ids, stats, strict=True):
        expected = independent_moments(shared_msd / "tracks" / f"{track_id}.h5")
        np.testing.assert_allclose(row, expected, rtol=0, atol=1e-4)
    assert not (project / "data/synthetic").exists()  # the synthetic stage was not needed


def test_task_larger_than_source_is_one_line(shared_msd, tmp_path):
    project = make_project(tmp_path / "big", {"data": {"source": str(shared_msd / "tracks"),
                                                       "task": "easy"}})
    result = dvc(["repro", "subset"], project, check=False)
    assert result.returncode != 0
    assert "asks for 1000 songs but the source has 10 usable ones; use data.task=all" \
        in result.stderr + result.stdout
    assert "Traceback" not in result.stderr + result.stdout


def test_same_params_give_byte_identical_metrics(tiny_project, tmp_path):
    """A second, independent run of the tiny pipeline writes the very same metrics files."""
    again = make_project(tmp_path / "again", TINY_PARAMS)
    dvc(["repro"], again)
    first = sorted(p.relative_to(tiny_project) for p in (tiny_project / "metrics").rglob("*.json"))
    second = sorted(p.relative_to(again) for p in (again / "metrics").rglob("*.json"))
    assert first == second and len(first) >= 13  # data, genres, 5 train, 5 cluster, summary
    for relative in [*first, Path("reports/results.md")]:
        assert (tiny_project / relative).read_bytes() == (again / relative).read_bytes(), relative


def test_a_misspelled_param_is_refused_though_no_stage_reads_it(tiny_project, tmp_path):
    """`model.bta` feeds no stage, yet `dvc repro` must not answer "up to date"."""
    project = tmp_path / "copy"
    shutil.copytree(tiny_project, project, symlinks=True)
    params = project / "params.yaml"
    params.write_text(params.read_text().replace("\nmodel:\n", "\nmodel:\n  bta: 2\n", 1))
    result = dvc(["repro"], project, check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "unknown key model.bta; did you mean model.beta?" in output
    assert "Traceback" not in output
