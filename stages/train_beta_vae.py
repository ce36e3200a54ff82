"""Stage train_beta_vae: the Beta-VAE (beta = model.beta) on the z-scored 144 statistics."""

from songspace.cli import run_stage
from songspace.models.beta_vae import BetaVAE
from songspace.params import load_params
from songspace.training.inputs import stats_inputs
from songspace.training.runs import train_neural


def main() -> None:
    params = load_params()
    inputs = stats_inputs()
    train_neural("beta_vae", lambda: BetaVAE.from_params(params, inputs.shapes), inputs, params)


if __name__ == "__main__":
    run_stage(main)
