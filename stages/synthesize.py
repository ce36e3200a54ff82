"""Stage synthesize: write the embedded default source, synthetic songs in MSD layout."""

import shutil
from pathlib import Path

from songspace.params import load_params
from songspace.stage import run_stage
from songspace.synthetic.generate import generate

OUT = Path("data/synthetic")


def main() -> None:
    params = load_params()
    synthetic = params["synthetic"]
    staging = OUT.with_name(f".{OUT.name}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    generate(staging, seed=params["seed"], n_songs=synthetic["n_songs"],
             separation=synthetic["separation"], songs_per_artist=synthetic["songs_per_artist"])
    shutil.rmtree(OUT, ignore_errors=True)
    staging.rename(OUT)


if __name__ == "__main__":
    run_stage(main)
