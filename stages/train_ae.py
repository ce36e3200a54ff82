"""Stage train_ae: the deterministic MLP autoencoder on the z-scored 144 statistics."""

from songspace.cli import run_stage
from songspace.models.autoencoder import Autoencoder
from songspace.params import load_params
from songspace.training.inputs import stats_inputs
from songspace.training.runs import train_neural


def main() -> None:
    params = load_params()
    inputs = stats_inputs()
    train_neural("ae", lambda: Autoencoder.from_params(params, inputs.shapes), inputs, params)


if __name__ == "__main__":
    run_stage(main)
