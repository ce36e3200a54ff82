"""Adding a model is its file, its params block and one line in params.yaml's methods, and
nothing else (issue 29): in a copy of the tiny project, a linear VAE the suite ships
(tests/fixtures/linear_vae.py) is added, trained and evaluated through `dvc repro`, found in
every place a method appears, embedded by `songspace embed`, then removed again."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from conftest import VENV_BIN, env

FIXTURE = Path(__file__).parent / "fixtures" / "linear_vae.py"


def run(args: list[str], project: Path) -> subprocess.CompletedProcess:
    """``args`` in ``project`` with its own src/ first on the path: the new model's file is
    there, not in the installed package."""
    environment = {**env(), "PYTHONPATH": str(project / "src")}
    result = subprocess.run(args, cwd=project, env=environment, capture_output=True, text=True)
    assert result.returncode == 0, f"{' '.join(args)}:\n{result.stdout[-3000:]}\n" \
                                   f"{result.stderr[-3000:]}"
    return result


def stage_names(project: Path) -> set[str]:
    listed = run([str(VENV_BIN / "dvc"), "stage", "list", "--name-only"], project).stdout
    return set(listed.split())


def edit_params(project: Path, change) -> None:
    path = project / "params.yaml"
    params = yaml.safe_load(path.read_text())
    change(params)
    path.write_text(yaml.safe_dump(params, sort_keys=False))


@pytest.fixture
def project(tiny_project, tmp_path) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(tiny_project, copy, symlinks=True)
    return copy


def test_a_model_is_its_file_its_block_and_one_list_entry(project):
    before = {p: p.read_bytes() for p in [project / "dvc.yaml", *(project / "stages").iterdir()]}
    shutil.copy(FIXTURE, project / "src/songspace/models/linear_vae.py")

    def add(params):
        params["methods"]["linear_vae"] = "model.linear_vae"
        params["model"]["linear_vae"] = {"latent_dim": 4, "beta": 1.0}

    edit_params(project, add)
    dvc = str(VENV_BIN / "dvc")
    new = {"train@linear_vae", "cluster_eval@linear_vae", "tsne@linear_vae",
           "retrieval_eval@linear_vae"}
    assert new <= stage_names(project)
    ran = run([dvc, "repro"], project).stdout
    ran_stages = {line.split("'")[1] for line in ran.splitlines()
                  if line.startswith("Running stage '")}
    assert ran_stages == new | {"report", "explore"}  # no other model retrains

    headline = json.loads((project / "metrics/headline.json").read_text())
    assert set(headline["linear_vae"]) == {"nmi", "ari", "knn_accuracy", "silhouette",
                                           "similar_artist_rate"}
    assert "| Linear VAE |" in (project / "reports/results.md").read_text()
    assert '"title":"Linear VAE"' in (project / "reports/explorer/data.js").read_text()
    curves = pd.read_csv(project / "plots/training_curves.csv")
    assert "Linear VAE" in set(curves["model"])
    plots = json.loads(run([dvc, "plots", "show", "--json"], project).stdout)
    assert "plots/tsne/linear_vae.csv" in plots["data"]
    assert "Linear VAE" in {row["model"] for row in
                            plots["data"]["val_loss"][0]["content"]["data"]["values"]}
    songs = sorted((project / "data/synthetic").rglob("*.h5"))[:3]
    out = project / "linear.parquet"
    run([sys.executable, "-m", "songspace.cli", "embed", *map(str, songs), "--method",
         "linear_vae", "-o", str(out)], project)
    vectors = pd.read_parquet(out)
    assert len(vectors) == 3

    edit_params(project, lambda params: params["methods"].pop("linear_vae"))
    assert not new & stage_names(project)
    ran = run([dvc, "repro"], project).stdout
    assert "Running stage 'report'" in ran and "linear_vae" not in ran
    assert "linear_vae" not in json.loads((project / "metrics/headline.json").read_text())
    assert "Linear VAE" not in (project / "reports/results.md").read_text()
    # nothing but the model's own file and params.yaml changed
    assert {p: p.read_bytes() for p in before} == before
