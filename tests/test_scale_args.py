"""benchmarks/scale.py's --scratch: a missing directory is created, a file refused in one line."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def scale(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "benchmarks" / "scale.py"),
                           "--features-only", "--sizes", "100000", "--report-only", *args],
                          capture_output=True, text=True, check=False)


def test_a_missing_scratch_directory_is_created(tmp_path):
    scratch = tmp_path / "not" / "yet"
    result = scale("--scratch", str(scratch), "--results", str(tmp_path / "none.json"))
    assert scratch.is_dir()
    # --report-only with no figures stops here, in one line, after the check
    assert "Traceback" not in result.stderr
    assert "holds no figures yet" in result.stderr


def test_a_scratch_path_under_a_file_is_refused_in_one_line(tmp_path):
    (tmp_path / "file").write_text("")
    result = scale("--scratch", str(tmp_path / "file" / "dir"))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "--scratch" in result.stderr and "Traceback" not in result.stderr
