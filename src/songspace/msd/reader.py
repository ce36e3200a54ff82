"""One reader for every MSD source: a single-track file, an aggregate file, a directory
searched at any depth, and millionsongsubset.tar.gz read in place (streamed, never unpacked).

Files are opened read-only with h5py (song files through its low-level h5f.open) and only
the datasets the pipeline needs are read; PyTables' getters are ten times slower for the same
data.
"""

import contextlib
import functools
import io
import os
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from songspace.errors import SongspaceError
from songspace.msd.layout import REQUIRED_DATASETS

import h5py
import numpy as np
from h5py import h5d, h5f, h5i, h5p, h5s, h5t

TAR_SEPARATOR = "::"  # "archive.tar.gz::member.h5" names a song file inside an archive
WHOLE_FILE_MAX_BYTES = 16 * 2**20  # files read into memory whole (a song file: 0.1-1 MB)
CORE_INCREMENT = 64 * 2**10  # the core driver's growth step (read-only: never used)

# The fields read from the compound songs tables. h5py's ``table[()]`` rebuilds a numpy
# dtype for all 20-31 fields of each new file and converts every field: profiled at 1.3 ms
# of a 5 ms extraction per file. Reading only these fields through a memory type built once
# costs about 40 us (HDF5 converts by field name, so other layouts still read correctly).
ANALYSIS_FIELDS = np.dtype([("track_id", "S32"), ("idx_segments_timbre", "<i4"),
                            ("idx_segments_pitches", "<i4")])
METADATA_FIELDS = np.dtype([("title", "S1024"), ("artist_name", "S1024"), ("artist_id", "S32"),
                            ("idx_artist_terms", "<i4"), ("idx_similar_artists", "<i4")])
SIMILAR_ARTISTS = "metadata/similar_artists"  # optional: a file without it has no similar artists
_MEMORY_TYPES = {fields: h5t.py_create(fields) for fields in (ANALYSIS_FIELDS, METADATA_FIELDS)}


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
    artist_id: str = ""
    similar_artists: list[str] = field(default_factory=list)  # Echo Nest artist ids


@dataclass(frozen=True)
class FilePayload:
    """A song file to read: a path on disk, or the bytes of a member of an archive."""

    location: str  # path, or "archive::member"
    data: bytes | None = None

    @contextlib.contextmanager
    def open(self) -> Iterator[h5f.FileID]:
        """The file, read-only, as HDF5's own file id. A song file on disk is read into memory
        whole first (HDF5's core driver), one read where reading it in place takes dozens of
        small ones, and without a chunk cache: each chunk is read once, straight into the
        array (together about 12 % of a file's reading). It is opened through h5f.open with
        one property list per process: h5py.File builds a new one for every file and, on
        closing, searches the file for objects left open (together 0.25 ms of a 2 ms file,
        measured). Large (aggregate) files are read in place, cached, through h5py."""
        if self.data is None and os.stat(self.location).st_size <= WHOLE_FILE_MAX_BYTES:
            fid = h5f.open(os.fsencode(self.location), h5f.ACC_RDONLY, fapl=_in_memory_access())
            try:
                yield fid
            finally:
                fid.close()
            return
        source = io.BytesIO(self.data) if self.data is not None else self.location
        with h5py.File(source, "r") as h5:
            yield h5.id


@functools.cache
def _in_memory_access() -> h5p.PropFAID:
    """File access for a whole song file in memory: the core driver without a backing store,
    no chunk cache (see FilePayload.open); closing the file closes the datasets still open
    (after an error, say)."""
    plist = h5p.create(h5p.FILE_ACCESS)
    plist.set_fapl_core(CORE_INCREMENT, False)
    plist.set_fclose_degree(h5f.CLOSE_STRONG)  # closing closes every object, as h5py.File's
    metadata_objects, chunk_slots, _, preemption = plist.get_cache()
    plist.set_cache(metadata_objects, chunk_slots, 0, preemption)
    return plist


def decode(raw: bytes) -> str:
    """MSD strings are NUL-padded UTF-8 bytes; undecodable bytes become U+FFFD."""
    return raw.decode("utf-8", errors="replace").strip("\x00").strip()


def decode_all(raws: np.ndarray) -> list[str]:
    """decode() of each string of an array, through plain bytes: numpy's own string scalars
    cost more than the decoding (100 similar artists a song)."""
    return list(map(decode, raws.tolist()))


def source_kind(source: Path, name: str = "data.source") -> str:
    """'dir', 'h5' or 'tar' for a source path (which must exist); ``name`` is what the user
    called it, for the message."""
    if source.is_dir():
        return "dir"
    if source.name.lower().endswith((".tar.gz", ".tgz", ".tar")):
        return "tar"
    if is_h5_name(source.name):
        return "h5"
    raise SongspaceError(
        f"{name} = {str(source)!r} is neither a directory, an .h5 file nor a .tar.gz "
        "archive; point it at one of those")


def is_h5_name(name: str) -> bool:
    """Whether a file name is an MSD song file's (.h5, .hdf5)."""
    return name.lower().endswith((".h5", ".hdf5"))


def iter_h5_files(directory: Path) -> Iterator[Path]:
    """Every .h5 file under ``directory``, at any depth, in sorted path order, one folder
    listed at a time: memory stays flat however many files a source holds (the full MSD's
    million). Symlinked folders are not entered, as Path.rglob does not."""
    entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
    for entry in entries:
        if entry.is_dir() and not entry.is_symlink():
            yield from iter_h5_files(Path(entry.path))
        elif is_h5_name(entry.name) and entry.is_file():
            yield Path(entry.path)


def list_h5_files(directory: Path) -> list[Path]:
    """Every .h5 file under ``directory``, at any depth, in a stable order."""
    return list(iter_h5_files(directory))


def _is_song_member(member: tarfile.TarInfo) -> bool:
    return member.isfile() and is_h5_name(member.name)


def iter_tar_payloads(archive: Path, wanted: set[str] | None = None,
                      name: str = "data.source") -> Iterator[FilePayload]:
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
            f"{name} = {str(archive)!r} is not a readable tar archive ({error}); "
            f"download it again or point {name} at the unpacked directory") from None


def iter_payloads(source: Path, name: str = "data.source") -> Iterator[FilePayload]:
    """Every song file of a source, in a stable order."""
    kind = source_kind(source, name)
    if kind == "tar":
        yield from iter_tar_payloads(source, name=name)
    elif kind == "h5":
        yield FilePayload(str(source))
    else:
        for path in iter_h5_files(source):
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


def read_songs(payload: FilePayload, indices: list[int] | None = None,
               with_terms: bool = True, with_names: bool = True) -> list[Song]:
    """Read the songs of one file (all, or those at ``indices``); raise BadFile if unreadable.

    ``with_terms=False`` leaves terms and similar_artists empty (the scan only needs the audio
    and the titles). ``with_names=False`` leaves title, artist_name and artist_id empty
    where they would cost a read of their own: a single-track file's metadata/songs table
    (extraction takes them from the scan's song list; 10 % of its reading).
    """
    try:
        with payload.open() as fid:
            return _read_open_file(fid, indices, with_terms, with_names)
    except BadFile:
        raise
    except (OSError, KeyError, ValueError, TypeError, IndexError) as error:
        detail = str(error).splitlines()[0] if str(error) else "no detail"
        raise BadFile("unreadable", f"not a readable MSD HDF5 file ({type(error).__name__}: "
                      f"{detail})") from None


def _datasets(fid: h5f.FileID) -> dict[str, h5d.DatasetID]:
    """The required datasets, opened with h5d.open and read through HDF5's own calls: h5py's
    ``h5[name]`` first asks HDF5 what kind of object the name is (measured: 7 lookups 370 ->
    210 us per file), and its Dataset objects and their properties cost about 20 us each. A
    name that is a group, not a dataset, counts as missing."""
    found = {}
    for name in REQUIRED_DATASETS:
        try:
            found[name] = h5d.open(fid, name.encode())
        except KeyError:
            raise BadFile("missing_dataset", f"missing dataset {name}") from None
    return found


def _name(dataset: h5d.DatasetID) -> str:
    return h5i.get_name(dataset).decode()


def _read_table(dataset: h5d.DatasetID, fields: np.dtype) -> np.ndarray:
    """The ``fields`` of a compound table, all rows (see ANALYSIS_FIELDS for why)."""
    file_type = dataset.get_type()
    shape = dataset.shape
    if not isinstance(file_type, h5t.TypeCompoundID) or shape is None or len(shape) != 1:
        raise ValueError(f"{_name(dataset)} is not a table of records")
    for name in fields.names:  # HDF5 would silently leave a missing field uninitialised
        try:
            file_type.get_member_index(name.encode())
        except RuntimeError:
            raise ValueError(f"{_name(dataset)} has no field {name}") from None
    table = np.zeros(shape, fields)
    dataset.read(h5s.ALL, h5s.ALL, table, mtype=_MEMORY_TYPES[fields])
    return table


def _read(dataset: h5d.DatasetID, bounds: tuple[int, int | None]) -> np.ndarray:
    """Rows start:end, or the whole dataset (end None). A whole read goes straight to
    H5Dread: ``dataset[()]`` spends about 40 us per call in h5py's selection code, which
    is a tenth of the extraction's time beyond the read floor (5 reads per file)."""
    start, end = bounds
    if start != 0 or end is not None:
        return h5py.Dataset(dataset)[start:end]
    dtype, shape = dataset.dtype, dataset.shape
    if dtype.hasobject or shape is None:  # variable-length or empty: h5py
        return h5py.Dataset(dataset)[()]
    out = np.empty(shape, dtype)
    dataset.read(h5s.ALL, h5s.ALL, out)
    return out


def _similar_dataset(fid: h5f.FileID) -> h5d.DatasetID | None:
    """metadata/similar_artists, or None where a file lacks it (it is not needed for features)."""
    try:
        return h5d.open(fid, SIMILAR_ARTISTS.encode())
    except KeyError:
        return None


def _read_open_file(fid: h5f.FileID, indices: list[int] | None, with_terms: bool,
                    with_names: bool = True) -> list[Song]:
    ds = _datasets(fid)
    analysis = _read_table(ds["analysis/songs"], ANALYSIS_FIELDS)
    n_songs = len(analysis)
    if with_names or n_songs != 1 or ds["metadata/songs"].shape != (1,):
        metadata = _read_table(ds["metadata/songs"], METADATA_FIELDS)
    else:  # one song, its idx_* all 0: nothing in the table is needed
        metadata = np.zeros(1, METADATA_FIELDS)
    if n_songs == 0 or len(metadata) != n_songs:
        raise BadFile("bad_songs_table",
                      f"songs tables hold {n_songs} and {len(metadata)} rows")
    timbre, pitches = ds["analysis/segments_timbre"], ds["analysis/segments_pitches"]
    terms, freq = ds["metadata/artist_terms"], ds["metadata/artist_terms_freq"]
    weight = ds["metadata/artist_terms_weight"]
    similar = _similar_dataset(fid) if with_terms else None
    if n_songs == 1:  # single-track file: every idx_* is 0, read whole arrays
        timbre_at = pitches_at = terms_at = similar_at = [(0, None)]
    else:
        timbre_at = _slice_bounds(analysis["idx_segments_timbre"], timbre.shape[0])
        pitches_at = _slice_bounds(analysis["idx_segments_pitches"], pitches.shape[0])
        terms_at = _slice_bounds(metadata["idx_artist_terms"], terms.shape[0])
        similar_at = (_slice_bounds(metadata["idx_similar_artists"], similar.shape[0])
                      if similar is not None else [])
    songs = []
    for i in range(n_songs) if indices is None else indices:
        if not 0 <= i < n_songs:
            raise BadFile("bad_songs_table", f"song index {i} out of range (file holds {n_songs})")
        empty = np.zeros(0)
        songs.append(Song(
            track_id=decode(analysis["track_id"][i]),
            title=decode(metadata["title"][i]),
            artist_name=decode(metadata["artist_name"][i]),
            terms=decode_all(_read(terms, terms_at[i])) if with_terms else [],
            terms_freq=np.asarray(_read(freq, terms_at[i]), np.float64) if with_terms else empty,
            terms_weight=(np.asarray(_read(weight, terms_at[i]), np.float64) if with_terms
                          else empty),
            timbre=np.asarray(_read(timbre, timbre_at[i]), dtype=np.float64),
            pitches=np.asarray(_read(pitches, pitches_at[i]), dtype=np.float64),
            artist_id=decode(metadata["artist_id"][i]),
            similar_artists=(decode_all(_read(similar, similar_at[i]))
                             if similar is not None else []),
        ))
    return songs
