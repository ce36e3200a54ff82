"""Stage train_conv_vae: the 1-D convolutional VAE on the z-scored (24, L) sequences."""

from songspace.cli import run_stage
from songspace.models.conv_vae import ConvVAE
from songspace.params import load_params
from songspace.training.inputs import sequence_inputs
from songspace.training.runs import train_neural


def main() -> None:
    params = load_params()
    inputs = sequence_inputs()
    train_neural("conv_vae", lambda: ConvVAE.from_params(params, inputs.shapes), inputs, params)


if __name__ == "__main__":
    run_stage(main)
