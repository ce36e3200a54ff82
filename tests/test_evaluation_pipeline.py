"""The evaluation stages for real through DVC, on the shared tiny project (conftest): every
method's metrics, the report, `dvc metrics show` and one `dvc plots show` page."""

import json

from songspace.evaluation import methods

from conftest import METHODS, dvc


def test_tiny_repro_evaluates_every_method(tiny_project):
    for method in METHODS:
        result = json.loads((tiny_project / f"metrics/cluster/{method}.json").read_text())
        assert result["n_seeds"] == 2 and result["n_songs"] == 200
        for name in ("silhouette", "nmi", "ari", "ami", "purity", "knn_accuracy"):
            assert set(result[name]) == {"mean", "std"}
        for name in ("nmi", "ari", "ami", "purity"):
            assert set(result["baseline"][f"random_{name}"]) == {"mean", "std"}
        assert 0 < result["baseline"]["majority_purity"] < 1
    text = (tiny_project / "reports/results.md").read_text()
    for name in map(methods.title, METHODS):
        assert f"| {name} |" in text
    assert "Majority class (baseline)" in text and "Random clusters, same sizes" in text


def test_only_headline_metrics_are_declared(tiny_project, tmp_path):
    """`dvc exp show` gets a column per declared number: at most 40, the headline means."""
    shown = json.loads(dvc(["metrics", "show", "--json"], tiny_project).stdout)
    files = {path: data["data"] for rev in shown.values()
             for path, data in rev["data"].items()}
    assert set(files) == {"metrics/headline.json"}

    def leaves(tree):
        return sum(leaves(v) if isinstance(v, dict) else 1 for v in tree.values())

    assert leaves(files["metrics/headline.json"]) <= 40
    for method in METHODS:  # the detail files are still written, undeclared
        assert (tiny_project / f"metrics/cluster/{method}.json").exists()
    dvc(["plots", "show", "-o", str(tmp_path / "plots")], tiny_project)
    page = (tmp_path / "plots/index.html").read_text()
    for method in METHODS:
        assert f"plots_tsne_{method}.png" in page and f"plots_clusters_{method}.png" in page
    assert page.count('"field": "genre"') >= len(METHODS)  # t-SNE scatters by genre
