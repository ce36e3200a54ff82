"""A trained space: a method's stored latents of the subset songs, its encoder for any other
song, and search among the subset songs. What `songspace embed` and `songspace similar`
run on, and the Python API (see songspace.space).
"""

import functools
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from songspace import kernels
from songspace.catalog import SKIPPED_COLUMNS
from songspace.errors import SongspaceError
from songspace.evaluation import methods
from songspace.evaluation.data import SONGS, load_latents
from songspace.models.spec import listed
from songspace.msd.reader import source_kind
from songspace.params import PARAMS_FILE, load_params
from songspace.space.encoders import Encoder, load_encoder
from songspace.space.reading import SONG_FIELDS, SongFeatures, read_sources

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from songspace.retrieval import search

ENCODE_ROWS = 1024  # songs encoded (and written) at a time: memory flat in the number of files
EMBEDDED_COLUMNS = [*SONG_FIELDS, "artist_id", "similar_artists"]
Sources = str | Path | Iterable[str | Path]


@dataclass
class Embedded:
    """Songs placed in a space: ``songs`` (EMBEDDED_COLUMNS) row i has ``vectors[i]``;
    ``skipped`` lists the songs and files that could not be embedded, with the reason."""

    songs: pd.DataFrame
    vectors: np.ndarray  # (songs, latent_dim) float32
    skipped: pd.DataFrame


@dataclass
class Space:
    """One method's space (one training seed) in a project after `dvc repro`."""

    project: Path
    method: str
    seed: int
    params: dict
    songs: pd.DataFrame  # the subset songs: track_id, title, artist_name, in latent order
    latents: np.ndarray  # their stored latents, (songs, latent_dim) float32

    @property
    def latent_dim(self) -> int:
        return self.latents.shape[1]

    @functools.cached_property
    def encoder(self) -> Encoder:
        """Loaded on first use: search among the subset songs needs no model."""
        return load_encoder(self.project, self.method, self.seed, self.params, self.latents)

    @functools.cached_property
    def index(self) -> "search.Index":
        """Exact search up to retrieval.exact_max songs, above it the retrieval stage's index.
        Imported here: embedding alone needs no scikit-learn (about 1 s to import)."""
        from songspace.retrieval import index_files, search

        retrieval = self.params["retrieval"]
        stage_seed = (methods.single_latent(self.method)
                      or self.seed == self.params["train"]["seeds"][0])
        if len(self.latents) <= retrieval["exact_max"] or not stage_seed:
            return search.build(self.latents, retrieval["metric"], retrieval["exact_max"])
        info, path = index_files.read(self.method, self.project / index_files.INDEX_DIR)
        if info["kind"] != "approximate" or info["n_songs"] != len(self.latents) \
                or not path.exists():
            raise SongspaceError(f"{path.parent} does not match the latents; run "
                                 f"`dvc repro retrieval_eval@{self.method}`")
        return search.load(path, info["metric"])

    def embed(self, sources: Sources, progress: bool = False) -> Embedded:
        """Every song of ``sources`` (a path or a list: directories at any depth, .h5 files,
        millionsongsubset.tar.gz), in source order, held in memory."""
        parts = list(self.iter_embed(sources, progress=progress))
        return Embedded(pd.concat([p.songs for p in parts], ignore_index=True),
                        np.concatenate([p.vectors for p in parts]),
                        pd.concat([p.skipped for p in parts], ignore_index=True))

    def iter_embed(self, sources: Sources, progress: bool = False) -> Iterator[Embedded]:
        """``embed`` streamed: up to ENCODE_ROWS songs at a time (with the songs skipped since
        the last part), so memory stays flat however many files there are."""
        sources = [Path(s) for s in ([sources] if isinstance(sources, str | Path) else sources)]
        for source in sources:
            if not source.exists():
                raise SongspaceError(f"{source} does not exist; give a directory of MSD .h5 "
                                     "files, an .h5 file or millionsongsubset.tar.gz")
            source_kind(source, "SOURCE")
        _ = self.encoder  # loaded, and checked, before any file is read
        features = self.params["features"]
        found: list[SongFeatures] = []
        skipped: list[dict] = []
        for song in read_sources(sources, min_segments=features["min_segments"],
                                 seq_len=features["seq_len"], workers=features["workers"],
                                 batch_size=features["batch_size"], progress=progress):
            if isinstance(song, dict):
                skipped.append(song)
                continue
            found.append(song)
            if len(found) == ENCODE_ROWS:
                yield self._embedded(found, skipped)
                found, skipped = [], []
        yield self._embedded(found, skipped)

    def _embedded(self, found: list[SongFeatures], skipped: list[dict]) -> Embedded:
        songs = pd.DataFrame([{**song.info, "artist_id": song.artist_id,
                               "similar_artists": song.similar_artists} for song in found],
                             columns=EMBEDDED_COLUMNS)
        vectors = (self.encoder.encode(found) if found
                   else np.zeros((0, self.latent_dim), dtype=np.float32))
        return Embedded(songs, vectors, pd.DataFrame(skipped, columns=SKIPPED_COLUMNS))

    def row_of(self, track_id: str) -> int:
        """The subset row of a track id."""
        rows = np.flatnonzero(self.songs["track_id"].to_numpy() == track_id)
        if not len(rows):
            raise SongspaceError(f"{track_id} is not a song of the subset "
                                 f"({self.project / SONGS})")
        return int(rows[0])

    def nearest(self, query, k: int = 10, exclude: str | None = None) -> pd.DataFrame:
        """The ``k`` subset songs nearest to ``query``, a vector or a subset song's track id
        (itself left out, as is ``exclude``): track_id, title, artist_name, distance, nearest
        first, indexed by subset row."""
        if isinstance(query, str):
            exclude, query = query, self.latents[self.row_of(query)]
        vector = np.asarray(query, dtype=np.float64).reshape(1, -1)
        if vector.shape[1] != self.latent_dim:
            raise SongspaceError(f"a {vector.shape[1]}-d vector cannot be searched in the "
                                 f"{self.latent_dim}-d {self.method} space")
        left_out = {self.row_of(exclude)} if exclude in set(self.songs["track_id"]) else set()
        available = len(self.songs) - len(left_out)
        if not 1 <= k <= available:
            raise SongspaceError(f"-k {k}: choose between 1 and {available}")
        distances, found = self.index.search(vector, k + len(left_out))
        pairs = [(d, i) for d, i in zip(distances[0], found[0], strict=True)
                 if i not in left_out][:k]
        rows = [int(i) for _, i in pairs]
        return self.songs.loc[rows].assign(distance=[float(d) for d, _ in pairs])


def load_space(project: str | Path = ".", method: str = "hybrid_vae",
               seed: int | None = None) -> Space:
    """The trained ``method`` space of the project at ``project`` (after `dvc repro`), for
    training seed ``seed`` (default: the first of train.seeds; the baselines have one)."""
    if kernels.loaded_too_early:
        warnings.warn(f"{', '.join(kernels.loaded_too_early)} imported before songspace, so "
                      "the CPU kernels are not pinned: embedded latents may differ in the last "
                      "bits from the stored ones; import songspace first", stacklevel=2)
    project = Path(project)
    params = load_params(project / PARAMS_FILE)
    names = listed(params)
    if method not in names:
        raise SongspaceError(f"unknown method {method!r}: not in {project / PARAMS_FILE}'s "
                             f"methods ({', '.join(names)})")
    seeds = params["train"]["seeds"]
    seed = seeds[0] if seed is None else seed
    if methods.single_latent(method):
        seed = 0
    elif seed not in seeds:
        raise SongspaceError(f"--seed {seed}: {method} is trained for train.seeds {seeds}")
    try:
        songs = pd.read_csv(project / SONGS, dtype={"track_id": str}, keep_default_na=False)
    except FileNotFoundError:
        raise SongspaceError(f"{project / SONGS} not found; run `dvc repro`") from None
    latents = load_latents(methods.latent_path(method, seed, project / methods.LATENTS_DIR),
                           len(songs))
    return Space(project, method, seed, params, songs[["track_id", "title", "artist_name"]],
                 latents.astype(np.float32))
