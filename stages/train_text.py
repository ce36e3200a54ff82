"""Stage train_text: TF-IDF of the artist terms reduced by TruncatedSVD to the AE's latent
size, the what-the-tags-alone-give baseline. Deterministic for a seed: seed_0 latents only."""

from songspace.cli import run_stage
from songspace.models.text_svd import text_svd
from songspace.params import load_params
from songspace.text import load_tfidf
from songspace.training import outputs
from songspace.training.inputs import TEXT


def main() -> None:
    params = load_params()
    _, tfidf, _ = load_tfidf(TEXT)
    latents, ratio = text_svd(tfidf, params["model"]["ae"]["latent_dim"], params["seed"])
    outputs.save_latents(latents, outputs.latent_path("text", 0))
    print(f"train_text: {latents.shape[1]} SVD components of the TF-IDF explain "
          f"{ratio.sum():.1%} of its variance")


if __name__ == "__main__":
    run_stage(main)
