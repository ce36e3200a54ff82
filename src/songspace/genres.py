"""Ground-truth genres from artist_terms, by a rule stated here and in the README.

1. A term supports a candidate genre when the genre appears in it as whole words
   ("alternative rock" and "blues-rock" support rock; "hip hop" supports hip hop).
2. A song's score for a genre is the summed weight of its terms that support it
   (artist_terms_weight; its freq where every weight is 0).
3. Each song's best-supported candidate is counted; the ``n`` most counted are kept.
4. Each song takes its best-supported kept genre; a song with none is unlabelled (-1):
   kept for training, left out of label metrics. Ties go to the more common genre.
"""

import re

import numpy as np

UNLABELLED = -1


def _pattern(genre: str) -> re.Pattern:
    return re.compile(rf"(?<!\w){re.escape(genre.lower())}(?!\w)")


def support_scores(terms: list[list[str]], weights: list[list[float]],
                   freqs: list[list[float]], candidates: list[str]) -> np.ndarray:
    """(n_songs, n_candidates) summed weight of the terms that support each candidate.

    Which candidates a term supports is matched once per distinct term (a few hundred),
    not once per song: 1,000,000 songs x 20 terms x 18 patterns took minutes."""
    patterns = [_pattern(c) for c in candidates]
    supported: dict[str, tuple[int, ...]] = {}
    scores = np.zeros((len(terms), len(candidates)))
    for row, (song_terms, song_weights, song_freqs) in enumerate(zip(terms, weights, freqs,
                                                                   strict=True)):
        values = song_weights if any(w > 0 for w in song_weights) else song_freqs
        for term, value in zip(song_terms, values, strict=True):
            columns = supported.get(term)
            if columns is None:
                lowered = term.lower()
                columns = supported[term] = tuple(col for col, pattern in enumerate(patterns)
                                                  if pattern.search(lowered))
            for col in columns:
                scores[row, col] += value
    return scores


def _best(scores: np.ndarray) -> np.ndarray:
    """Column of the highest positive score per row (first column wins ties), else -1."""
    best = scores.argmax(axis=1)
    return np.where(scores.max(axis=1) > 0, best, UNLABELLED)


def derive_genres(terms, weights, freqs, candidates: list[str], n: int):
    """(kept genres, most common first; label per song, -1 for unlabelled)."""
    scores = support_scores(terms, weights, freqs, candidates)
    first_choice = _best(scores)
    counts = np.bincount(first_choice[first_choice >= 0], minlength=len(candidates))
    order = sorted(range(len(candidates)), key=lambda c: (-counts[c], c))
    kept = [c for c in order[:n] if counts[c] > 0]
    labels = _best(scores[:, kept])
    return [candidates[c] for c in kept], labels


def label_summary(genres: list[str], labels: np.ndarray) -> dict:
    """Class counts, labelled share and majority-class share (of the labelled songs)."""
    labelled = labels[labels >= 0]
    counts = np.bincount(labelled, minlength=len(genres))
    majority = int(counts.argmax()) if len(labelled) else 0
    return {
        "songs": int(len(labels)),
        "labelled": int(len(labelled)),
        "unlabelled": int(len(labels) - len(labelled)),
        "labelled_share": float(len(labelled) / max(len(labels), 1)),
        "majority_genre": genres[majority] if genres else "",
        "majority_share": float(counts[majority] / max(len(labelled), 1)),
        "counts": {genres[i]: int(counts[i]) for i in np.argsort(-counts, kind="stable")},
    }
