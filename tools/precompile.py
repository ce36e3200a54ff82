"""Byte-compile the modules the pipeline, DVC and the tests import; run once by `make`.

`pip install` compiles every file of the environment (13,700 of them, about half of a
90 s install on 2 cores), while the stages, DVC and pytest import about 2,600. So the
Makefile installs with --no-compile and runs this, which imports them with bytecode
writing on (even under PYTHONDONTWRITEBYTECODE). A module left out is compiled when it is
first imported, as Python always does.
"""

import importlib
import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENTRY_POINTS = [  # what dvc repro / exp run / metrics diff / plots show and pytest load
    "dvc.cli", "dvc.commands.repro", "dvc.commands.experiments", "dvc.commands.metrics",
    "dvc.commands.plots", "dvc.commands.status", "dvc.repo.reproduce",
    "dvc.repo.experiments.run", "dvc.repo.metrics.diff", "dvc.repo.plots.diff",
    "pytest", "songspace.retrieval.cli",
]


def _load_stage(script: Path) -> None:
    spec = importlib.util.spec_from_file_location(f"_stage_{script.stem}", script)
    spec.loader.exec_module(importlib.util.module_from_spec(spec))


def main() -> None:
    """A warm-up, never a gate: what fails to import here fails later with its own error."""
    sys.dont_write_bytecode = False
    loads = [(name, importlib.import_module, name) for name in ENTRY_POINTS]
    loads += [(f"stages/{p.name}", _load_stage, p) for p in sorted((ROOT / "stages").glob("*.py"))]
    for label, load, target in loads:
        try:
            load(target)
        except Exception as error:  # reported; the install goes on
            print(f"precompile: skipped {label} ({type(error).__name__}: {error})")
    print(f"bytecode written for the {len(sys.modules)} modules the pipeline and tests import")


if __name__ == "__main__":
    main()
