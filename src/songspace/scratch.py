"""A scratch copy of the pipeline with some params changed.

Tests and benchmarks run DVC for real, but never in the user's workspace: they copy the
pipeline's files into a fresh git repository and change params.yaml there.
"""

import shutil
import subprocess
from pathlib import Path

import yaml

PIPELINE_FILES = ("dvc.yaml", "stages", "src", ".dvc/config", ".dvc/plots", ".dvcignore",
                  ".gitignore")


def merge_params(base: dict, override: dict) -> dict:
    """``base`` with ``override`` applied key by key, nested mappings merged."""
    merged = dict(base)
    for key, value in override.items():
        nested = isinstance(value, dict) and isinstance(base.get(key), dict)
        merged[key] = merge_params(base[key], value) if nested else value
    return merged


def copy_pipeline(root: Path, dest: Path, overrides: dict, commit: bool = False) -> Path:
    """Copy the pipeline of the project at ``root`` into ``dest`` (a new git repository) with
    params.yaml changed by ``overrides``; ``commit`` makes a first commit (`dvc exp run`
    needs one)."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in PIPELINE_FILES:
        source = root / name
        if source.is_dir():
            shutil.copytree(source, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    params = yaml.safe_load((root / "params.yaml").read_text(encoding="utf-8"))
    (dest / "params.yaml").write_text(yaml.safe_dump(merge_params(params, overrides),
                                                     sort_keys=False), encoding="utf-8")
    steps = [["init", "-q"]]
    if commit:
        steps += [["add", "-A"], ["-c", "user.name=songspace", "-c", "user.email=scratch@localhost",
                                  "commit", "-q", "-m", "scratch copy"]]
    for args in steps:
        subprocess.run(["git", *args], cwd=dest, check=True, capture_output=True)
    return dest
