"""The reader on real MSD files: single-track, aggregate, directory at depth, tar.gz."""

import shutil
import tarfile

from songspace.msd.reader import (
    BadFile,
    FilePayload,
    decode,
    iter_payloads,
    read_songs,
    source_kind,
)

import numpy as np
import pytest


def read_all(source):
    songs = []
    for payload in iter_payloads(source):
        songs.extend(read_songs(payload))
    return songs


def test_single_track_files_known_content(shared_msd):
    songs = {s.track_id: s for s in read_all(shared_msd / "tracks")}
    assert len(songs) == 10
    casual = songs["TRAAAAW128F429D538"]
    assert casual.title == "I Didn't Mean To"
    assert casual.artist_name == "Casual"
    assert casual.timbre.shape == (971, 12) and casual.pitches.shape == (971, 12)
    assert casual.terms[:2] == ["hip hop", "underground rap"]
    assert len(casual.terms) == len(casual.terms_freq) == len(casual.terms_weight) == 37
    assert songs["TRAKORW128F1484DF0"].timbre.shape[0] == 10  # a very short track


def test_aggregate_file_slices_each_song(shared_msd):
    aggregate = read_all(shared_msd / "aggregate" / "msd_aggregate_3songs.h5")
    assert [s.track_id for s in aggregate] == [
        "TRAAADZ128F9348C2E", "TRAAABD128F429CF47", "TRAAAAW128F429D538"]
    singles = {s.track_id: s for s in read_all(shared_msd / "tracks")}
    for song in aggregate:
        single = singles[song.track_id]
        np.testing.assert_array_equal(song.timbre, single.timbre)
        np.testing.assert_array_equal(song.pitches, single.pitches)
        assert song.terms == single.terms
        np.testing.assert_array_equal(song.terms_weight, single.terms_weight)
        assert (song.title, song.artist_name) == (single.title, single.artist_name)


def test_aggregate_read_of_chosen_indices(shared_msd):
    payload = FilePayload(str(shared_msd / "aggregate" / "msd_aggregate_3songs.h5"))
    [last] = read_songs(payload, [2])
    assert last.track_id == "TRAAAAW128F429D538" and last.timbre.shape == (971, 12)


def _msd_tree(tracks, root):
    """Lay real files out as the MSS does: <A>/<B>/<C>/TR<id>.h5."""
    for path in sorted(tracks.glob("*.h5")):
        tid = path.stem
        target = root / tid[2] / tid[3] / tid[4] / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    return root


def test_directory_searched_at_depth(shared_msd, tmp_path):
    _msd_tree(shared_msd / "tracks", tmp_path / "MillionSongSubset" / "data")
    songs = read_all(tmp_path)
    assert len(songs) == 10
    assert source_kind(tmp_path) == "dir"


def test_tar_gz_read_in_place_matches_directory(shared_msd, tmp_path):
    tree = _msd_tree(shared_msd / "tracks", tmp_path / "tree" / "MillionSongSubset")
    archive = tmp_path / "millionsongsubset.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(tree, arcname="MillionSongSubset")
    assert source_kind(archive) == "tar"
    from_tar = {s.track_id: s for s in read_all(archive)}
    from_dir = {s.track_id: s for s in read_all(shared_msd / "tracks")}
    assert from_tar.keys() == from_dir.keys()
    for track_id, song in from_tar.items():
        np.testing.assert_array_equal(song.timbre, from_dir[track_id].timbre)
    assert not list((tmp_path).glob("MillionSongSubset"))  # nothing unpacked beside it
    locations = [p.location for p in iter_payloads(archive)]
    assert all("::MillionSongSubset/" in loc for loc in locations)


def test_strings_decoded_as_utf8_with_replacement():
    assert decode(b"Caf\xc3\xa9\x00\x00") == "Café"
    assert decode(b"bad \xff byte") == "bad \ufffd byte"


def test_unreadable_file_is_bad_file(tmp_path):
    path = tmp_path / "TRNOTAFILE.h5"
    path.write_bytes(b"\x00garbage" * 50)
    with pytest.raises(BadFile) as error:
        read_songs(FilePayload(str(path)))
    assert error.value.kind == "unreadable"


def _h5py_artists(path, row):
    """artist_id and similar_artists of song ``row``, read independently with plain h5py."""
    import h5py

    with h5py.File(path, "r") as h5:
        table = h5["metadata/songs"][()]
        similar = h5["metadata/similar_artists"][()]
    starts = [*table["idx_similar_artists"].tolist(), len(similar)]
    ids = similar[starts[row]:starts[row + 1]]
    return decode(table["artist_id"][row]), [decode(a) for a in ids]


def test_artist_id_and_similar_artists_of_single_track_files(shared_msd):
    for path in sorted((shared_msd / "tracks").glob("*.h5"))[:4]:
        [song] = read_songs(FilePayload(str(path)))
        artist_id, similar = _h5py_artists(path, 0)
        assert song.artist_id == artist_id and artist_id.startswith("AR") and len(artist_id) == 18
        assert song.similar_artists == similar and len(similar) == 100
        assert song.artist_id not in song.similar_artists


def test_artist_id_and_similar_artists_of_aggregate_file(shared_msd):
    path = shared_msd / "aggregate" / "msd_aggregate_3songs.h5"
    songs = read_songs(FilePayload(str(path)))
    singles = {s.track_id: s for s in read_all(shared_msd / "tracks")}
    for row, song in enumerate(songs):
        assert (song.artist_id, song.similar_artists) == _h5py_artists(path, row)
        single = singles[song.track_id]
        assert (song.artist_id, song.similar_artists) == (single.artist_id,
                                                          single.similar_artists)
    assert len({tuple(s.similar_artists) for s in songs}) == 3  # sliced, not the whole array


def test_scan_read_skips_similar_artists_and_missing_dataset_is_empty(shared_msd, tmp_path):
    import h5py

    source = shared_msd / "tracks" / "TRAAAAW128F429D538.h5"
    [song] = read_songs(FilePayload(str(source)), with_terms=False)
    assert song.artist_id == "ARD7TVE1187B99BFB1" and song.similar_artists == []
    copy = tmp_path / source.name
    shutil.copyfile(source, copy)
    with h5py.File(copy, "r+") as h5:
        del h5["metadata/similar_artists"]
    [song] = read_songs(FilePayload(str(copy)))
    assert song.similar_artists == [] and len(song.terms) == 37
