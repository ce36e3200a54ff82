"""The sweep picture reads `dvc exp show --json` (DVC 3's nested layout)."""

from songspace.sweep import draw, points


def record(rev: str, beta: float, nmi: float) -> dict:
    return {"rev": rev, "name": rev, "data": {
        "params": {"params.yaml": {"data": {"model": {"beta": beta}}}},
        "metrics": {"metrics/headline.json": {"data": {
            "beta_vae": {"nmi": nmi, "knn_accuracy": 2 * nmi, "similar_artist_rate": 0.1},
            "ae": {"nmi": 0.9}}}}}}


SHOWN = [
    {**record("workspace", 4.0, 0.2), "experiments": None},
    {**record("main", 4.0, 0.21), "experiments": [
        {"revs": [record("exp-a", 2.0, 0.4)], "name": "exp-a"},
        {"revs": [record("exp-b", 0.5, 0.3)], "name": "exp-b"},
        {"revs": [record("exp-c", 2.0, 0.1)], "name": "exp-c"}]},
]


def test_one_point_per_value_sorted_first_listed_kept():
    found = points(SHOWN, "model.beta", "beta_vae")
    assert [x for x, _ in found] == [0.5, 2.0, 4.0]
    assert found[1][1]["nmi"] == 0.4 and found[2][1]["nmi"] == 0.2
    assert points(SHOWN, "model.alpha", "beta_vae") == []


def test_draw_writes_a_png(tmp_path):
    draw(points(SHOWN, "model.beta", "beta_vae"), "model.beta", "beta_vae",
         tmp_path / "sweep.png")
    assert (tmp_path / "sweep.png").read_bytes()[:4] == b"\x89PNG"
