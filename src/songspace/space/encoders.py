"""Each method's encoder as its train stage left it: from a song's raw features to its latent
by the functions that built the stage's inputs and the model it saved.

A subset song gets the bits of its stored latent (data/latents/<method>/seed_<s>.npy): its
features are read and extracted by the same code, z-scored with the stored zscore.json, its
TF-IDF row computed with the stored vocabulary and idf, and every encoder computes each row
on its own (SongModel.latent, a FittedMethod's transform). Before any song is
embedded, the encoder is run on the first subset songs' stored features and checked against
their stored latents: a model that no longer matches its features (the TF-IDF vocabulary or
the z-scoring changed since it was trained) is refused instead of placing songs wrongly.
"""

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from songspace.errors import SongspaceError
from songspace.features.store import load_zscore
from songspace.features.zscore import ZScore
from songspace.models.registry import build_model, model_class
from songspace.models.spec import SEQUENCES, STATISTICS, TFIDF, spec
from songspace.space.reading import SongFeatures
from songspace.text import load_idf, load_vocabulary, song_documents, tfidf_rows
from songspace.training import inputs, outputs

import numpy as np
import scipy.sparse as sp

CHECKED_SONGS = 8  # subset songs re-encoded from their stored features when loading
# A stale model is off by far more; kernels that were not pinned, by far less.
CHECK_RTOL, CHECK_ATOL = 1e-3, 1e-4

Arrays = tuple[np.ndarray, ...]


@dataclass(frozen=True)
class Vocabulary:
    """The stored TF-IDF words and idf, and the genre words removed from a method's input
    (mask_genre_terms)."""

    words: list[str]
    idf: np.ndarray
    masked_genres: list[str] | None


@dataclass
class Encoder:
    method: str
    zscore: ZScore
    vocabulary: Vocabulary | None
    project: Callable[[Arrays], np.ndarray]  # the method's inputs -> (songs, d) float32

    def encode(self, songs: list[SongFeatures]) -> np.ndarray:
        """(len(songs), d) float32 latents."""
        return self.project(self.arrays(songs))

    def arrays(self, songs: list[SongFeatures]) -> Arrays:
        """The method's inputs for ``songs``, as its train stage built them for the subset."""
        reads = spec(self.method).reads
        if reads == SEQUENCES:
            return inputs.sequence_arrays(self.zscore, np.stack([s.sequence for s in songs]),
                                          np.array([s.length for s in songs]))
        if reads == TFIDF:
            return (inputs.text_matrix(self._tfidf(songs), self.vocabulary.words,
                                       self.vocabulary.masked_genres),)
        stats = self.zscore.stats(np.stack([song.moments for song in songs]))
        if reads == STATISTICS:
            return (stats,)
        return stats, inputs.text_array(self._tfidf(songs), self.vocabulary.words,
                                        self.vocabulary.masked_genres)

    def _tfidf(self, songs: list[SongFeatures]) -> sp.csr_matrix:
        return tfidf_rows(song_documents([song.terms for song in songs]),
                          self.vocabulary.words, self.vocabulary.idf)


def load_encoder(project: Path, method: str, seed: int, params: dict,
                 stored_latents: np.ndarray) -> Encoder:
    """The trained encoder of ``method`` (seed ``seed``) in ``project``, checked against the
    first subset songs' ``stored_latents``."""
    found = spec(method)
    model_file = _model_file(project, method, seed)
    if not model_file.exists():
        raise SongspaceError(f"{model_file} not found: {method} is not trained yet; run "
                             f"`dvc repro train@{method}`")
    vocabulary = None
    if found.reads_text:
        masked = (inputs.load_genres(project / inputs.CLASSES)
                  if params["model"][method].get("mask_genre_terms", False) else None)
        text = project / inputs.TEXT
        vocabulary = Vocabulary(load_vocabulary(text), load_idf(text), masked)
    stored = inputs.method_inputs(found, params, project, CHECKED_SONGS).arrays
    _check_seq_len(method, stored, params)
    encoder = Encoder(method, load_zscore(project / inputs.FEATURES), vocabulary,
                      _projection(method, model_file, params, stored))
    _check(encoder, stored, stored_latents[:CHECKED_SONGS], method, seed)
    return encoder


def _model_file(project: Path, method: str, seed: int) -> Path:
    """The file the train stage saved ``method``'s model (or fit) in."""
    if spec(method).per_seed:
        return project / outputs.model_path(method, seed)
    return project / outputs.model_dir(method) / model_class(method).MODEL_FILE


def _check_seq_len(method: str, stored: Arrays, params: dict) -> None:
    if spec(method).reads != SEQUENCES:
        return
    stored_len, wanted = stored[0].shape[2], params["features"]["seq_len"]
    if stored_len != wanted:
        raise SongspaceError(
            f"features.seq_len = {wanted} in params.yaml, but {method} was trained on sequences "
            f"of {stored_len} segments (data/features); run `dvc repro train@{method}`")


def _projection(method: str, path: Path, params: dict,
                stored: Arrays) -> Callable[[Arrays], np.ndarray]:
    if not spec(method).per_seed:
        fitted = model_class(method).load(path.parent)
        return fitted.transform
    model = build_model(method, params, tuple(a.shape[1:] for a in stored))
    try:
        model.load_state_dict(_torch_state(path))
    except RuntimeError:
        raise SongspaceError(f"{path} does not fit the model params.yaml describes for "
                             f"{method} (its sizes changed since it was trained); run "
                             f"`dvc repro train@{method}`") from None
    return lambda arrays: _neural_latents(model, arrays)


def _torch_state(path: Path) -> dict:
    import torch

    return torch.load(path, map_location="cpu", weights_only=True)


def _neural_latents(model, arrays: Arrays) -> np.ndarray:
    import torch

    return model.latent(tuple(torch.as_tensor(a) for a in arrays)).numpy()


def _check(encoder: Encoder, stored: Arrays, expected: np.ndarray, method: str,
           seed: int) -> None:
    got = encoder.project(stored)
    if got.shape != expected.shape or not np.allclose(got, expected, rtol=CHECK_RTOL,
                                                      atol=CHECK_ATOL):
        raise SongspaceError(
            f"the trained {method} (seed {seed}) no longer matches the stored features it was "
            f"trained on (data/features, data/text changed since); run "
            f"`dvc repro train@{method}`")
    if not np.array_equal(got, expected):
        warnings.warn(f"{method} latents differ from the stored ones in the last bits here "
                      "(stored from a GPU, or CPU kernels not pinned: see songspace/kernels.py)",
                      stacklevel=3)
