"""Runs, in the current directory (a project whose inputs are made), the stages
tests/test_emulated_cpu.py compares natively and on emulated CPUs: every neural model's
training, then the evaluation stages of one learned method. All in this one process, each
stage's script as `dvc repro` runs it, so an emulated run imports torch once (about 20 s)."""

import runpy
import sys

import songspace  # noqa: F401  (first: it pins the CPU kernels before numpy and torch load)

# The command lines, as in dvc.yaml: the one place that says how each model is trained.
TRAIN = ["stages/train_ae.py", "stages/train_beta_vae.py", "stages/train_conv_vae.py",
         "stages/train_hybrid_vae.py"]
EVALUATED = "conv_vae"  # the learned method whose evaluation stages run
EVALUATE = [f"stages/{stage}.py {EVALUATED}" for stage in ("cluster_eval", "tsne",
                                                           "retrieval_eval")]
STEPS = TRAIN + EVALUATE


def main() -> None:
    """Every step, or the command lines given as arguments ("stages/tsne.py pca" ...)."""
    for step in sys.argv[1:] or STEPS:
        script, *args = step.split()
        sys.argv = [script, *args]
        runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main()
