"""Each synthetic artist's similar artists, like the MSD's metadata/similar_artists: up to 100
other artists of the whole world (not only of the songs a task keeps), mostly of its own
genre and near it in sound, some of related genres, a few at random, so the planted
structure shows in the similar-artist figures too.

Drawn from a random stream of their own, after the world is built, so adding them left every
other dataset of the synthetic files byte-identical (tests/test_synthetic.py checks it).
"""

from songspace.synthetic.vocabulary import GENRES

import numpy as np
from sklearn.neighbors import NearestNeighbors

STREAM = 3               # np.random.default_rng([seed, STREAM]); world 0, songs 1, subset 2
MAX_SIMILAR = 100        # the length of every real list we have seen
SHORT_LIST_SHARE = 0.05  # artists with a shorter list (1 to 99 ids)
OWN_SHARE = 0.6          # of a list: artists of the same genre ...
RELATED_SHARE = 0.3      # ... and of its related genres; the rest is noise from anywhere
NEAREST_POOL = 3         # own-genre picks come from the 3 x n nearest in sound


def _nearest_in_genre(offsets: np.ndarray, members: np.ndarray, pool: int) -> np.ndarray:
    """For each member, the other members nearest in artist sound, nearest first."""
    k = min(len(members), pool + 1)
    search = NearestNeighbors(n_neighbors=k).fit(offsets[members])
    _, found = search.kneighbors(offsets[members])
    return members[found[:, 1:]]  # drop each artist itself (distance 0, continuous offsets)


def plant_similar(artist_genres: np.ndarray, offsets: np.ndarray, genre_names: list[str],
                  seed: int) -> list[np.ndarray]:
    """Artist indices judged similar to each artist. ``offsets`` are the artists' sound
    offsets (n_artists, d), ``artist_genres`` their genre indices into ``genre_names``."""
    rng = np.random.default_rng([seed, STREAM])
    n_artists = len(artist_genres)
    longest = min(MAX_SIMILAR, n_artists - 1)
    by_genre = {g: np.flatnonzero(artist_genres == g) for g in range(len(genre_names))}
    nearest = [np.zeros(0, np.int64)] * n_artists
    for members in by_genre.values():
        if len(members) > 1:
            found = _nearest_in_genre(offsets, members, NEAREST_POOL * round(OWN_SHARE * longest))
            for member, row in zip(members, found, strict=True):
                nearest[member] = row
    index = {name: g for g, name in enumerate(genre_names)}
    related = {g: np.concatenate([by_genre[index[r]] for r in GENRES[name][2] if r in index]
                                 or [np.zeros(0, np.int64)])
               for g, name in enumerate(genre_names)}
    lists = []
    for artist, genre in enumerate(artist_genres):
        size = longest if rng.random() >= SHORT_LIST_SHARE else int(rng.integers(1, longest + 1))
        pool = nearest[artist]
        own = rng.choice(pool, size=min(len(pool), round(OWN_SHARE * size)), replace=False)
        others = related[genre]
        near = rng.choice(others, size=min(len(others), round(RELATED_SHARE * size)),
                          replace=False)
        chosen = np.unique(np.concatenate([own, near]))
        lists.append(rng.permutation(_fill_with_noise(rng, chosen, size, artist, n_artists)))
    return lists


def _fill_with_noise(rng: np.random.Generator, chosen: np.ndarray, size: int, artist: int,
                     n_artists: int) -> np.ndarray:
    """``chosen`` topped up to ``size`` with artists drawn from the whole world (itself and
    those already chosen excluded): draws with rejection, O(size) not O(n_artists)."""
    taken = set(chosen.tolist()) | {artist}
    extra: list[int] = []
    while len(chosen) + len(extra) < size:
        for candidate in rng.integers(n_artists, size=2 * (size - len(chosen) - len(extra))
                                      + 4).tolist():
            if candidate not in taken and len(chosen) + len(extra) < size:
                taken.add(candidate)
                extra.append(candidate)
    return np.concatenate([chosen, np.array(extra, dtype=np.int64)])
