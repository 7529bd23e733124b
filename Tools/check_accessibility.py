"""axe-core over every page of a built site, at desktop and phone widths, in light and dark,
in headless Chromium (Debian's chromium and chromium-driver, driven by Selenium).

axe-core comes from the PyPI package axe-playwright-python, which bundles a current
axe.min.js (4.12 in 0.1.8); only that file is used, so the package is installed without its
Playwright dependency. Older bundles (axe-core-python ships 4.4) misread modern CSS colours
such as color-mix(), so the bundled version is checked: 4.8 or later.

Fails on any violation of impact serious or critical; lists the others (minor, moderate),
each rule once, with the pages it was seen on, for README's list of what remains and why.

    .venv-check/bin/python Tools/check_accessibility.py Output
"""

from __future__ import annotations

import sys

sys.dont_write_bytecode = True

import functools
import http.server
import importlib.util
import re
import threading
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_playground import driver  # noqa: E402

MINIMUM = (4, 8)
WIDTHS = {"desktop": 1280, "phone": 390}
# Rules that judge what the build's figures draw as data, not the page: none today.
IGNORED: set[str] = set()


def axe_source() -> str:
    spec = importlib.util.find_spec("axe_playwright_python")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("axe-playwright-python is not installed (pip install --no-deps axe-playwright-python)")
    path = Path(list(spec.submodule_search_locations)[0]) / "axe.min.js"
    source = path.read_text(encoding="utf-8")
    match = re.search(r"axe v(\d+)\.(\d+)\.(\d+)", source[:500])
    if not match:
        sys.exit(f"cannot read the version of {path}")
    version = tuple(int(x) for x in match.groups())
    if version[:2] < MINIMUM:
        sys.exit(f"{path} is axe-core {'.'.join(map(str, version))}; 4.8 or later is needed")
    print(f"axe-core {'.'.join(map(str, version))} from {path.parent.name}")
    return source


def run(browser, source: str) -> list[dict]:
    browser.execute_script(source)
    return browser.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        axe.run(document, {resultTypes: ['violations']})
          .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + (n.failureSummary || '').split('\\n')[1])}))))
          .catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));
        """
    )


def serve(root: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """The site over HTTP on a free local port, as a host serves it (404.html's links start
    at the server's root, which file:// has not)."""
    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "Output").resolve()
    pages = sorted(root.rglob("*.html"))
    # A second argument keeps the pages whose path contains it (while fixing one page).
    if len(sys.argv) > 2:
        pages = [p for p in pages if sys.argv[2] in str(p.relative_to(root))]
    source = axe_source()
    server, base = serve(root)
    browser = driver()
    browser.set_script_timeout(120)
    serious: list[str] = []
    others: dict[str, dict] = defaultdict(lambda: {"pages": set(), "help": "", "impact": "", "example": ""})
    checked = 0
    try:
        for scheme in ("light", "dark"):
            browser.execute_cdp_cmd(
                "Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": scheme}]})
            for label, width in WIDTHS.items():
                browser.set_window_size(width, 900)
                for page in pages:
                    browser.get(base + page.relative_to(root).as_posix())
                    for violation in run(browser, source):
                        if violation["id"] in IGNORED:
                            continue
                        where = f"{page.relative_to(root)} ({label}, {scheme})"
                        if violation["impact"] in ("serious", "critical"):
                            serious.append(
                                f"{where}: {violation['impact']} {violation['id']}: {violation['help']}\n      "
                                + "\n      ".join(violation["nodes"]))
                        else:
                            entry = others[violation["id"]]
                            entry["pages"].add(str(page.relative_to(root)))
                            entry["help"], entry["impact"] = violation["help"], violation["impact"]
                            entry["example"] = entry["example"] or "; ".join(violation["nodes"][:1])
                    checked += 1
    finally:
        browser.quit()
        server.shutdown()
    for line in serious:
        print(line)
    for rule, entry in sorted(others.items()):
        print(f"{entry['impact']} {rule}: {entry['help']} — {len(entry['pages'])} page(s), e.g. {entry['example']}")
    print(f"{len(pages)} pages × {len(WIDTHS)} widths × 2 colour schemes = {checked} checks; "
          f"{len(serious)} serious or critical violations, {len(others)} minor or moderate rule(s)")
    return 1 if serious else 0


if __name__ == "__main__":
    sys.exit(main())
