"""The explorer in a real browser: Debian's headless chromium opens a small page from disk
with the network off, searches a song by part of its title (accents and case ignored), reads
its neighbours from the page, drags a box in one map and checks the other map's count; any
console error or non-file request fails it. Skipped, saying why, where no browser is found."""

from songspace.explorer import browser, page
from songspace.explorer.data import MethodMap, page_data, quantise

import numpy as np
import pytest

WHY = browser.missing()
pytestmark = pytest.mark.skipif(WHY is not None, reason=f"no browser test: {WHY}")

N, K, GROUP = 60, 4, 30


def small_page(folder):
    """Two groups of 30 songs; method "left" puts group 0 left, "right" puts it right and
    keeps its 30 songs together. Each song's neighbours: the next K songs of its group, the
    first of them by a similar artist."""
    rng = np.random.default_rng(0)
    group = np.arange(N) // GROUP
    spot = rng.normal(scale=0.4, size=(N, 2))
    left = spot + np.c_[group * 10.0, np.zeros(N)]
    right = spot + np.c_[(1 - group) * 10.0, np.zeros(N)]
    neighbours = np.array([[group[i] * GROUP + (i + 1 + j) % GROUP for j in range(K)]
                           for i in range(N)])
    similar = np.zeros((N, K), bool)
    similar[:, 0] = True
    titles = [f"Track {i:02d}" for i in range(N)]
    titles[7] = "Café Señorita"
    maps = [MethodMap(name, name.title(), xy, group, neighbours, similar,
                      {"knn_accuracy": 0.9, "nmi": 0.5, "similar_artist_rate": 0.25})
            for name, xy in (("left", left), ("right", right))]
    document = page_data(titles, [f"Artist {i % 12}" for i in range(N)], group, ["rock", "pop"],
                         ["#1f77b4", "#ff7f0e", "#c8c8c8"], maps, ("left", "right"), "test")
    page.write(folder, document)
    return folder / "index.html", titles, neighbours, quantise(left)


@pytest.fixture(scope="module")
def driver():
    chrome = browser.start()
    yield chrome
    chrome.quit()


def drag(driver, canvas, start, end):
    """A real mouse drag between two points given in page pixels (viewport, unscrolled)."""
    from selenium.webdriver.common.action_chains import ActionChains

    rect = canvas.rect
    centre = (rect["x"] + rect["width"] / 2, rect["y"] + rect["height"] / 2)
    (ActionChains(driver)
     .move_to_element_with_offset(canvas, int(start[0] - centre[0]), int(start[1] - centre[1]))
     .click_and_hold().move_by_offset(int((end[0] - start[0]) / 2), int((end[1] - start[1]) / 2))
     .move_by_offset(int((end[0] - start[0]) / 2), int((end[1] - start[1]) / 2))
     .release().perform())


def test_search_neighbours_and_linked_selection(driver, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    index, titles, neighbours, left_xy = small_page(tmp_path / "explorer")
    browser.open_page(driver, index)

    # search by part of a title, without its accents, in another case
    driver.find_element(By.ID, "search").send_keys("CAFE SEN")
    results = WebDriverWait(driver, 5).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#results li[data-song]"))
    assert [int(r.get_attribute("data-song")) for r in results] == [7]
    results[0].click()
    items = WebDriverWait(driver, 5).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#neighbours li"))
    assert [int(li.get_attribute("data-song")) for li in items] == neighbours[7].tolist()
    assert [li.find_element(By.CLASS_NAME, "title").text for li in items] == [
        titles[j] for j in neighbours[7]]
    assert [li.get_attribute("data-similar") for li in items] == ["1", "0", "0", "0"]
    assert "Café Señorita" in driver.find_element(By.ID, "chosen").text
    rings = driver.execute_script(
        "return explorer.idle().then(() => explorer.state.tops.map("
        "v => v.data('marked').length))")
    assert rings == [K + 1, K + 1]  # the song and its neighbours, ringed in both maps

    # a box around group 0 in the left map (screen pixels from the map's own scales)
    box = driver.execute_script("""
        const v = explorer.state.views[0], r = v.container().querySelector('canvas')
          .getBoundingClientRect(), o = v.origin(), xs = arguments[0], ys = arguments[1];
        const px = xs.map(x => r.left + o[0] + v.scale('x')(x));
        const py = ys.map(y => r.top + o[1] + v.scale('y')(y));
        return [Math.min(...px) - 6, Math.min(...py) - 6, Math.max(...px) + 6, Math.max(...py) + 6];
        """, *[left_xy[:GROUP, axis].tolist() for axis in (0, 1)])
    canvas = driver.find_element(By.CSS_SELECTOR, "#map-left canvas")
    drag(driver, canvas, (box[0], box[1]), (box[2], box[3]))
    WebDriverWait(driver, 5).until(
        lambda d: d.find_element(By.ID, "count-right").get_attribute("data-together"))
    mine, other = (driver.find_element(By.ID, f"count-{side}") for side in ("left", "right"))
    assert mine.get_attribute("data-selected") == str(GROUP)
    assert other.get_attribute("data-selected") == str(GROUP)
    assert other.get_attribute("data-together") == str(GROUP)  # the group stays together
    lit = driver.execute_script("return explorer.idle().then(() => explorer.state.tops"
                                ".map(v => v.data('lit').map(t => t.i).sort((a, b) => a - b)))")
    assert lit == [list(range(GROUP))] * 2  # the same songs lit in both maps

    assert browser.console_errors(driver) == []
    assert [u for u in browser.requests(driver) if not u.startswith(("file:", "data:"))] == []
