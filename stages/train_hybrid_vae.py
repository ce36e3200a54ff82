"""Stage train_hybrid_vae: audio statistics + artist-term TF-IDF fused in one VAE.

With model.hybrid.mask_genre_terms the words naming the ground-truth genres are removed
from its text input (the only use of the labels here; training stays unsupervised).
"""

from songspace.cli import run_stage
from songspace.models.hybrid_vae import HybridVAE
from songspace.params import load_params
from songspace.training.inputs import hybrid_inputs, load_genres
from songspace.training.runs import train_neural


def main() -> None:
    params = load_params()
    masked = load_genres() if params["model"]["hybrid"]["mask_genre_terms"] else None
    inputs = hybrid_inputs(masked_genres=masked)
    print(f"train_hybrid_vae: text input {inputs.shapes[1][0]} words"
          + (f" (genre words of {', '.join(masked)} removed)" if masked else ""))
    train_neural("hybrid_vae", lambda: HybridVAE.from_params(params, inputs.shapes), inputs,
                 params)


if __name__ == "__main__":
    run_stage(main)
