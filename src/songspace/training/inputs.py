"""The arrays each model trains on, read from the upstream stages' outputs.

Every array holds every subset song in subset order (row i is the same song in all of
them), so latents can be written in that order without an id join.
"""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from songspace.errors import SongspaceError
from songspace.features.store import (
    count_songs,
    iter_stats,
    load_sequence_index,
    load_sequences,
    load_zscore,
)
from songspace.features.zscore import ZScore
from songspace.io import read_json
from songspace.models.spec import SEQUENCES, STATISTICS, STATISTICS_AND_TFIDF, MethodSpec
from songspace.text import load_tfidf

import numpy as np
import scipy.sparse as sp

if TYPE_CHECKING:
    from songspace.training.rows import RowStore

FEATURES = Path("data/features")
TEXT = Path("data/text")
CLASSES = Path("data/labels/classes.json")
# The token rule of sklearn's TfidfVectorizer, so genre names split like the vocabulary did.
_TOKEN = re.compile(r"(?u)\b\w\w+\b")


@dataclass(frozen=True)
class Inputs:
    track_ids: list[str]
    arrays: tuple["np.ndarray | RowStore", ...]
    # Values a model reconstructs per song where not every value counts (padded
    # sequences); None: every value of every float array.
    counted_values: float | None = None

    def __len__(self) -> int:
        return len(self.track_ids)

    @property
    def values_per_song(self) -> float:
        """Input values a model reconstructs per song (mean over songs). The losses are sums
        over these, so loss / values_per_song puts models with different inputs on one
        scale (144 statistics vs 24 x L sequences vs 144 + a vocabulary)."""
        if self.counted_values is not None:
            return self.counted_values
        return float(sum(np.prod(a.shape[1:]) for a in self.arrays if a.dtype.kind == "f"))

    @property
    def shapes(self) -> tuple[tuple[int, ...], ...]:
        """Each array's shape without the song axis: what a model is built for."""
        return tuple(a.shape[1:] for a in self.arrays)


def method_inputs(spec: MethodSpec, params: dict, project: Path = Path("."),
                  limit: int | None = None) -> Inputs:
    """What ``spec`` reads (its SPEC's ``reads``), from the project's stage outputs; the first
    ``limit`` songs only when given. A method reading the TF-IDF whose block sets
    mask_genre_terms reads it without the words naming the derived genres."""
    features, text = project / FEATURES, project / TEXT
    masked = None
    if spec.reads_text and params["model"][spec.name].get("mask_genre_terms", False):
        masked = load_genres(project / CLASSES)
    if spec.reads == STATISTICS:
        return stats_inputs(features, limit)
    if spec.reads == SEQUENCES:
        return sequence_inputs(features, limit)
    if spec.reads == STATISTICS_AND_TFIDF:
        return hybrid_inputs(features, text, masked, limit)
    return tfidf_inputs(text, masked, limit)


def tfidf_inputs(text_dir: str | Path = TEXT, masked_genres: list[str] | None = None,
                 limit: int | None = None) -> Inputs:
    """(the TF-IDF, sparse (N, vocabulary)); without the words of ``masked_genres``."""
    ids, matrix, vocabulary = load_tfidf(text_dir)
    matrix = text_matrix(matrix, vocabulary, masked_genres)
    return Inputs(ids[:limit], (matrix[:limit] if limit is not None else matrix,))


def stats_inputs(features_dir: str | Path = FEATURES, limit: int | None = None) -> Inputs:
    """(z-scored (N, 144) statistics,); the first ``limit`` songs only when given. Z-scored a
    block of songs at a time into one float32 array: the raw float64 table is never held
    whole (1.2 GB at 1,000,000 songs)."""
    zscore = load_zscore(features_dir)
    n_songs = count_songs(features_dir) if limit is None else min(limit,
                                                                  count_songs(features_dir))
    ids: list[str] = []
    scaled = np.empty((n_songs, len(zscore.stats_mean)), np.float32)
    for block_ids, values in iter_stats(features_dir, limit):
        scaled[len(ids):len(ids) + len(block_ids)] = zscore.stats(values)
        ids += block_ids
    return Inputs(ids, (scaled,))


def sequence_inputs(features_dir: str | Path = FEATURES, limit: int | None = None) -> Inputs:
    """(z-scored (N, 24, L) sequences with zero padding, true lengths (N,) int64); the
    ConvVAE's loss counts only the true steps, so those are its values per song. Every song's
    sequences stay in sequences.h5, z-scored a block at a time as they are read
    (training.rows.ZScoredSequences): 9.6 GB at 1,000,000 songs. The first ``limit`` songs,
    when given (a few, to check a trained model: space/encoders.py), come as arrays."""
    if limit is None:
        from songspace.training.rows import ZScoredSequences  # torch: not for PCA/raw stages

        ids, lengths, seq_len = load_sequence_index(features_dir)
        lengths = np.asarray(lengths, dtype=np.int64)
        scaled = ZScoredSequences(features_dir, load_zscore(features_dir), lengths, seq_len)
    else:
        ids, raw, lengths = load_sequences(features_dir, limit)
        scaled, lengths = sequence_arrays(load_zscore(features_dir), raw, lengths)
    steps = np.minimum(lengths, scaled.shape[2])
    counted = float(scaled.shape[1] * steps.mean()) if len(steps) else 0.0
    return Inputs(ids, (scaled, lengths), counted)


def sequence_arrays(zscore: ZScore, raw: np.ndarray, lengths: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray]:
    """The ConvVAE's inputs from raw (n, 24, L) sequences: z-scored, and lengths as int64."""
    return zscore.sequences(raw, lengths), np.asarray(lengths, dtype=np.int64)


def hybrid_inputs(features_dir: str | Path = FEATURES, text_dir: str | Path = TEXT,
                  masked_genres: list[str] | None = None, limit: int | None = None) -> Inputs:
    """(z-scored statistics, TF-IDF); without the words of ``masked_genres`` when given
    (model.hybrid_vae.mask_genre_terms). Every song's TF-IDF stays sparse, handed out dense a
    batch at a time (training.rows.SparseRows: dense, 4 GB at 1,000,000 songs); the first
    ``limit`` songs' comes as a dense array."""
    audio = stats_inputs(features_dir, limit)
    text_ids, matrix, vocabulary = load_tfidf(text_dir)
    if text_ids[:limit] != audio.track_ids:
        raise SongspaceError(f"{text_dir} and {features_dir} list different songs or orders; "
                             "rerun `dvc repro` so both come from the same subset")
    if limit is not None:
        return Inputs(audio.track_ids,
                      (audio.arrays[0], text_array(matrix[:limit], vocabulary, masked_genres)))
    from songspace.training.rows import SparseRows  # torch: not for the PCA/raw stages

    return Inputs(audio.track_ids,
                  (audio.arrays[0], SparseRows(text_matrix(matrix, vocabulary, masked_genres))))


def text_array(matrix: sp.csr_matrix, vocabulary: list[str],
               masked_genres: list[str] | None) -> np.ndarray:
    """The HybridVAE's text input: TF-IDF rows, dense float32, without the words of
    ``masked_genres`` when given."""
    return text_matrix(matrix, vocabulary, masked_genres).toarray().astype(np.float32)


def text_matrix(matrix: sp.csr_matrix, vocabulary: list[str],
                masked_genres: list[str] | None) -> sp.csr_matrix:
    """TF-IDF rows without the words of ``masked_genres`` when given."""
    if masked_genres:
        matrix, _ = mask_genre_terms(matrix, vocabulary, masked_genres)
    return matrix


def load_genres(path: str | Path = CLASSES) -> list[str]:
    """The kept ground-truth genre names written by derive_genres."""
    return list(read_json(path)["genres"])


def genre_tokens(genres: list[str]) -> set[str]:
    """Vocabulary words that spell a genre name ("hip hop" -> hip, hop)."""
    return {token for genre in genres for token in _TOKEN.findall(genre.lower())}


def mask_genre_terms(matrix: sp.csr_matrix, vocabulary: list[str], genres: list[str]
                     ) -> tuple[sp.csr_matrix, list[str]]:
    """Drop the columns of words that name a genre; rows are L2-renormalised so what is
    left carries no trace of how much genre vocabulary a song had."""
    tokens = genre_tokens(genres)
    keep = [i for i, word in enumerate(vocabulary) if word.lower() not in tokens]
    if not keep:
        raise SongspaceError("mask_genre_terms removed every TF-IDF word; "
                             "raise tfidf.max_features or set the mask to false")
    kept = sp.csr_matrix(matrix[:, keep], dtype=np.float32)
    norms = np.sqrt(np.asarray(kept.multiply(kept).sum(axis=1))).ravel()
    scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    return sp.csr_matrix(sp.diags(scale.astype(np.float32)) @ kept), [vocabulary[i] for i in keep]
