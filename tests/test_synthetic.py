"""The synthetic subset: real MSD layout, deterministic, with planted genre structure."""

from collections import Counter

from songspace.msd.reader import iter_payloads, read_songs
from songspace.synthetic.generate import generate
from songspace.synthetic.world import build_world

import h5py
import numpy as np
import pytest


def describe(path) -> dict:
    """Every group and dataset: dtype (with compound fields), row shape, filters."""
    layout = {}

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            layout[name] = (obj.dtype.descr, obj.shape[1:], obj.maxshape[1:], obj.compression,
                            obj.shuffle)
        else:
            layout[name] = "group"

    with h5py.File(path, "r") as h5:
        h5.visititems(visit)
        layout["/TITLE"] = h5.attrs["TITLE"]
    return layout


@pytest.fixture(scope="module")
def synthetic_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("synthetic")
    generate(root, seed=7, n_songs=40, workers=1, progress=False)
    return root


def test_schema_parity_with_real_files(shared_msd, synthetic_dir):
    real = describe(shared_msd / "tracks" / "TRAAAAW128F429D538.h5")
    for path in sorted(synthetic_dir.rglob("*.h5"))[:5]:
        assert describe(path) == real


def test_msd_directory_layout(synthetic_dir):
    for path in synthetic_dir.rglob("*.h5"):
        track_id = path.stem
        assert track_id.startswith("TR") and len(track_id) == 18
        assert path.relative_to(synthetic_dir).parts[:3] == tuple(track_id[2:5])


def test_readable_by_the_reader_with_aligned_terms(synthetic_dir):
    songs = [s for p in iter_payloads(synthetic_dir) for s in read_songs(p)]
    assert len(songs) == 40
    for song in songs:
        assert song.timbre.shape == song.pitches.shape and song.timbre.shape[1] == 12
        assert len(song.terms) == len(song.terms_weight) == len(song.terms_freq) > 0
        assert song.title and song.artist_name
        np.testing.assert_allclose(song.pitches.max(axis=1), 1.0)  # per-segment chroma


def test_same_seed_same_songs(tmp_path):
    generate(tmp_path / "a", seed=3, n_songs=6, workers=1, progress=False)
    generate(tmp_path / "b", seed=3, n_songs=6, workers=1, progress=False)
    a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.h5"))
    b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*.h5"))
    assert a == b
    for rel in a:
        [sa] = read_songs(next(iter_payloads(tmp_path / "a" / rel)))
        [sb] = read_songs(next(iter_payloads(tmp_path / "b" / rel)))
        np.testing.assert_array_equal(sa.timbre, sb.timbre)


def test_planted_structure_is_skewed_and_tagged_like_real_data():
    world = build_world(seed=1, n_songs=10000, separation=1.0, songs_per_artist=2.5)
    genres = Counter(world.genres[world.artists[a].genre].name for a in world.song_artist)
    top_two = {name for name, _ in genres.most_common(2)}
    assert top_two == {"rock", "pop"} and len(genres) > 8
    terms = Counter(t for artist in world.artists for t in artist.terms)
    assert terms["united states"] > 0 and terms["alternative rock"] > 0
    assert terms["hip hop"] > 0 and terms["guitar"] > 0


# sha256 of every dataset but metadata/similar_artists of generate(seed=7, n_songs=30): similar
# artists come from a stream of their own, and other engineers compare model figures across
# changes to them, so nothing else may move. Taken before similar artists were added, and
# retaken (the one intended change) when track ids became the subset's TRA/TRB ids.
DIGEST_BEFORE_SIMILAR_ARTISTS = "9010100e402f8856ab2ea9e78fb0bcdd8b24f6800dc512c41cc63278865c9c6e"


def test_similar_artists_left_every_other_dataset_byte_identical(tmp_path):
    import hashlib

    generate(tmp_path, seed=7, n_songs=30, workers=1, progress=False)
    digest = hashlib.sha256()
    for path in sorted(tmp_path.rglob("*.h5")):
        digest.update(str(path.relative_to(tmp_path)).encode())
        with h5py.File(path, "r") as h5:
            def visit(name, obj):
                if isinstance(obj, h5py.Dataset) and name != "metadata/similar_artists":
                    digest.update(name.encode())
                    digest.update(obj[()].tobytes())
            h5.visititems(visit)
    assert digest.hexdigest() == DIGEST_BEFORE_SIMILAR_ARTISTS


def test_similar_artists_written_in_msd_form(synthetic_dir):
    for path in sorted(synthetic_dir.rglob("*.h5"))[:5]:
        with h5py.File(path, "r") as h5:
            similar = h5["metadata/similar_artists"]
            artist_id = h5["metadata/songs"]["artist_id"][0]
            assert similar.dtype == np.dtype("S20") and 0 < similar.shape[0] <= 100
            assert artist_id.startswith(b"AR") and len(artist_id) == 18
            assert artist_id not in set(similar[()])
    songs = [s for p in iter_payloads(synthetic_dir) for s in read_songs(p)]
    world = build_world(seed=7, n_songs=40, separation=1.0, songs_per_artist=2.5)
    by_id = {a.artist_id: a for a in world.artists}
    for song in songs:
        assert song.similar_artists == by_id[song.artist_id].similar


def test_similar_artists_mostly_share_genre_and_reach_the_whole_world():
    world = build_world(seed=1, n_songs=3000, separation=1.0, songs_per_artist=2.5)
    genre = {a.artist_id: a.genre for a in world.artists}
    sizes = [len(a.similar) for a in world.artists]
    assert max(sizes) == 100 and np.mean(np.array(sizes) == 100) > 0.9
    same = np.mean([genre[s] == a.genre for a in world.artists for s in a.similar])
    prevalence = Counter(a.genre for a in world.artists)
    chance = sum((c / len(world.artists)) ** 2 for c in prevalence.values())
    assert same > 0.5 > chance
    assert all(len(set(a.similar)) == len(a.similar) and a.artist_id not in a.similar
               for a in world.artists)
    # songs of a task are a sample of the world; lists refer to artists beyond any one song
    assert len({s for a in world.artists for s in a.similar}) > 0.9 * len(world.artists)
