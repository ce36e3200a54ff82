"""The README's picture of the explorer: reports/explorer/index.html in headless Chromium,
a song searched and chosen, a box selected in the left map.

    python tools/explorer_screenshot.py [--query love] [--out reports/explorer.png]
"""

import argparse
from pathlib import Path

from songspace.explorer import browser


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--page", type=Path, default=Path("reports/explorer/index.html"))
    parser.add_argument("--query", default="love")
    parser.add_argument("--out", type=Path, default=Path("reports/explorer.png"))
    args = parser.parse_args()
    driver = browser.start(1480, 860)
    try:
        browser.open_page(driver, args.page)
        driver.set_script_timeout(30)
        driver.execute_async_script("""
            const done = arguments[arguments.length - 1], st = explorer.state, q = arguments[0];
            const box = document.getElementById('search');
            box.value = q;
            explorer.choose(explorer.search(q)[0]).then(() => {
              box.value = q;
              document.getElementById('reset').click();
              return explorer.idle();
            }).then(() => {
              const canvas = st.dom[0].canvas, r = canvas.getBoundingClientRect();
              const fire = (t, type, x, y) => t.dispatchEvent(new MouseEvent(type,
                {clientX: x, clientY: y, bubbles: true, button: 0}));
              fire(canvas, 'mousedown', r.left + r.width * 0.04, r.top + r.height * 0.45);
              fire(window, 'mousemove', r.left + r.width * 0.25, r.top + r.height * 0.7);
              fire(window, 'mouseup', r.left + r.width * 0.25, r.top + r.height * 0.7);
              return explorer.idle();
            }).then(() => done(null));
            """, args.query)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(args.out))
        if errors := browser.console_errors(driver):
            raise SystemExit(f"console errors: {errors}")
    finally:
        driver.quit()
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
