"""Broken and odd MSD files, built from copies of real ones (the originals are never touched)."""

import shutil
from pathlib import Path

import h5py
import numpy as np


def copy_track(source: Path, dest_dir: Path, name: str | None = None) -> Path:
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / (name or source.name)
    shutil.copyfile(source, dest)  # copyfile: the copy is writable even if the source is not
    dest.chmod(0o644)
    return dest


def _replace(h5: h5py.File, name: str, data) -> None:
    del h5[name]
    h5.create_dataset(name, data=data, maxshape=(None, *np.shape(data)[1:]))


def set_track_id(path: Path, track_id: str) -> None:
    with h5py.File(path, "r+") as h5:
        table = h5["analysis/songs"][()]
        table["track_id"] = track_id.encode()
        h5["analysis/songs"][...] = table


def make_odd_files(real: Path, out: Path) -> dict[str, str]:
    """Write one file per kind of problem under ``out``; return {file name: expected reason}.

    Files expected to be kept map to "kept"."""
    base = real / "TRAAAAW128F429D538.h5"
    other = real / "TRAAABD128F429CF47.h5"
    expected = {}

    def odd(name: str, reason: str, source: Path = base) -> Path:
        path = copy_track(source, out, name)
        set_track_id(path, name.removesuffix(".h5"))
        expected[name] = reason
        return path

    truncated = out / "TRBROKEN000000TRUNC.h5"
    out.mkdir(parents=True, exist_ok=True)
    truncated.write_bytes(base.read_bytes()[:5000])
    expected[truncated.name] = "unreadable"
    garbage = out / "TRBROKEN00000RANDOM.h5"
    garbage.write_bytes(np.random.default_rng(0).bytes(20000))
    expected[garbage.name] = "unreadable"
    empty = out / "TRBROKEN000000EMPTY.h5"
    empty.write_bytes(b"")
    expected[empty.name] = "unreadable"

    with h5py.File(odd("TRODD00000NOTIMBRE.h5", "missing_dataset"), "r+") as h5:
        del h5["analysis/segments_timbre"]
    with h5py.File(odd("TRODD000000ZEROSEG.h5", "no_segments"), "r+") as h5:
        _replace(h5, "analysis/segments_timbre", np.zeros((0, 12)))
        _replace(h5, "analysis/segments_pitches", np.zeros((0, 12)))
    with h5py.File(odd("TRODD000000LENDIFF.h5", "length_mismatch"), "r+") as h5:
        _replace(h5, "analysis/segments_pitches", h5["analysis/segments_pitches"][:-7])
    with h5py.File(odd("TRODD00000SOMENANS.h5", "kept"), "r+") as h5:
        timbre = h5["analysis/segments_timbre"][()]
        timbre[::10, 3] = np.nan
        timbre[5, 0] = np.inf
        _replace(h5, "analysis/segments_timbre", timbre)
    with h5py.File(odd("TRODD000000ALLNAN.h5", "too_few_segments"), "r+") as h5:
        timbre = h5["analysis/segments_timbre"][()]
        timbre[:, 1] = np.nan
        _replace(h5, "analysis/segments_timbre", timbre)
    with h5py.File(odd("TRODD00000FEWSEGS.h5", "too_few_segments"), "r+") as h5:
        _replace(h5, "analysis/segments_timbre", h5["analysis/segments_timbre"][:2])
        _replace(h5, "analysis/segments_pitches", h5["analysis/segments_pitches"][:2])
    with h5py.File(odd("TRODD000000BADUTF8.h5", "kept", other), "r+") as h5:
        table = h5["metadata/songs"][()]
        table["title"] = b"Caf\xe9 \xff Song"
        table["artist_name"] = b"Bj\xf6rk-ish"
        h5["metadata/songs"][...] = table
    with h5py.File(odd("TRODD0000000NOTERMS.h5", "kept", other), "r+") as h5:
        for name in ("artist_terms", "artist_terms_freq", "artist_terms_weight"):
            dtype = h5[f"metadata/{name}"].dtype
            _replace(h5, f"metadata/{name}", np.zeros(0, dtype=dtype))
    duplicate = copy_track(real / "TRAAADZ128F9348C2E.h5", out, "TRZZZDUPLICATE00001.h5")
    expected[duplicate.name] = "duplicate_track_id"
    return expected
