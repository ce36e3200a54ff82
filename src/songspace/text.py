"""TF-IDF of each song's artist_terms, joined into one string per song."""

import json
from pathlib import Path

from songspace.errors import SongspaceError
from songspace.io import atomic_path, write_text

import numpy as np
import scipy.sparse as sp

TFIDF_FILE = "tfidf.npz"
VOCABULARY_FILE = "tfidf_vocabulary.json"


def song_documents(terms: list[list[str]]) -> list[str]:
    return [" ".join(song_terms) for song_terms in terms]


def fit_tfidf(documents: list[str], max_features: int, stop_words: str | None):
    """(sparse matrix, vocabulary in column order, idf per vocabulary word).

    scikit-learn is imported here: every training stage reads TF-IDF through this module,
    and importing scikit-learn cost each 1.2 s."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(max_features=max_features,
                                 stop_words=None if stop_words in (None, "none") else stop_words)
    try:
        matrix = vectorizer.fit_transform(documents)
    except ValueError:
        raise SongspaceError("no song has any artist_terms, so there is no text to build TF-IDF "
                             "from; check data.source") from None
    return (_stored_rows(matrix), vectorizer.get_feature_names_out().tolist(),
            vectorizer.idf_.astype(np.float64))


def _stored_rows(matrix: sp.spmatrix) -> sp.csr_matrix:
    """TF-IDF rows as the pipeline stores and reads them."""
    return matrix.tocsr().astype(np.float32)


def tfidf_rows(documents: list[str], vocabulary: list[str], idf: np.ndarray) -> sp.csr_matrix:
    """The TF-IDF rows of other documents under a stored vocabulary and idf: the same bits as
    the stored row of a subset song with the same terms (each row is computed on its own)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(vocabulary=vocabulary)
    vectorizer.idf_ = idf
    return _stored_rows(vectorizer.transform(documents))


def save_tfidf(out_dir: Path, matrix: sp.csr_matrix, vocabulary: list[str],
               track_ids: list[str], idf: np.ndarray) -> None:
    """CSR arrays, the row track ids and the idf in one .npz (no pickle), vocabulary as JSON."""
    with atomic_path(Path(out_dir) / TFIDF_FILE) as tmp:
        with open(tmp, "wb") as handle:
            np.savez(handle, data=matrix.data, indices=matrix.indices, indptr=matrix.indptr,
                     shape=np.array(matrix.shape), track_id=np.array(track_ids, dtype="U32"),
                     idf=idf)
    write_text(Path(out_dir) / VOCABULARY_FILE, json.dumps(vocabulary, indent=0) + "\n")


def load_tfidf(features_dir: str | Path) -> tuple[list[str], sp.csr_matrix, list[str]]:
    """(track ids, sparse (N, V) matrix, vocabulary)."""
    features_dir = Path(features_dir)
    with np.load(features_dir / TFIDF_FILE, allow_pickle=False) as data:
        matrix = sp.csr_matrix((data["data"], data["indices"], data["indptr"]),
                               shape=tuple(data["shape"]))
        ids = data["track_id"].tolist()
    return ids, matrix, load_vocabulary(features_dir)


def load_vocabulary(text_dir: str | Path) -> list[str]:
    return json.loads((Path(text_dir) / VOCABULARY_FILE).read_text(encoding="utf-8"))


def load_idf(text_dir: str | Path) -> np.ndarray:
    """The idf of each vocabulary word, as the tfidf stage fitted it."""
    path = Path(text_dir) / TFIDF_FILE
    with np.load(path, allow_pickle=False) as data:
        if "idf" not in data:
            raise SongspaceError(f"{path} holds no idf (written by an older version); run "
                                 "`dvc repro tfidf`")
        return data["idf"]
