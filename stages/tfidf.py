"""Stage tfidf: TF-IDF of each song's artist_terms joined into one string."""

from pathlib import Path

from songspace.params import load_params
from songspace.stage import run_stage
from songspace.terms import load_terms
from songspace.text import fit_tfidf, save_tfidf, song_documents

FEATURES = Path("data/features")
OUT_DIR = Path("data/text")


def main() -> None:
    params = load_params()["tfidf"]
    terms = load_terms(FEATURES, columns=["track_id", "terms"])  # not the 2 x 20M numbers
    matrix, vocabulary, idf = fit_tfidf(song_documents(terms["terms"]), params["max_features"],
                                        params["stop_words"])
    save_tfidf(OUT_DIR, matrix, vocabulary, terms["track_id"], idf)
    print(f"tfidf: {matrix.shape[0]} songs x {matrix.shape[1]} terms")


if __name__ == "__main__":
    run_stage(main)
