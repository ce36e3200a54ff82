"""Scan a source, apply the odd-song rule to every song, and choose a task's songs.

Every song found ends up either in the catalogue of usable songs or in the skipped list
with its reason: nothing is dropped silently.
"""

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from songspace.errors import SongspaceError
from songspace.io import atomic_path, write_json
from songspace.msd.quality import BadSong, clean_song
from songspace.msd.reader import BadFile, FilePayload, Song, iter_payloads, read_songs
from songspace.parallel import map_batches

import numpy as np
import pandas as pd
from tqdm import tqdm

SONG_COLUMNS = ["track_id", "source_file", "index_in_file", "title", "artist_name", "artist_id",
                "n_segments"]
SKIPPED_COLUMNS = ["source_file", "index_in_file", "track_id", "reason", "detail"]
NOT_UNREADABLE = {"duplicate_track_id"}  # reasons that do not count towards max_bad_fraction


@dataclass
class Catalog:
    songs: pd.DataFrame      # usable songs, in source order
    skipped: pd.DataFrame    # every skipped file or song, with its reason
    n_files: int
    n_found: int             # songs found, plus one per file that could not be read at all


def song_record(song: Song, location: str, index: int, min_segments: int
                ) -> tuple[dict, Song | None]:
    """What the scan lists of one song (where it is, its names, and its segment count after
    the odd-song rule, or the reason it is skipped) and the cleaned song (None if skipped)."""
    record = {"source_file": location, "index_in_file": index, "track_id": song.track_id,
              "title": song.title, "artist_name": song.artist_name, "artist_id": song.artist_id}
    try:
        cleaned, dropped = clean_song(song, min_segments)
    except BadSong as error:
        record.update(reason=error.kind, detail=str(error))
        return record, None
    record["n_segments"] = len(cleaned.timbre)
    if dropped:
        record["dropped_segments"] = dropped
    return record, cleaned


def sort_songs(payload: FilePayload, min_segments: int, with_terms: bool = False
               ) -> list[tuple[dict, Song | None]]:
    """Each song of a file as (its record, the cleaned song), or (a record with the reason it
    is skipped, None); a file that cannot be read at all gives one such record."""
    try:
        songs = read_songs(payload, with_terms=with_terms)
    except BadFile as error:
        return [({"source_file": payload.location, "index_in_file": -1, "track_id": "",
                  "reason": error.kind, "detail": str(error)}, None)]
    return [song_record(song, payload.location, index, min_segments)
            for index, song in enumerate(songs)]


def _scan_file(payload: FilePayload, min_segments: int) -> list[dict]:
    return [record for record, _ in sort_songs(payload, min_segments)]


def _scan_batch(payloads: list[FilePayload], min_segments: int) -> list[list[dict]]:
    return [_scan_file(payload, min_segments) for payload in payloads]


def scan(source: Path, *, min_segments: int, workers: int, batch_size: int,
         engine: str = "local", scheduler: str = "", progress: bool = True) -> Catalog:
    """Read every song of ``source`` once and sort it into usable or skipped."""
    scan_batch = functools.partial(_scan_batch, min_segments=min_segments)
    results = map_batches(scan_batch, iter_payloads(source), batch_size=batch_size,
                          workers=workers, engine=engine, scheduler=scheduler)
    return collect(results, source, progress)


def collect(file_records: Iterable[list[dict]], source: Path, progress: bool = True) -> Catalog:
    """The catalogue from each file's song records, in source order: a track id seen again
    is skipped as a duplicate (kept where first seen)."""
    good, skipped, seen = [], [], {}
    n_files = 0
    for records in tqdm(file_records, desc="scan", unit="file", disable=not progress):
        n_files += 1
        for record in records:
            if "reason" in record:
                skipped.append(record)
            elif record["track_id"] in seen:
                skipped.append({**record, "reason": "duplicate_track_id",
                                "detail": f"also in {seen[record['track_id']]} (kept there)"})
            else:
                seen[record["track_id"]] = record["source_file"]
                good.append(record)
    if n_files == 0:
        raise SongspaceError(f"data.source = {str(source)!r} holds no MSD .h5 files; point it "
                             "at a directory of TR*.h5 files or millionsongsubset.tar.gz")
    songs = pd.DataFrame(good, columns=SONG_COLUMNS)
    skipped_frame = pd.DataFrame(skipped, columns=SKIPPED_COLUMNS)
    return Catalog(songs, skipped_frame, n_files, len(good) + len(skipped))


def publish(found: Catalog, params: dict, out_dir: Path, metrics: Path) -> pd.DataFrame:
    """The subset stage's outputs from a catalogue: skipped.csv, then (unless too much of the
    source is unusable) the task's songs.csv and the counts in ``metrics``; the chosen songs."""
    data = params["data"]
    with atomic_path(out_dir / "skipped.csv") as tmp:
        found.skipped.to_csv(tmp, index=False)
    check_bad_fraction(found, data["max_bad_fraction"], data["source"])
    chosen = choose(found.songs, data["task"], data["task_sizes"], params["seed"])
    with atomic_path(out_dir / "songs.csv") as tmp:
        chosen.to_csv(tmp, index=False)
    write_json(metrics, summary(found, chosen, data["task"]))
    return chosen


def check_bad_fraction(catalog: Catalog, max_bad_fraction: float, source: str) -> None:
    """Stop when too much of the source is unusable: the wrong data.source, most likely."""
    bad = int((~catalog.skipped["reason"].isin(NOT_UNREADABLE)).sum())
    share = bad / max(catalog.n_found, 1)
    if share > max_bad_fraction:
        top = catalog.skipped["reason"].value_counts().index[0]
        raise SongspaceError(
            f"data.source = {source!r}: {bad} of {catalog.n_found} songs/files are unusable "
            f"({share:.0%}, mostly {top}), above data.max_bad_fraction = {max_bad_fraction}; "
            "check the source (see data/subset/skipped.csv) or raise data.max_bad_fraction")


def choose(songs: pd.DataFrame, task: str, task_sizes: dict[str, int], seed: int) -> pd.DataFrame:
    """The task's songs: a seeded sample of the usable ones, kept in source order."""
    if task == "all":
        return songs.reset_index(drop=True)
    size = task_sizes[task]
    if size > len(songs):
        raise SongspaceError(
            f"data.task = {task!r} asks for {size} songs but the source has {len(songs)} usable "
            f"ones; use data.task=all or a smaller task")
    rng = np.random.default_rng([seed, 2])
    chosen = np.sort(rng.choice(len(songs), size=size, replace=False))
    return songs.iloc[chosen].reset_index(drop=True)


def summary(catalog: Catalog, chosen: pd.DataFrame, task: str) -> dict:
    """The counts written to metrics/data.json."""
    reasons = catalog.skipped["reason"].value_counts().sort_index()
    return {
        "task": task,
        "files": catalog.n_files,
        "found": catalog.n_found,
        "usable": len(catalog.songs),
        "skipped": len(catalog.skipped),
        "skipped_by_reason": {str(k): int(v) for k, v in reasons.items()},
        "selected": len(chosen),
    }
