"""The subset and extract_features stages' outputs for the synthetic source, without its files.

At 1,000,000 songs the synthetic source would be 250 GB of HDF5 files written and read back
again. benchmarks/scale.py --features-only writes what the two stages would write from them
instead: the songs synthesize would draw (its own world and draws), each read as the reader
reads it back from its file, listed and chosen by the subset stage's rule, and extracted by
extract_features' own code, in the scan's order (the files' sorted paths, that is the track
ids). tests/test_features_only.py checks the outputs equal the two stages' on a small source.
"""

import functools
from pathlib import Path

from songspace import catalog
from songspace.features.block import FeatureBlock, pack_block
from songspace.features.extract import feature_row, write_features
from songspace.msd.reader import Song, decode
from songspace.parallel import map_batches
from songspace.params import load_params
from songspace.stage import run_stage
from songspace.synthetic.songs import make_song
from songspace.synthetic.world import World, build_world
from songspace.synthetic.writer import track_path

import numpy as np
import pandas as pd

BATCH = 256  # songs per task handed to a worker

# The world every task draws its songs from, set before the workers fork so they inherit it
# instead of unpickling 400,000 artists per task.
_WORLD: World | None = None


def read_back(song: dict) -> Song:
    """The Song the reader returns for the file write_song_file makes of ``song``: strings
    go through bytes and back as the reader decodes them, numbers are float64 there too."""
    artist = song["artist"]

    def text(value: str) -> str:
        return decode(value.encode("utf-8"))

    return Song(track_id=text(song["track_id"]), title=text(song["title"]),
                artist_name=text(artist.name), terms=[text(t) for t in artist.terms],
                terms_freq=np.asarray(artist.terms_freq, np.float64),
                terms_weight=np.asarray(artist.terms_weight, np.float64),
                timbre=np.asarray(song["arrays"]["segments_timbre"], np.float64),
                pitches=np.asarray(song["arrays"]["segments_pitches"], np.float64),
                artist_id=text(artist.artist_id),
                similar_artists=[text(a) for a in artist.similar])


def draw(index: int, seed: int, world: World) -> Song:
    """Song ``index`` of the synthetic source, as read back from its file."""
    artist = world.artists[world.song_artist[index]]
    return read_back(make_song(artist, world.genres[artist.genre], index, seed))


def _records(indices: list[int], seed: int, source: Path, min_segments: int) -> list[dict]:
    records = []
    for index in indices:
        song = draw(index, seed, _WORLD)
        location = str(track_path(source, song.track_id))
        record, _ = catalog.song_record(song, location, 0, min_segments)
        records.append({**record, "index": index})
    return records


def _features(indices: list[int], seed: int, seq_len: int, min_segments: int
              ) -> list[FeatureBlock]:
    return [pack_block([feature_row(draw(index, seed, _WORLD), seq_len, min_segments,
                                    "synthetic") for index in indices], seq_len)]


def write_features_only(project: Path, params: dict, workers: int = 0,
                        progress: bool = True) -> pd.DataFrame:
    """Write data/subset/{songs,skipped}.csv, metrics/data.json and data/features/ under
    ``project`` for the synthetic source ``params`` describe (``data.source`` names where
    its files would be); return the chosen songs."""
    global _WORLD
    synthetic, features = params["synthetic"], params["features"]
    seed, source = params["seed"], Path(params["data"]["source"])
    _WORLD = build_world(seed, synthetic["n_songs"], synthetic["separation"],
                         synthetic["songs_per_artist"])
    try:
        records = map_batches(functools.partial(_records, seed=seed, source=source,
                                                min_segments=features["min_segments"]),
                              range(synthetic["n_songs"]), batch_size=BATCH, workers=workers)
        listed = sorted(records, key=lambda record: record["track_id"])  # the scan's file order
        index_of = {record["track_id"]: record.pop("index") for record in reversed(listed)}
        found = catalog.collect(([record] for record in listed), source, progress)
        chosen = catalog.publish(found, params, project / "data" / "subset",
                                 project / "metrics" / "data.json")
        track_ids = chosen["track_id"].tolist()
        rows = map_batches(functools.partial(_features, seed=seed, seq_len=features["seq_len"],
                                             min_segments=features["min_segments"]),
                           [index_of[t] for t in track_ids], batch_size=BATCH, workers=workers)
        write_features(rows, track_ids, project / "data" / "features",
                       seq_len=features["seq_len"], progress=progress)
    finally:
        _WORLD = None
    return chosen


def main() -> None:
    """`python -m songspace.features.synthetic` in a project: its params.yaml's source."""
    params = load_params()
    chosen = write_features_only(Path("."), params, workers=params["features"]["workers"])
    print(f"features-only: {len(chosen)} songs of the synthetic source written to "
          "data/subset and data/features (no HDF5 files)")


if __name__ == "__main__":
    run_stage(main)
