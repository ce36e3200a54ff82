"""The explorer page at scale (issue 30): built at 5,500 songs (the default task) and 20,000
(tsne.max_songs, the most songs a map shows) for the pipeline's 7 methods, opened from disk
in headless Chromium with the network off.

    python benchmarks/explorer.py [--sizes 5500 20000] [--repeats 15] [--out reports/benchmarks.md]

The data are synthetic (seeded): 8 genre blobs per map, titles and artists from word lists,
10 neighbours a song; the page's code and library are the stage's own. Measured in the page:
- open: navigation start to both maps drawn (median of 3 loads);
- hover: a mousemove on a point until the tooltip shows and the next frame is painted;
- selection: mousedown, move, mouseup over a quarter of the left map until both maps are
  redrawn with the selection lit and the other map's count written, then the next frame;
- search: one keystroke's input event until the result list is drawn, then the next frame;
- choose: picking a song until both maps are centred and redrawn with its neighbours.
Targets: open under 2 s; hover, selection and search under 100 ms (median and p95 reported,
the verdict on p95). Nothing is written except the report section with --out.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from songspace.evaluation import methods
from songspace.explorer import browser, page
from songspace.explorer.data import MethodMap, page_data
from songspace.params import load_params

import numpy as np
from common import ROOT, machine, update_report, verdict

METHODS = list(load_params(ROOT / "params.yaml")["methods"])

OPEN_MS, ANSWER_MS = 2000.0, 100.0
K = 10
WORDS = ("love night blue fire heart dream rain road home river light city summer gold "
         "wild song dance moon star ghost electric stone sweet lonely").split()
QUERIES = ("lo", "love", "night b", "rive", "é", "moon st", "gho", "city", "wild s", "zz")

MEASURE = """
const [what, repeats] = [arguments[0], arguments[1]], done = arguments[arguments.length - 1];
const frame = () => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
const st = explorer.state, v = st.views[0], canvas = st.dom[0].canvas;
const rect = canvas.getBoundingClientRect(), sx = v.scale('x'), sy = v.scale('y');
const m = st.views[0].data('points');
const fire = (target, type, x, y) => target.dispatchEvent(new MouseEvent(type,
  {clientX: x, clientY: y, bubbles: true, cancelable: true, button: 0, view: window}));
(async () => {
  const times = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    if (what === 'hover') {
      const p = m[(r * 7919) % m.length];
      const [x, y] = [rect.left + sx(p.x), rect.top + sy(p.y)];
      canvas.dispatchEvent(new PointerEvent('pointermove', {clientX: x, clientY: y,
        bubbles: true, cancelable: true, pointerType: 'mouse', isPrimary: true}));
      fire(canvas, 'mousemove', x, y);
      if (document.getElementById('tooltip').hidden) throw new Error('no tooltip');
    } else if (what === 'selection') {
      const f = (r % 4) / 4, w = rect.width / 2, h = rect.height / 2;
      const x0 = rect.left + f * w, y0 = rect.top + (1 - f) * h;
      fire(canvas, 'mousedown', x0, y0);
      fire(window, 'mousemove', x0 + w / 2, y0 + h / 2);
      fire(window, 'mouseup', x0 + w, y0 + h);
      await explorer.idle();
    } else if (what === 'search') {
      const box = document.getElementById('search');
      box.value = arguments[2][r % arguments[2].length];
      box.dispatchEvent(new Event('input'));
    } else if (what === 'choose') {
      await explorer.choose((r * 104729) % m.length);
    }
    await frame();
    times.push(performance.now() - t0);
  }
  return times;
})().then(done, e => done('error: ' + e));
"""


def synthetic_page(folder: Path, n: int, seed: int = 0) -> dict[str, int]:
    """A page like the stage's for ``n`` songs and the pipeline's methods."""
    rng = np.random.default_rng(seed)
    genre = rng.integers(-1, 8, n)
    titles = [" ".join(rng.choice(WORDS, rng.integers(1, 4))).title() for _ in range(n)]
    titles[::97] = [t + " (Café Version)" for t in titles[::97]]
    artists = [f"The {rng.choice(WORDS).title()} {i % (n // 3)}" for i in range(n)]
    maps = []
    for index, name in enumerate(METHODS):
        centres = rng.normal(scale=30, size=(8, 2))
        xy = centres[np.maximum(genre, 0)] + rng.normal(scale=6 + index, size=(n, 2))
        maps.append(MethodMap(name, methods.title(name), xy, rng.integers(0, 8, n),
                              rng.integers(0, n, (n, K)), rng.random((n, K)) < 0.15,
                              {"knn_accuracy": 0.8, "nmi": 0.4, "similar_artist_rate": 0.15}))
    colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
               "#bcbd22", "#c8c8c8"]
    document = page_data(titles, artists, genre, [f"genre {g}" for g in range(8)], colours,
                         maps, ("conv_vae", "pca"), "synthetic benchmark data")
    return page.write(folder, document)


def summary(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def run_size(n: int, repeats: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        sizes = synthetic_page(Path(tmp) / "explorer", n)
        driver = browser.start()
        try:
            opens = [browser.open_page(driver, Path(tmp) / "explorer" / "index.html")
                     for _ in range(3)]
            row = {"n": n, "mb": sum(sizes.values()) / 1e6, "data_mb": sizes["data.js"] / 1e6,
                   "open": statistics.median(opens)}
            driver.set_script_timeout(120)
            for what in ("hover", "selection", "search", "choose"):
                times = driver.execute_async_script(MEASURE, what, repeats, list(QUERIES))
                if isinstance(times, str):
                    raise RuntimeError(f"{what} at {n:,} songs: {times}")
                row[what] = summary(times)
            errors = browser.console_errors(driver)
            outside = [u for u in browser.requests(driver) if not u.startswith(("file:", "data:"))]
            if errors or outside:
                raise RuntimeError(f"console errors {errors}; non-file requests {outside}")
        finally:
            driver.quit()
    print(f"{n:,} songs: {row}", flush=True)
    return row


def table(rows: list[dict]) -> list[str]:
    lines = ["| songs per map | page files (data.js) | open | hover | selection | search | "
             "choose a song |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        cells = [f"{r[w][0]:.0f} / {r[w][1]:.0f} ms" for w in ("hover", "selection", "search",
                                                                "choose")]
        lines.append(f"| {r['n']:,} | {r['mb']:.2f} MB ({r['data_mb']:.2f} MB) | "
                     f"{r['open']:.0f} ms | " + " | ".join(cells) + " |")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5500, 20000])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--out", type=Path, default=None,
                        help="also write the figures to this report (its explorer section)")
    args = parser.parse_args()
    if why := browser.missing():
        print(f"no browser: {why}")
        return 2
    description, started = machine(), time.strftime("%Y-%m-%d %H:%M")
    print(f"machine: {description}")
    rows = [run_size(n, args.repeats) for n in args.sizes]
    verdicts = []
    for r in rows:
        open_ok = r["open"] < OPEN_MS
        answers_ok = all(r[w][1] < ANSWER_MS for w in ("hover", "selection", "search"))
        verdicts.append(f"{r['n']:,} songs: open < {OPEN_MS / 1000:.0f} s {verdict(open_ok)} "
                        f"({r['open']:.0f} ms); hover, selection and search < "
                        f"{ANSWER_MS:.0f} ms (p95) {verdict(answers_ok)}")
    ok = all("FAIL" not in v for v in verdicts)
    print("\n".join(table(rows) + verdicts))
    if args.out:
        update_report(args.out, "explorer", "\n".join([
            "## Explorer page (reports/explorer/index.html)", "",
            f"`python benchmarks/explorer.py` ({started}): the stage's page code on synthetic "
            f"data for the {len(METHODS)} methods ({K} neighbours a song), opened from "
            "disk in headless Chromium (Debian's, `--headless=new`, canvas renderer, no GPU) "
            "with the network off. Open: navigation to both maps drawn (median of 3 loads). "
            f"Answers: median / p95 of {args.repeats} tries, each until the next frame is "
            "painted (hover: the tooltip; selection: a box over a quarter of the left map, "
            "both maps redrawn and the count written; search: one keystroke's result list; "
            f"choose a song: both maps centred on it with its neighbours). Machine: "
            f"{description}.", "", *table(rows), "", *[f"- {v}" for v in verdicts]]))
        print(f"written to {args.out}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
