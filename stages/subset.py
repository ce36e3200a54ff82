"""Stage subset: scan data.source, report every unusable song, choose the task's songs."""

from pathlib import Path

from songspace import catalog
from songspace.cli import run_stage
from songspace.io import atomic_path, write_json
from songspace.params import check_source_exists, load_params

OUT_DIR = Path("data/subset")
METRICS = Path("metrics/data.json")


def main() -> None:
    params = load_params()
    data, features = params["data"], params["features"]
    source = check_source_exists(params)
    found = catalog.scan(source, min_segments=features["min_segments"],
                         workers=features["workers"], batch_size=features["batch_size"],
                         engine=features["engine"], scheduler=features["scheduler"])
    with atomic_path(OUT_DIR / "skipped.csv") as tmp:
        found.skipped.to_csv(tmp, index=False)
    catalog.check_bad_fraction(found, data["max_bad_fraction"], data["source"])
    chosen = catalog.choose(found.songs, data["task"], data["task_sizes"], params["seed"])
    with atomic_path(OUT_DIR / "songs.csv") as tmp:
        chosen.to_csv(tmp, index=False)
    write_json(METRICS, catalog.summary(found, chosen, data["task"]))
    print(f"subset: {len(chosen)} songs chosen of {len(found.songs)} usable "
          f"({len(found.skipped)} skipped, listed in {OUT_DIR / 'skipped.csv'})")


if __name__ == "__main__":
    run_stage(main)
