"""Write songs as MSD per-track HDF5 files, built from the layout description."""

import functools
from pathlib import Path

from songspace.msd.layout import (
    ANALYSIS_ARRAYS,
    ANALYSIS_SONGS,
    DATASETS,
    GROUP_TITLES,
    METADATA_SONGS,
    MUSICBRAINZ_SONGS,
    ROOT_TITLE,
)

import h5py
import numpy as np
from h5py import h5d, h5p, h5s, h5t

GZIP_LEVEL = 1  # every MSD dataset: shuffle, then gzip level 1, as in the real files


def track_path(root: Path, track_id: str) -> Path:
    """MSD layout: <A>/<B>/<C>/TR<id>.h5 from the third to fifth letters of the id."""
    return root / track_id[2] / track_id[3] / track_id[4] / f"{track_id}.h5"


@functools.cache
def _creation_properties(chunks: tuple[int, ...]) -> h5p.PropDCID:
    """What h5py's create_dataset(chunks=..., shuffle=True, compression="gzip",
    compression_opts=1) sets, built once per chunk shape: its checks and property building
    took a fifth of the stage (the files are byte-identical)."""
    dcpl = h5p.create(h5p.DATASET_CREATE)
    dcpl.set_chunk(chunks)
    dcpl.set_shuffle()
    dcpl.set_deflate(GZIP_LEVEL)
    dcpl.set_obj_track_times(False)
    return dcpl


@functools.cache
def _file_type(dtype: np.dtype) -> h5t.TypeID:
    return h5t.py_create(dtype, logical=1)


def _create(group: h5py.Group, name: str, data: np.ndarray) -> None:
    dtype, row_shape = DATASETS[group.name.strip("/")][name]
    data = np.ascontiguousarray(np.asarray(data, dtype=dtype).reshape((-1, *row_shape)))
    chunks = (max(1, min(1024, len(data) or 1)), *row_shape)
    space = h5s.create_simple(data.shape, (h5s.UNLIMITED, *row_shape))
    dataset = h5d.create(group.id, name.encode(), _file_type(dtype), space,
                         dcpl=_creation_properties(chunks))
    dataset.write(h5s.ALL, h5s.ALL, data)


def _analysis_row(song: dict) -> np.ndarray:
    row = np.zeros(1, dtype=ANALYSIS_SONGS)
    row["analysis_sample_rate"] = 22050
    row["audio_md5"] = song["song_id"][2:].lower().encode()
    row["duration"] = song["duration"]
    row["end_of_fade_in"] = 0.2
    row["start_of_fade_out"] = song["duration"] - 5.0
    row["key"], row["mode"] = song["key"], song["mode"]
    row["key_confidence"] = row["mode_confidence"] = 0.5
    row["loudness"], row["tempo"] = song["loudness"], song["tempo"]
    row["time_signature"], row["time_signature_confidence"] = 4, 0.8
    row["track_id"] = song["track_id"].encode()
    return row  # every idx_* is 0 in a single-track file


def _metadata_row(song: dict) -> np.ndarray:
    artist = song["artist"]
    row = np.zeros(1, dtype=METADATA_SONGS)
    row["analyzer_version"] = b""
    row["artist_familiarity"] = artist.familiarity
    row["artist_hotttnesss"] = artist.familiarity * 0.7
    row["artist_id"] = artist.artist_id.encode()
    row["artist_latitude"] = row["artist_longitude"] = np.nan
    row["artist_name"] = artist.name.encode("utf-8")
    row["song_hotttnesss"] = song["song_hotttnesss"]
    row["song_id"] = song["song_id"].encode()
    row["title"] = song["title"].encode("utf-8")
    row["release"] = (song["title"].split()[0] + " Sessions").encode("utf-8")
    return row


def write_song_file(path: Path, song: dict) -> None:
    """One song as a single-track MSD file at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    artist = song["artist"]
    with h5py.File(path, "w") as h5:
        h5.attrs["TITLE"] = np.bytes_(ROOT_TITLE)
        groups = {name: h5.create_group(name) for name in DATASETS}
        for name, group in groups.items():
            group.attrs["TITLE"] = np.bytes_(GROUP_TITLES[name])
        for name in ANALYSIS_ARRAYS:
            _create(groups["analysis"], name, song["arrays"][name])
        _create(groups["analysis"], "songs", _analysis_row(song))
        meta = groups["metadata"]
        _create(meta, "artist_terms", [t.encode("utf-8") for t in artist.terms])
        _create(meta, "artist_terms_freq", artist.terms_freq)
        _create(meta, "artist_terms_weight", artist.terms_weight)
        _create(meta, "similar_artists", np.array([a.encode() for a in artist.similar],
                                                  dtype="S20"))
        _create(meta, "songs", _metadata_row(song))
        brainz = groups["musicbrainz"]
        _create(brainz, "artist_mbtags", np.zeros(0, dtype="S256"))
        _create(brainz, "artist_mbtags_count", np.zeros(0, dtype="<i4"))
        mb_row = np.zeros(1, dtype=MUSICBRAINZ_SONGS)
        mb_row["year"] = song["year"]
        _create(brainz, "songs", mb_row)
