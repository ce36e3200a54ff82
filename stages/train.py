"""Stage train (one per method): train or fit one method of params.yaml's ``methods`` on
the inputs its SPEC reads, and write its model, latents, metrics and curve.

A neural method (SPEC per_seed) is trained once per train.seeds entry (training/runs.py);
a deterministic one is fitted once and writes seed_0 latents (models/fitted.py).

Usage: python stages/train.py <method>
"""

from songspace.io import write_text
from songspace.models.registry import model_class
from songspace.models.spec import spec
from songspace.stage import method_and_params, run_stage
from songspace.training import outputs
from songspace.training.inputs import method_inputs


def main() -> None:
    method, params = method_and_params()
    found, model = spec(method), model_class(method)
    inputs = method_inputs(found, params)
    print(f"train {method}: {len(inputs)} songs, {found.reads}"
          + (f" ({inputs.shapes[-1][0]} words)" if found.reads_text else ""))
    if found.per_seed:
        from songspace.training.runs import train_neural  # torch: not for the fitted ones

        train_neural(method, lambda: model.from_params(params, inputs.shapes), inputs, params)
        return
    fitted = model.fit(params, inputs.arrays)
    fitted.save(outputs.model_dir(method))
    outputs.save_latents(fitted.transform(inputs.arrays), outputs.latent_path(method, 0))
    summary = fitted.summary()
    outputs.write_metrics(method, summary)
    write_text(outputs.curves_path(method), fitted.curve())
    print(f"train {method}: {summary}")


if __name__ == "__main__":
    run_stage(main)
