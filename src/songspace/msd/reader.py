"""One reader for every MSD source: a single-track file, an aggregate file, a directory
searched at any depth, and millionsongsubset.tar.gz read in place (streamed, never unpacked).

Files are opened read-only with plain h5py and only the datasets the pipeline needs are
read; PyTables' getters are ten times slower for the same data.
"""

import io
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np

from songspace.errors import SongspaceError
from songspace.msd.layout import REQUIRED_DATASETS

TAR_SEPARATOR = "::"  # "archive.tar.gz::member.h5" names a song file inside an archive


class BadFile(Exception):
    """A file that cannot be read as MSD (skipped and reported, never fatal).

    ``kind`` is the short reason counted in metrics/data.json; the message is the detail.
    """

    def __init__(self, kind: str, detail: str):
        super().__init__(detail)
        self.kind = kind


@dataclass
class Song:
    """The parts of one MSD song the pipeline uses."""

    track_id: str
    title: str
    artist_name: str
    terms: list[str]
    terms_freq: np.ndarray
    terms_weight: np.ndarray
    timbre: np.ndarray  # (n_segments, 12)
    pitches: np.ndarray  # (n_segments, 12)


@dataclass(frozen=True)
class FilePayload:
    """A song file to read: a path on disk, or the bytes of a member of an archive."""

    location: str  # path, or "archive::member"
    data: bytes | None = None

    def open(self) -> h5py.File:
        target = io.BytesIO(self.data) if self.data is not None else self.location
        return h5py.File(target, "r")


def decode(raw: bytes) -> str:
    """MSD strings are NUL-padded UTF-8 bytes; undecodable bytes become U+FFFD."""
    return raw.decode("utf-8", errors="replace").strip("\x00").strip()


def source_kind(source: Path) -> str:
    """'dir', 'h5' or 'tar' for a data.source path (which must exist)."""
    if source.is_dir():
        return "dir"
    name = source.name.lower()
    if name.endswith((".tar.gz", ".tgz", ".tar")):
        return "tar"
    if name.endswith((".h5", ".hdf5")):
        return "h5"
    raise SongspaceError(
        f"data.source = {str(source)!r} is neither a directory, an .h5 file nor a .tar.gz "
        "archive; point it at one of those")


def list_h5_files(directory: Path) -> list[Path]:
    """Every .h5 file under ``directory``, at any depth, in a stable order."""
    return sorted(p for p in directory.rglob("*") if p.suffix.lower() in (".h5", ".hdf5")
                  and p.is_file())


def _is_song_member(member: tarfile.TarInfo) -> bool:
    return member.isfile() and member.name.lower().endswith((".h5", ".hdf5"))


def iter_tar_payloads(archive: Path, wanted: set[str] | None = None) -> Iterator[FilePayload]:
    """Stream the .h5 members of a tar(.gz) archive in archive order, one in memory at a time.

    With ``wanted``, members not named in it are passed over without being read.
    """
    try:
        with tarfile.open(archive, mode="r|*") as tar:
            for member in tar:
                if not _is_song_member(member):
                    continue
                if wanted is not None and member.name not in wanted:
                    continue
                handle = tar.extractfile(member)
                data = handle.read() if handle is not None else b""
                yield FilePayload(f"{archive}{TAR_SEPARATOR}{member.name}", data)
    except (tarfile.TarError, OSError, EOFError) as error:
        raise SongspaceError(
            f"data.source = {str(archive)!r} is not a readable tar archive ({error}); "
            "download it again or point data.source at the unpacked directory") from None


def iter_payloads(source: Path) -> Iterator[FilePayload]:
    """Every song file of a source, in a stable order."""
    kind = source_kind(source)
    if kind == "tar":
        yield from iter_tar_payloads(source)
    elif kind == "h5":
        yield FilePayload(str(source))
    else:
        for path in list_h5_files(source):
            yield FilePayload(str(path))


def split_location(location: str) -> tuple[str, str | None]:
    """'archive::member' -> (archive, member); a plain path -> (path, None)."""
    if TAR_SEPARATOR in location:
        archive, member = location.split(TAR_SEPARATOR, 1)
        return archive, member
    return location, None


def _slice_bounds(idx: np.ndarray, total: int) -> list[tuple[int, int]]:
    """Song i's rows are idx[i]:idx[i+1], the last song's idx[-1]:total."""
    ends = [*idx[1:].tolist(), total]
    return [(int(start), int(end)) for start, end in zip(idx.tolist(), ends, strict=True)]


def read_songs(payload: FilePayload, indices: list[int] | None = None) -> list[Song]:
    """Read the songs of one file (all, or those at ``indices``); raise BadFile if unreadable."""
    try:
        with payload.open() as h5:
            return _read_open_file(h5, indices)
    except BadFile:
        raise
    except (OSError, KeyError, ValueError, TypeError, IndexError) as error:
        raise BadFile("unreadable", f"not a readable MSD HDF5 file ({type(error).__name__}: "
                      f"{str(error).splitlines()[0] if str(error) else 'no detail'})") from None


def _read_open_file(h5: h5py.File, indices: list[int] | None) -> list[Song]:
    for name in REQUIRED_DATASETS:
        if name not in h5:
            raise BadFile("missing_dataset", f"missing dataset {name}")
    analysis = h5["analysis/songs"]
    metadata = h5["metadata/songs"]
    n_songs = analysis.shape[0]
    if n_songs == 0 or metadata.shape[0] != n_songs:
        raise BadFile("bad_songs_table", f"songs tables hold {n_songs} and {metadata.shape[0]} rows")
    track_ids = analysis.fields("track_id")[:]
    titles = metadata.fields("title")[:]
    artists = metadata.fields("artist_name")[:]
    if n_songs == 1:  # single-track file: every idx_* is 0, read whole arrays
        seg_bounds = {"timbre": [(0, None)], "pitches": [(0, None)]}
        term_bounds = [(0, None)]
    else:
        timbre_n = h5["analysis/segments_timbre"].shape[0]
        pitches_n = h5["analysis/segments_pitches"].shape[0]
        terms_n = h5["metadata/artist_terms"].shape[0]
        seg_bounds = {
            "timbre": _slice_bounds(analysis.fields("idx_segments_timbre")[:], timbre_n),
            "pitches": _slice_bounds(analysis.fields("idx_segments_pitches")[:], pitches_n),
        }
        term_bounds = _slice_bounds(metadata.fields("idx_artist_terms")[:], terms_n)
    wanted = range(n_songs) if indices is None else indices
    songs = []
    for i in wanted:
        if not 0 <= i < n_songs:
            raise BadFile("bad_songs_table", f"song index {i} out of range (file holds {n_songs})")
        t0, t1 = term_bounds[i]
        p0, p1 = seg_bounds["pitches"][i]
        s0, s1 = seg_bounds["timbre"][i]
        songs.append(Song(
            track_id=decode(track_ids[i]),
            title=decode(titles[i]),
            artist_name=decode(artists[i]),
            terms=[decode(t) for t in h5["metadata/artist_terms"][t0:t1]],
            terms_freq=np.asarray(h5["metadata/artist_terms_freq"][t0:t1], dtype=np.float64),
            terms_weight=np.asarray(h5["metadata/artist_terms_weight"][t0:t1], dtype=np.float64),
            timbre=np.asarray(h5["analysis/segments_timbre"][s0:s1], dtype=np.float64),
            pitches=np.asarray(h5["analysis/segments_pitches"][p0:p1], dtype=np.float64),
        ))
    return songs
