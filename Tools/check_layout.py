"""Looks at every page of a built site in headless Chromium at a desktop (1280×900) and a
phone (390×844) width and checks what a reader sees of wide content and figures:

- no figure, table, formula or code block is cut off at the right without an affordance
  (the page's script adds a "scroll sideways" hint under each block that still scrolls
  once it has taken the page's width; the shadow at the cut edge is CSS);
- a figure opened full size (a click on its image) is at least twice its inline size, or
  as large as the screen allows;
- on a home page every lesson card has a picture that loaded (a lesson without figures, its
  title set large), and every card's picture box has one aspect ratio (16:9);
- at the desktop width no text inside a figure is drawn under 12 px: HTML text by its
  computed size, SVG text by its size times the scale the SVG is drawn at;
- in dark mode (prefers-color-scheme: dark, at the desktop width) every figure's paper is
  dark, not a white slab on a dark page;
- on an emulated 1.6 Mbps link (150 ms latency, served over HTTP as a host would), every
  page's menu and search work within 3 s: its deferred scripts have run
  (DOMContentLoaded), however many megabytes of playground weights are still arriving.

    .venv-check/bin/python Tools/check_layout.py Output

Uses Debian's chromium and chromium-driver through Selenium. Exits 1 on any failure.
"""
import functools
import http.server
import sys
import threading
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

SIZES = {"desktop": (1280, 900), "phone": (390, 844)}

CUT_BLOCKS = """
const blocks = document.querySelectorAll(
  '.prose > figure.viz, .prose > .table-scroll, .prose > pre, .prose > math[display=block], .prose > .viz-scroll');
const cut = [];
blocks.forEach(b => {
  const inner = b.matches('.table-scroll, pre, math, .viz-scroll') ? [b]
    : Array.from(b.querySelectorAll('.viz-scroll, .arch, .table-scroll, pre, math[display=block]'));
  if (!inner.some(el => el.scrollWidth > el.clientWidth + 1)) return;
  const hint = b.nextElementSibling && b.nextElementSibling.classList.contains('scroll-hint');
  const scrolls = inner.every(el => el.scrollWidth <= el.clientWidth + 1 || getComputedStyle(el).overflowX !== 'hidden');
  if (!hint || !scrolls) cut.push((b.id || b.tagName.toLowerCase() + '.' + b.className) + ' (' +
    Math.round(b.getBoundingClientRect().width) + ' px shown)');
});
const wide = document.querySelectorAll('.prose > .l-page, .prose > .l-screen').length;
return {cut: cut, wide: wide};
"""

SHOW_IMAGE = """
const img = document.querySelector('figure.viz img');
if (img) img.scrollIntoView({block: 'center'});
return !!img;
"""

ZOOM = """
const img = document.querySelector('figure.viz img');
const inline = img.getBoundingClientRect().width;
img.click();
const big = document.querySelector('dialog.zoom img');
if (!big) return {inline: inline, zoomed: 0, limit: 0};
const zoomed = big.getBoundingClientRect().width;
const limit = Math.min(window.innerWidth * 0.9, window.innerHeight * 0.8 * img.naturalWidth / img.naturalHeight);
document.querySelector('dialog.zoom').close();
return {inline: inline, zoomed: zoomed, limit: limit};
"""

CARDS = """
const problems = [], boxes = document.querySelectorAll('.card');
boxes.forEach(card => {
  const title = (card.querySelector('.card-title') || card).textContent.trim().slice(0, 40);
  const box = card.querySelector('.card-image'), img = box && box.querySelector('img');
  const words = box && box.querySelector('.card-words');
  if (!img && !(words && words.textContent.trim())) { problems.push(title + ': no picture'); return; }
  if (img && (!img.complete || img.naturalWidth === 0)) problems.push(title + ': its picture did not load');
  const r = box.getBoundingClientRect();
  if (Math.abs(r.width / r.height - 16 / 9) > 0.02) problems.push(title + ': picture box ' + r.width.toFixed(0) + '×' + r.height.toFixed(0) + ', not 16:9');
});
return {cards: boxes.length, problems: problems};
"""

SMALL_TEXT = """
const small = [];
let count = 0;
document.querySelectorAll('figure.viz').forEach(f => {
  f.querySelectorAll('*').forEach(el => {
    if (el.closest('dialog') || !el.getClientRects().length) return;
    const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || ['title', 'style', 'script', 'desc'].includes(el.tagName.toLowerCase())) return;
    let size = parseFloat(getComputedStyle(el).fontSize);
    if (el instanceof SVGElement && el.getScreenCTM()) {
      const m = el.getScreenCTM();
      size *= Math.sqrt(m.a * m.a + m.b * m.b);
    }
    count += 1;
    if (size < 11.95) small.push((f.id || 'figure') + ': "' + el.textContent.trim().slice(0, 24) + '" ' + size.toFixed(1) + ' px');
  });
});
return {count: count, small: small};
"""


DARK_PAPER = """
const light = [];
document.querySelectorAll('figure.viz').forEach(f => {
  const [r, g, b] = getComputedStyle(f).backgroundColor.match(/[\\d.]+/g).map(Number);
  if ((0.2126 * r + 0.7152 * g + 0.0722 * b) / 255 > 0.3) light.push(f.id);
});
return {figures: document.querySelectorAll('figure.viz').length, light: light};
"""


def driver(width, height):
    options = Options()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", f"--window-size={width},{height}"):
        options.add_argument(flag)
    options.binary_location = "/usr/bin/chromium"
    browser = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    if width < 500:  # a window cannot be narrower than 500 px: emulate the phone's screen
        browser.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": True})
    return browser


SLOW_LINK = {"offline": False, "latency": 150, "downloadThroughput": 1.6e6 / 8, "uploadThroughput": 750e3 / 8}
SLOW_LIMIT = 3.0


def slow_link_times(out, pages):
    """Seconds to DOMContentLoaded (the deferred site script has run) for each page on a slow link."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    options = Options()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900"):
        options.add_argument(flag)
    options.binary_location = "/usr/bin/chromium"
    options.page_load_strategy = "none"  # do not wait for the weights: time the page, not them
    browser = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    times = {}
    try:
        browser.execute_cdp_cmd("Network.enable", {})
        browser.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
        browser.execute_cdp_cmd("Network.emulateNetworkConditions", SLOW_LINK)
        for page in pages:
            path = page.relative_to(out).parent.as_posix()
            browser.get(f"http://127.0.0.1:{server.server_port}/{path + '/' if path != '.' else ''}")
            deadline = time.time() + 60
            seconds = None
            while time.time() < deadline:
                seconds = browser.execute_script(
                    "const t = performance.timing; return t.domContentLoadedEventEnd > 0 && !!window.vizsiteSearch"
                    " ? (t.domContentLoadedEventEnd - t.navigationStart) / 1000 : null")
                if seconds is not None:
                    break
                time.sleep(0.1)
            times[path if path != "." else "home"] = seconds if seconds is not None else float("inf")
            browser.get("about:blank")
    finally:
        browser.quit()
        server.shutdown()
    return times


def main(out):
    pages = sorted(Path(out).rglob("index.html"))
    failures, widened, texts, cards = [], 0, 0, 0
    for size, (width, height) in SIZES.items():
        browser = driver(width, height)
        try:
            for page in pages:
                browser.get(page.resolve().as_uri())
                time.sleep(0.15)
                result = browser.execute_script(CUT_BLOCKS)
                widened += result["wide"]
                name = page.relative_to(out).parent.as_posix() or "home"
                failures += [f"{name} at {size}: {block} is cut with no sign that it scrolls" for block in result["cut"]]
                if browser.execute_script("return !!document.querySelector('.cards')"):
                    browser.execute_script("document.querySelectorAll('.card img').forEach(i => i.loading = 'eager')")
                    time.sleep(0.5)
                    result = browser.execute_script(CARDS)
                    cards += result["cards"]
                    failures += [f"{name} at {size}: card {p}" for p in result["problems"]]
                if size == "desktop":
                    text = browser.execute_script(SMALL_TEXT)
                    texts += text["count"]
                    failures += [f"{name} at {size}: text under 12 px in {t}" for t in text["small"][:5]]
                    if len(text["small"]) > 5:
                        failures.append(f"{name} at {size}: {len(text['small']) - 5} more texts under 12 px")
                if not browser.execute_script(SHOW_IMAGE):
                    continue
                time.sleep(0.2)  # the lazy image loads once on screen
                zoom = browser.execute_script(ZOOM)
                # Twice the inline size, or at least half of what the screen allows (a large picture).
                if zoom["zoomed"] < min(2 * zoom["inline"], zoom["limit"] / 2) - 1:
                    failures.append(
                        f"{name} at {size}: a figure opened full size is {zoom['zoomed']:.0f} px wide, "
                        f"inline {zoom['inline']:.0f} px (at least twice that, or the screen, expected)")
        finally:
            browser.quit()
    browser = driver(*SIZES["desktop"])
    browser.execute_cdp_cmd(
        "Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    dark_figures = 0
    try:
        for page in pages:
            browser.get(page.resolve().as_uri())
            result = browser.execute_script(DARK_PAPER)
            dark_figures += result["figures"]
            name = page.relative_to(out).parent.as_posix() or "home"
            failures += [f"{name} in dark mode: figure {f} is drawn on light paper" for f in result["light"]]
    finally:
        browser.quit()
    slow = slow_link_times(Path(out), pages)
    failures += [f"{name} on a 1.6 Mbps link: menu and search work after {s:.1f} s (at most {SLOW_LIMIT:.0f} s)"
                 for name, s in slow.items() if s > SLOW_LIMIT]
    slowest = max(slow, key=slow.get)
    for failure in failures:
        print(failure)
    print(f"1.6 Mbps link: menu and search working after at most {slow[slowest]:.2f} s ({slowest})")
    print(f"{len(pages)} pages × {len(SIZES)} widths: {widened} wide blocks given the page's width; "
          f"{dark_figures} figures on dark paper checked in dark mode; {cards} lesson cards checked; {texts} figure texts measured at the desktop "
          f"width; {len(failures)} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "Output"))
