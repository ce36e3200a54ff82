"""Stage train_text: TF-IDF of the artist terms reduced by TruncatedSVD to the AE's latent
size, the what-the-tags-alone-give baseline. Deterministic for a seed: seed_0 latents only,
and the projection (models/text/svd.npz) that places a song outside the subset."""

from songspace.cli import run_stage
from songspace.models.text_svd import TextSVD
from songspace.params import load_params
from songspace.text import load_tfidf
from songspace.training import outputs
from songspace.training.inputs import TEXT


def main() -> None:
    params = load_params()
    _, tfidf, _ = load_tfidf(TEXT)
    svd = TextSVD.fit(tfidf, params["model"]["ae"]["latent_dim"], params["seed"])
    svd.save(outputs.TEXT_MODEL)
    outputs.save_latents(svd.transform(tfidf), outputs.latent_path("text", 0))
    print(f"train_text: {svd.latent_dim} SVD components of the TF-IDF explain "
          f"{svd.explained_variance_ratio.sum():.1%} of its variance")


if __name__ == "__main__":
    run_stage(main)
