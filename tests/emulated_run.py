"""Runs, in the current directory (a project whose inputs are made), the stages
tests/test_emulated_cpu.py compares natively and on emulated CPUs: every neural method's
training (params.yaml's methods whose SPEC is per_seed), then the evaluation stages of one
learned method. All in this one process, each stage's script as `dvc repro` runs it, so an
emulated run imports torch once (about 20 s)."""

import runpy
import sys

from songspace.models.spec import spec  # songspace first: it pins the CPU kernels
from songspace.params import load_params

EVALUATED = "conv_vae"  # the learned method whose evaluation stages run


def steps() -> list[str]:
    """The command lines, as in dvc.yaml: the one place that says how a method is trained."""
    neural = [method for method in load_params()["methods"] if spec(method).per_seed]
    return ([f"stages/train.py {method}" for method in neural]
            + [f"stages/{stage}.py {EVALUATED}" for stage in ("cluster_eval", "tsne",
                                                               "retrieval_eval")])


def main() -> None:
    """Every step, or the command lines given as arguments ("stages/tsne.py pca" ...)."""
    for step in sys.argv[1:] or steps():
        script, *args = step.split()
        sys.argv = [script, *args]
        runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main()
