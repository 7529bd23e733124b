"""Draws on every playground of a built site in headless Chromium, with pointer events as a
reader's mouse makes them, and checks that the probabilities appear and match what the
page's own runtime computes for the drawn input (window.vizsitePlayground); then points
at a value of every feature-maps figure's dot-product view and checks that it is explained.

    .venv-check/bin/python Tools/check_playground.py Output

Uses Debian's chromium and chromium-driver through Selenium. Exits 1 on any failure.
"""
import re
import struct
import sys
import tempfile
import time
import zlib
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By


def driver():
    options = Options()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1200,1600"):
        options.add_argument(flag)
    options.binary_location = "/usr/bin/chromium"
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def png(rows):
    """A grayscale PNG of `rows` (0–255), written by hand so the check needs no imaging library."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + bytes(row) for row in rows)
    header = struct.pack(">IIBBBBB", len(rows[0]), len(rows), 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def check(browser, page):
    browser.get(page.resolve().as_uri())
    deadline = time.time() + 20
    while not browser.execute_script("return !!(window.vizsitePlayground && window.vizsitePlayground.ready)"):
        if time.time() > deadline:
            return ["the playground never became ready"]
        time.sleep(0.1)
    problems = [] if page_text(browser, "pg_draw") else ["the page carries no script strings (#vizsite-strings)"]
    canvas = browser.find_element(By.CSS_SELECTOR, ".pg-draw")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", canvas)
    browser.find_element(By.CSS_SELECTOR, ".pg-clear").click()
    # A "1": one stroke down the middle of the canvas, in small steps as a mouse reports them.
    size = canvas.size["height"]
    chain = ActionChains(browser).move_to_element_with_offset(canvas, 0, -size // 3).click_and_hold()
    for step in range(12):
        chain = chain.move_by_offset(0, size // 18)
    chain.release().perform()
    time.sleep(0.5)  # one animation frame is enough; leave room for a slow machine
    shown = [float(cell.text.rstrip(" %")) for cell in browser.find_elements(By.CSS_SELECTOR, ".pg-p")]
    result = browser.execute_script(
        "const p = window.vizsitePlayground; const x = p.input();"
        "return {ink: x.reduce((a, b) => a + b, 0), probabilities: p.explain(x, {method: 'gradcam'}).probabilities};")
    if result["ink"] < 5:
        problems.append(f"the stroke left almost no ink in the input ({result['ink']:.1f})")
    expected = [100 * p for p in result["probabilities"]]
    if len(shown) != len(expected) or any(abs(a - b) > 0.051 for a, b in zip(shown, expected)):
        problems.append(f"the bars show {shown}, the runtime computes {[round(e, 1) for e in expected]}")
    if abs(sum(shown) - 100) > 0.6:
        problems.append(f"the probabilities shown add up to {sum(shown):.1f} %")
    status = browser.find_element(By.CSS_SELECTOR, ".pg-status").text
    # "Predicted 7 (99.9 %); computed in 1.2 ms." in any edition's words: the time is there.
    if not re.search(r"\d ms", status):
        problems.append(f"the status says {status!r}")
    # An image file, dark ink on a light page as a photo of paper would be: a bar, which the
    # figure must invert and take as the input.
    rows = [[40 if 8 <= x <= 11 and 5 <= y <= 34 else 235 for x in range(20)] for y in range(40)]
    with tempfile.NamedTemporaryFile(suffix=".png", delete=False) as f:
        f.write(png(rows))
    browser.find_element(By.CSS_SELECTOR, ".pg-file").send_keys(f.name)
    time.sleep(1)
    after = browser.execute_script(
        "const x = window.vizsitePlayground.input(); return {ink: x.reduce((a, b) => a + b, 0),"
        " corner: x[0], label: document.querySelector('.pg-seen').getAttribute('aria-label')};")
    if after["ink"] < 5 or after["corner"] > 0:
        problems.append(f"an opened image did not become light ink on dark ({after})")
    if not re.search(r"\d+ ?%", after["label"] or "") or after["label"] == page_text(browser, "pg_empty"):
        problems.append(f"the input's text alternative says {after['label']!r}")
    Path(f.name).unlink()
    problems += check_browser(browser) + check_smoothgrad(browser)
    return problems


def check_browser(browser):
    """Opens the held-out images, filters the misclassified 7s, picks the first, and checks
    that the runtime on the picked input predicts what the build recorded for that image."""
    details = browser.find_elements(By.CSS_SELECTOR, ".pg-browse")
    if not details:
        return []
    summary = details[0].find_element(By.CSS_SELECTOR, "summary")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", summary)
    summary.click()
    deadline = time.time() + 20
    while not browser.find_elements(By.CSS_SELECTOR, ".pg-thumb"):
        if time.time() > deadline:
            return ["the test images never appeared in the browser"]
        time.sleep(0.1)
    all_count = len(browser.find_elements(By.CSS_SELECTOR, ".pg-thumb"))
    browser.execute_script(
        "const d = arguments[0], s = d.querySelector('.pg-class'); s.value = '7';"
        " s.dispatchEvent(new Event('change')); const c = d.querySelector('.pg-misclassified');"
        " c.checked = true; c.dispatchEvent(new Event('change'));", details[0])
    thumbs = browser.find_elements(By.CSS_SELECTOR, ".pg-thumb")
    if not thumbs or not all("pg-wrong" in t.get_attribute("class") for t in thumbs):
        return [f"the misclassified filter shows {len(thumbs)} thumbnails, not all misclassified"]
    if len(thumbs) >= all_count:
        return [f"filtering kept {len(thumbs)} of {all_count} thumbnails"]
    index = int(thumbs[0].get_attribute("data-index"))
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", thumbs[0])
    thumbs[0].click()
    time.sleep(0.5)
    result = browser.execute_script(
        "const s = Object.values(window.vizsiteSprites)[0], p = window.vizsitePlayground;"
        " const r = p.explain(p.input(), {method: 'gradcam'}); const l = r.logits;"
        " return {label: s.labels[arguments[0]], recorded: s.predicted[arguments[0]],"
        " predicted: l.indexOf(Math.max(...l)), status: document.querySelector('.pg-status').textContent};", index)
    problems = []
    if result["predicted"] != result["recorded"] or result["predicted"] == result["label"]:
        problems.append(f"picked test[{index}]: the runtime predicts {result['predicted']}, the build recorded "
                        f"{result['recorded']}, the label is {result['label']}")
    if f"[{index}]" not in result["status"]:
        problems.append(f"the status does not name the picked image: {result['status']!r}")
    return problems


def check_smoothgrad(browser):
    """Switches the gradient map to SmoothGrad and checks that it is drawn once the input is still."""
    choice = browser.find_elements(By.CSS_SELECTOR, ".pg-gradient-method")
    if not choice:
        return []
    browser.execute_script(
        "arguments[0].value = 'smoothgrad'; arguments[0].dispatchEvent(new Event('change'));", choice[0])
    time.sleep(2)
    state = browser.execute_script(
        "return {stale: document.querySelector('.pg-saliency').classList.contains('pg-stale'),"
        " status: document.querySelector('.pg-status').textContent};")
    timing = page_text(browser, "pg_smoothgrad_time").split("{ms}")[0]
    if state["stale"] or timing not in state["status"]:
        return [f"SmoothGrad was not drawn: {state}"]
    return []


def page_text(browser, key):
    """The page scripts' sentence `key` (a script.* string) as the page carries it, in its language."""
    script = ("const b = document.getElementById('vizsite-strings');"
              " return b && JSON.parse(b.textContent)[arguments[0]];")
    return browser.execute_script(script, key) or ""


def check_dots(browser, page):
    """Points at a value of every feature-maps figure with a dot-product view and checks that
    the view explains it: the value's header, and a sum or a pooling window."""
    browser.get(page.resolve().as_uri())
    problems = [] if page_text(browser, "fd_head") else ["the page carries no script strings (#vizsite-strings)"]
    for n, figure in enumerate(browser.find_elements(By.CSS_SELECTOR, ".fm-dots")):
        image = figure.find_elements(By.CSS_SELECTOR, ".viz-grid img")[0]
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", image)
        ActionChains(browser).move_to_element(image).perform()
        deadline = time.time() + 10
        text = ""
        while time.time() < deadline:
            ActionChains(browser).move_by_offset(1, 0).perform()
            text = figure.find_element(By.CSS_SELECTOR, ".fm-dot-panel").text
            if text:
                break
            time.sleep(0.2)
        # The view's sentences in the page's language: "…, channel 0, …", then "…; plus the bias …"
        # for a convolution or "Max pooling keeps …" for pooling.
        channel = page_text(browser, "fd_head").split("{k}")[0].split("{layer}")[-1] + "0"
        bias = page_text(browser, "fd_one_total").split("{bias}")[0].split("{total}")[-1]
        pooling = page_text(browser, "fd_maxpool").split("{value}")[0]
        if channel not in text or not (bias in text or pooling in text):
            problems.append(f"dot-product view {n}: pointing at a value shows {text[:80]!r}")
    return problems


def main():
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "Output")
    texts = {p: p.read_text(encoding="utf-8") for p in root.rglob("*.html")}
    pages = sorted(p for p, text in texts.items() if "viz-playground" in text)
    dot_pages = sorted(p for p, text in texts.items() if " fm-dots\"" in text)
    failures = 0
    browser = driver()
    try:
        for page in pages:
            problems = check(browser, page)
            for problem in problems:
                print(f"{page}: {problem}")
            failures += bool(problems)
        for page in dot_pages:
            problems = check_dots(browser, page)
            for problem in problems:
                print(f"{page}: {problem}")
            failures += bool(problems)
    finally:
        browser.quit()
    print(f"{len(pages)} playground page(s) drawn on, {len(dot_pages)} page(s) of dot-product views pointed at, "
          f"{failures} failing")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
