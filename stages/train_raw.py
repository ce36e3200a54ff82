"""Stage train_raw: the z-scored 144 statistics as they are, the what-no-learning-gives
baseline. Deterministic, so it writes only seed_0 latents, like PCA."""

from songspace.cli import run_stage
from songspace.training import outputs
from songspace.training.inputs import stats_inputs


def main() -> None:
    (stats,) = stats_inputs().arrays
    outputs.save_latents(stats, outputs.latent_path("raw", 0))
    print(f"train_raw: {stats.shape[0]} songs x {stats.shape[1]} z-scored statistics")


if __name__ == "__main__":
    run_stage(main)
