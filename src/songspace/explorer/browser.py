"""Headless Chromium for the explorer's browser test, benchmark and README screenshot:
Debian's chromium driven by its own chromedriver (never one Selenium Manager downloads),
the network switched off, and what the page logged or requested.

Selenium is a dev dependency: import this module only where a browser is wanted.
"""

import shutil
from pathlib import Path

CHROMIUM = ("chromium", "chromium-browser", "google-chrome")
CHROMEDRIVER = ("chromedriver",)


def find(names: tuple[str, ...]) -> str | None:
    """The first of ``names`` on PATH or in /usr/bin (where Debian puts them)."""
    for name in names:
        if found := shutil.which(name) or shutil.which(name, path="/usr/bin"):
            return found
    return None


def missing() -> str | None:
    """Why no browser can run here, or None when one can."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e .[dev])"
    if find(CHROMIUM) is None:
        return "no chromium found (apt-get install chromium chromium-driver)"
    if find(CHROMEDRIVER) is None:
        return "no chromedriver found (apt-get install chromium-driver)"
    return None


def start(width: int = 1600, height: int = 1000):
    """A headless Chromium with the network off (DevTools offline emulation) that logs the
    page's console and network requests for ``console_errors`` and ``requests``."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = find(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--disable-extensions", "--no-first-run", "--hide-scrollbars",
                 f"--window-size={width},{height}", "--force-device-scale-factor=1",
                 "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(find(CHROMEDRIVER)))
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
        "offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0})
    return driver


def console_errors(driver) -> list[str]:
    """The console's errors since the last call (uncaught exceptions included)."""
    return [entry["message"] for entry in driver.get_log("browser")
            if entry["level"] == "SEVERE"]


def requests(driver) -> list[str]:
    """Every URL the page asked for since the last call (DevTools network events)."""
    import json

    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def open_page(driver, index: Path, timeout: float = 30.0) -> float:
    """Open ``index`` from disk and wait until the page says it is drawn; the milliseconds
    from navigation to that moment."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(Path(index).resolve().as_uri())
    WebDriverWait(driver, timeout).until(
        lambda d: d.execute_script("return document.body && document.body.dataset.ready"))
    return float(driver.execute_script("return window.explorerReadyMs"))
