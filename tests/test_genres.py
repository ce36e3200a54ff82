"""The ground-truth genre rule on hand-made cases."""

from songspace.genres import derive_genres, label_summary, support_scores

import numpy as np


def test_subgenre_terms_support_their_genre():
    scores = support_scores([["alternative rock", "blues-rock", "hip hop", "synthpop"]],
                            [[0.5, 0.25, 0.4, 0.9]], [[1, 1, 1, 1]], ["rock", "hip hop", "pop"])
    np.testing.assert_allclose(scores, [[0.75, 0.4, 0.0]])


def test_freq_used_when_weights_are_all_zero():
    scores = support_scores([["jazz"]], [[0.0]], [[0.6]], ["jazz"])
    assert scores[0, 0] == 0.6


def test_most_common_genres_kept_and_unsupported_songs_unlabelled():
    terms = [["rock"], ["rock", "pop"], ["pop"], ["jazz"], ["united states"], ["pop rock"]]
    weights = [[1], [1, 0.5], [1], [1], [1], [1]]
    genres, labels = derive_genres(terms, weights, weights, ["rock", "pop", "jazz"], n=2)
    assert genres == ["rock", "pop"]
    # the jazz song has no kept genre; "pop rock" ties rock/pop and goes to the commoner rock
    assert labels.tolist() == [0, 0, 1, -1, -1, 0]


def test_summary_counts_and_majority_share():
    summary = label_summary(["rock", "pop"], np.array([0, 0, 0, 1, -1]))
    assert summary["labelled"] == 4 and summary["unlabelled"] == 1
    assert summary["majority_genre"] == "rock" and summary["majority_share"] == 0.75
    assert summary["counts"] == {"rock": 3, "pop": 1}
