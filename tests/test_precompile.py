"""tools/precompile.py, which `make` runs after `pip install --no-compile`."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _precompile():
    spec = importlib.util.spec_from_file_location("precompile", ROOT / "tools" / "precompile.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_skips_only_test_suites_and_installers():
    skip = _precompile().NEVER_IMPORTED.search
    for path in ("pandas/tests/frame/test_api.py", "networkx/algorithms/test/test_x.py",
                 "pip/_internal/main.py", "setuptools/dist.py"):
        assert skip(path), path
    for path in ("torch/_dynamo/utils.py", "torch/testing/_comparison.py",
                 "dvc/repo/reproduce.py", "songspace/training/loop.py", "pipx/main.py"):
        assert not skip(path), path


def test_writes_bytecode_and_names_what_does_not_compile(tmp_path):
    good, bad = tmp_path / "good.py", tmp_path / "bad.py"
    good.write_text("VALUE = 1\n")
    bad.write_text("print 'python 2'\n")
    assert _precompile()._compile([str(good), str(bad)]) == [str(bad)]
    assert importlib.util.cache_from_source(str(good)) in {
        str(p) for p in (tmp_path / "__pycache__").iterdir()}
