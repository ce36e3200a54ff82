"""Stage subset: scan data.source, report every unusable song, choose the task's songs."""

from pathlib import Path

from songspace import catalog
from songspace.params import check_source_exists, load_params
from songspace.stage import run_stage

OUT_DIR = Path("data/subset")
METRICS = Path("metrics/data.json")


def main() -> None:
    params = load_params()
    features = params["features"]
    source = check_source_exists(params)
    found = catalog.scan(source, min_segments=features["min_segments"],
                         workers=features["workers"], batch_size=features["batch_size"],
                         engine=features["engine"], scheduler=features["scheduler"])
    chosen = catalog.publish(found, params, OUT_DIR, METRICS)
    print(f"subset: {len(chosen)} songs chosen of {len(found.songs)} usable "
          f"({len(found.skipped)} skipped, listed in {OUT_DIR / 'skipped.csv'})")


if __name__ == "__main__":
    run_stage(main)
