"""Stage extract_features: moments, sequences, z-scoring and terms of the chosen songs."""

from pathlib import Path

from songspace.features.extract import extract
from songspace.params import check_source_exists, load_params
from songspace.stage import run_stage

import pandas as pd

SONGS = Path("data/subset/songs.csv")
OUT_DIR = Path("data/features")


def main() -> None:
    params = load_params()
    check_source_exists(params)
    features = params["features"]
    songs = pd.read_csv(SONGS, dtype={"track_id": str, "source_file": str, "artist_id": str},
                        keep_default_na=False)
    extract(songs, OUT_DIR, seq_len=features["seq_len"], min_segments=features["min_segments"],
            workers=features["workers"], batch_size=features["batch_size"],
            engine=features["engine"], scheduler=features["scheduler"])


if __name__ == "__main__":
    run_stage(main)
