"""Write the explorer: index.html, its data as a script beside it, and the page's own
assets (explorer.js, explorer.css, the vendored Vega), in one folder a browser opens from
disk. The data is a classic script, not a JSON file fetched at view time: browsers refuse
fetch() on file:// pages, and a script needs no server and no network."""

import shutil
from importlib import resources
from pathlib import Path

from songspace.explorer.data import dumps

ASSETS = ("index.html", "explorer.js", "explorer.css", "vendor/vega-6.4.0.min.js",
          "vendor/LICENSE-vega.txt", "vendor/README.md")
DATA_FILE = "data.js"
GLOBAL = "SONGSPACE_EXPLORER"


def write(folder: Path, document: dict) -> dict[str, int]:
    """Replace ``folder`` with the page showing ``document`` (data.page_data); returns each
    file's size in bytes. Written beside it and renamed, so a failed run leaves the old page."""
    folder = Path(folder)
    staging = folder.with_name(f".{folder.name}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "vendor").mkdir(parents=True)
    assets = resources.files("songspace.explorer") / "assets"
    for name in ASSETS:
        (staging / name).write_bytes((assets / name).read_bytes())
    (staging / DATA_FILE).write_text(f"window.{GLOBAL} = {dumps(document)};\n",
                                     encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)
    return {str(path.relative_to(folder)): path.stat().st_size
            for path in sorted(folder.rglob("*")) if path.is_file()}
