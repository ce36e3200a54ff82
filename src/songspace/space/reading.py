"""Songs from any source, for embedding: the pipeline's own reader, odd-song rule and feature
extraction, run on worker processes over batches of files and returned in source order.

Every song found comes back either as its features or as a record of why it is skipped,
with the reasons the subset stage lists (data/subset/skipped.csv). Unlike the subset stage,
a track id seen twice is embedded twice: remembering every id would make memory grow with
the number of songs.
"""

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from songspace.catalog import sort_songs
from songspace.features.extract import song_features
from songspace.msd.reader import FilePayload, iter_h5_files, iter_payloads, source_kind
from songspace.parallel import map_batches

import numpy as np
from tqdm import tqdm

SONG_FIELDS = ("track_id", "title", "artist_name", "source_file", "index_in_file")


@dataclass
class SongFeatures:
    """One usable song: what identifies it, and what any method's inputs are made from."""

    info: dict  # SONG_FIELDS
    moments: np.ndarray  # (144,) raw statistics
    sequence: np.ndarray  # (24, seq_len) raw, zero-padded
    length: int
    terms: list[str]
    artist_id: str
    similar_artists: list[str]


def _read_file(payload: FilePayload, min_segments: int, seq_len: int
               ) -> list[SongFeatures | dict]:
    read = []
    for record, song in sort_songs(payload, min_segments, with_terms=True):
        if song is None:
            read.append(record)
            continue
        moments, sequence, length = song_features(song, seq_len)
        if not np.isfinite(moments).all():
            read.append({**record, "reason": "non_finite_features",
                         "detail": "its 144 moments are not all finite"})
            continue
        read.append(SongFeatures({field: record[field] for field in SONG_FIELDS}, moments,
                                 sequence, length, song.terms, song.artist_id,
                                 song.similar_artists))
    return read


def _read_batch(payloads: list[FilePayload], min_segments: int, seq_len: int
                ) -> list[list[SongFeatures | dict]]:
    return [_read_file(payload, min_segments, seq_len) for payload in payloads]


def read_sources(sources: list[Path], *, min_segments: int, seq_len: int, workers: int,
                 batch_size: int, progress: bool = False) -> Iterator[SongFeatures | dict]:
    """Each song of ``sources`` (directories, .h5 files, tar archives) in order: its features,
    or a skipped record (source_file, index_in_file, track_id, reason, detail)."""
    payloads = (payload for source in sources for payload in iter_payloads(source, "SOURCE"))
    read_batch = functools.partial(_read_batch, min_segments=min_segments, seq_len=seq_len)
    results = map_batches(read_batch, payloads, batch_size=batch_size, workers=workers)
    total = _count_files(sources) if progress else None
    for file_songs in tqdm(results, desc="embed", unit="file", total=total,
                           disable=not progress):
        yield from file_songs


def _count_files(sources: list[Path]) -> int | None:
    """Files to read, for the progress bar; None when an archive's count is unknown."""
    count = 0
    for source in sources:
        kind = source_kind(source, "SOURCE")
        if kind == "tar":
            return None
        count += 1 if kind == "h5" else sum(1 for _ in iter_h5_files(source))
    return count
