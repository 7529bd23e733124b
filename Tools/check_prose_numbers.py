#!/usr/bin/env python3
"""Lists the decimal numbers typed by hand in the prose of lessons that have figures.

A number that restates a figure should be a `{{fig:label.path | format}}` token, so that it
cannot go stale after a retraining (README, "Numbers in prose"). This check reads the lessons'
Markdown (front matter, code, math, tokens and directives removed) and prints each decimal
number left in their prose, compiler-style (`file:line:column: note: …`), then a count per
lesson. Numbers that are not measurements (a noise level of ±0.2, a version) may stay: the
list is for the author to read, so it fails only with --strict.

    python3 Tools/check_prose_numbers.py [Content] [--strict]
"""

import re
import sys
from pathlib import Path

# A decimal number (0.107, −0.10, 99.7) or a percentage with decimals; not part of a word,
# a version (2.15.1) or a path (v1.2).
NUMBER = re.compile(r"(?<![\w.\-/])[−-]?\d+\.\d+(?![\w.]*\d)(\s?%)?")
DIRECTIVE_OR_CODE = re.compile(r"^(\s*)(`{3,}|~{3,})")
# A version after the name of the software it numbers (Captum 0.9, TensorFlow 2.21).
SOFTWARE = re.compile(
    r"(?:TensorFlow|PyTorch|Captum|Keras|keras-vis|tf-keras-vis|pytorch-grad-cam|Zennit|Quantus|Python|"
    r"ONNX Runtime|ONNX|opset|torchvision|Swift|NumPy|matplotlib|Lucid|Chromium|Node)\s$")


def blank(text, start, end):
    """Text with [start, end) replaced by spaces, newlines kept (positions stay put)."""
    return text[:start] + re.sub(r"[^\n]", " ", text[start:end]) + text[end:]


def prose(text):
    """The lesson's text with everything that is not prose blanked out."""
    lines = text.split("\n")
    # Front matter.
    if lines and lines[0].strip() == "---":
        for i in range(1, len(lines)):
            if lines[i].strip() == "---":
                for j in range(i + 1):
                    lines[j] = ""
                break
    # Fenced blocks: directives, code, YAML.
    fence = None
    for i, line in enumerate(lines):
        match = DIRECTIVE_OR_CODE.match(line)
        if fence is None and match:
            fence = match.group(2)[0] * len(match.group(2))
            lines[i] = ""
        elif fence is not None:
            if line.strip().startswith(fence):
                fence = None
            lines[i] = ""
    text = "\n".join(lines)
    # Display math, inline math, tokens, inline code, HTML comments, link targets.
    for pattern in [r"\$\$.*?\$\$", r"\\\[.*?\\\]", r"\\\(.*?\\\)", r"(?<!\\)\$[^$\n]+\$", r"\{\{.*?\}\}",
                    r"`[^`\n]*`", r"<!--.*?-->", r"\]\([^)\s]*\)"]:
        for match in reversed(list(re.finditer(pattern, text, flags=re.S))):
            text = blank(text, match.start(), match.end())
    return text


def has_figures(text):
    return re.search(r"^\s*```+\s*viz\b", text, flags=re.M) is not None


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    strict = "--strict" in sys.argv[1:]
    content = Path(args[0] if args else "Content")
    lessons = sorted(content.glob("lessons/*.md")) + sorted(content.glob("lessons/*/*.md"))
    total, counts = 0, []
    for path in lessons:
        text = path.read_text(encoding="utf-8")
        if not has_figures(text):
            continue
        cleaned = prose(text)
        found = 0
        for match in NUMBER.finditer(cleaned):
            if SOFTWARE.search(cleaned[max(0, match.start() - 24):match.start()]):
                continue
            line = cleaned.count("\n", 0, match.start()) + 1
            column = match.start() - (cleaned.rfind("\n", 0, match.start()) + 1) + 1
            print(f"{path}:{line}:{column}: note: '{match.group(0).strip()}' is typed by hand; "
                  "quote it from its figure with {{fig:label.path | format}}")
            found += 1
        tokens = len(re.findall(r"\{\{\s*fig:[^}|]*[.\[][^}]*\}\}", text))
        counts.append((path, found, tokens))
        total += found
    print()
    print(f"{'lesson':<58} {'by hand':>8} {'tokens':>7}")
    for path, found, tokens in counts:
        print(f"{str(path):<58} {found:>8} {tokens:>7}")
    print(f"{total} decimal numbers typed by hand in {sum(1 for c in counts if c[1])} of {len(counts)} "
          "lessons with figures")
    return 1 if strict and total else 0


if __name__ == "__main__":
    sys.exit(main())
