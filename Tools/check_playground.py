"""Draws on every playground of a built site in headless Chromium, with pointer events as a
reader's mouse makes them, and checks that the probabilities appear and match what the
page's own runtime computes for the drawn input (window.vizsitePlayground).

    .venv-check/bin/python Tools/check_playground.py Output

Uses Debian's chromium and chromium-driver through Selenium. Exits 1 on any failure.
"""
import sys
import time
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


def check(browser, page):
    browser.get(page.resolve().as_uri())
    deadline = time.time() + 20
    while not browser.execute_script("return !!(window.vizsitePlayground && window.vizsitePlayground.ready)"):
        if time.time() > deadline:
            return ["the playground never became ready"]
        time.sleep(0.1)
    problems = []
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
    if not status.startswith("Predicted"):
        problems.append(f"the status says {status!r}")
    return problems


def main():
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "Output")
    pages = sorted(p for p in root.rglob("*.html") if "viz-playground" in p.read_text(encoding="utf-8"))
    failures = 0
    browser = driver()
    try:
        for page in pages:
            problems = check(browser, page)
            for problem in problems:
                print(f"{page}: {problem}")
            failures += bool(problems)
    finally:
        browser.quit()
    print(f"{len(pages)} playground page(s) drawn on, {failures} failing")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
