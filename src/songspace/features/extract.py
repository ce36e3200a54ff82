"""Extract the features of a chosen song list, streaming to disk in source order.

Each worker reads a batch of files and returns the 144 moments and the (24, L) sequence of
each song, packed into one FeatureBlock; the parent writes them as they arrive (Parquet row
groups, HDF5 rows), so memory stays flat whatever the number of songs.
"""

import dataclasses
import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from songspace.errors import SongspaceError
from songspace.features.block import FeatureBlock, pack_block
from songspace.features.moments import channel_moments, channel_sequence, song_channels
from songspace.features.similar import SimilarWriter
from songspace.features.store import FeatureWriter
from songspace.features.zscore import RunningMoments, ZScore
from songspace.msd.quality import BadSong, clean_song
from songspace.msd.reader import (
    BadFile,
    FilePayload,
    Song,
    iter_tar_payloads,
    read_songs,
    source_kind,
    split_location,
)
from songspace.parallel import map_batches
from songspace.terms import TermsWriter

import numpy as np
import pandas as pd
from tqdm import tqdm


@dataclass
class FileTask:
    """The songs to extract from one file, with their artists as the scan read them."""

    payload: FilePayload
    indices: list[int]
    track_ids: list[str]
    artist_ids: list[str]


def song_features(song: Song, seq_len: int) -> tuple[np.ndarray, np.ndarray, int]:
    """A cleaned song's 144 moments, (24, seq_len) sequence and true length."""
    channels = song_channels(song.timbre, song.pitches)
    return channel_moments(channels), *channel_sequence(channels, seq_len)


def feature_row(song: Song, seq_len: int, min_segments: int, where: str) -> tuple:
    """One song's row for the writer: (track_id, 144 moments, (24, L) sequence, true length,
    its terms, its artist and similar artists). Shared by extraction from files and by the
    synthetic source's features written without files (features/synthetic.py)."""
    try:
        song, _ = clean_song(song, min_segments)
    except BadSong as error:
        raise SongspaceError(f"{where}: {song.track_id}: {error}; the subset stage kept it "
                             "under other settings, run `dvc repro` again") from None
    moments, sequence, length = song_features(song, seq_len)
    if not np.isfinite(moments).all():
        raise SongspaceError(f"{where}: {song.track_id} gives non-finite features; report "
                             "this file, it passed the odd-song checks")
    return (song.track_id, moments, sequence, length,
            (song.terms, song.terms_weight, song.terms_freq),
            (song.artist_id, song.similar_artists))


def _extract_file(task: FileTask, seq_len: int, min_segments: int) -> list[tuple]:
    where = task.payload.location
    try:
        songs = read_songs(task.payload, task.indices, with_names=False)
    except BadFile as error:
        raise SongspaceError(f"{where}: {error}; the source changed since the subset stage, "
                             "run `dvc repro` again") from None
    rows = []
    for song, expected, artist_id in zip(songs, task.track_ids, task.artist_ids, strict=True):
        if song.track_id != expected:
            raise SongspaceError(f"{where}: expected {expected}, found {song.track_id}; the "
                                 "source changed since the subset stage, run `dvc repro` again")
        song = dataclasses.replace(song, artist_id=artist_id)
        rows.append(feature_row(song, seq_len, min_segments, where))
    return rows


def _extract_batch(tasks: list[FileTask], seq_len: int, min_segments: int
                   ) -> list[FeatureBlock]:
    rows = [row for task in tasks for row in _extract_file(task, seq_len, min_segments)]
    return [pack_block(rows, seq_len)]


def file_tasks(songs: pd.DataFrame) -> Iterator[FileTask]:
    """Group the song list by file, in order; archives are streamed once, in archive order."""
    if "artist_id" not in songs.columns:
        raise SongspaceError("data/subset/songs.csv has no artist_id column (written by an "
                             "older version); run `dvc repro subset`")
    groups: dict[str, list[tuple[int, str, str]]] = {}
    for location, index, track_id, artist_id in zip(
            songs["source_file"], songs["index_in_file"], songs["track_id"],
            songs["artist_id"], strict=True):
        groups.setdefault(location, []).append((int(index), track_id, artist_id))

    def task(payload: FilePayload) -> FileTask:
        members = groups[payload.location]
        return FileTask(payload, [m[0] for m in members], [m[1] for m in members],
                        [m[2] for m in members])

    archives = {split_location(loc)[0] for loc in groups if split_location(loc)[1] is not None}
    if not archives:
        for location in groups:
            yield task(FilePayload(location))
        return
    if len(archives) > 1 or any(split_location(loc)[1] is None for loc in groups):
        raise SongspaceError("data/subset/songs.csv mixes archives and files; rerun the subset "
                             "stage")
    archive = Path(archives.pop())
    if source_kind(archive) != "tar" or not archive.exists():
        raise SongspaceError(f"{archive}: archive named in data/subset/songs.csv is missing")
    wanted = {split_location(loc)[1] for loc in groups}
    for payload in iter_tar_payloads(archive, wanted):
        yield task(payload)


def extract(songs: pd.DataFrame, out_dir: Path, *, seq_len: int, min_segments: int,
            workers: int, batch_size: int, engine: str = "local", scheduler: str = "",
            progress: bool = True) -> ZScore:
    """Write audio_stats.parquet, sequences.h5, zscore.json, terms.parquet and similar.parquet
    under ``out_dir``."""
    extract_batch = functools.partial(_extract_batch, seq_len=seq_len,
                                      min_segments=min_segments)
    results = map_batches(extract_batch, file_tasks(songs), batch_size=batch_size,
                          workers=workers, engine=engine, scheduler=scheduler)
    return write_features(results, list(songs["track_id"]), out_dir, seq_len=seq_len,
                          progress=progress)


def write_features(blocks: Iterable[FeatureBlock], track_ids: list[str], out_dir: Path, *,
                   seq_len: int, progress: bool = True) -> ZScore:
    """Write every output of the stage from FeatureBlocks arriving in the order of
    ``track_ids``; the z-scoring is fitted on the way, song by song in that order."""
    stats_moments, seq_moments = RunningMoments(), RunningMoments()
    done = 0
    with (FeatureWriter(out_dir, n_songs=len(track_ids), seq_len=seq_len) as writer,
          TermsWriter(out_dir) as terms, SimilarWriter(out_dir) as similar):
        bar = tqdm(total=len(track_ids), desc="extract", unit="song", disable=not progress)
        for block in blocks:
            if block.track_ids != track_ids[done:done + len(block)]:
                raise SongspaceError("feature rows came back out of order; report this bug")
            done += len(block)
            writer.add_block(block.track_ids, block.moments, block.sequences, block.lengths)
            terms.append_batch(block.terms)
            similar.append_batch(block.similar)
            for i, length in enumerate(block.lengths.tolist()):
                stats_moments.add(block.moments[i:i + 1])
                seq_moments.add_sums(length, *block.sequence_sums[i])
            bar.update(len(block))
        bar.close()
        stats_mean, stats_std = stats_moments.mean_std()
        seq_mean, seq_std = seq_moments.mean_std()
        zscore = ZScore(stats_mean, stats_std, seq_mean, seq_std, writer.columns)
        writer.finish(zscore)
        terms.finish()
        similar.finish()
    return zscore
