#!/usr/bin/env python3
"""Runs every Python box of the lessons and records what each computed (make check-snippets).

    Tools/check_snippets.py [--vizsite .build/release/vizsite] [--only TEXT] [--no-build]

1. Builds the site (so Output/ holds the figures the boxes are compared with).
2. `vizsite check --snippets DIR` writes every snippet file as each edition words it.
3. Runs each in its own virtualenv with pinned versions (Tools/.venv-snippets for PyTorch,
   Captum, pytorch-grad-cam, Quantus and Zennit; Tools/.venv-snippets-tf for TensorFlow,
   Keras 3 and tf-keras-vis; Tools/snippets/requirements-*.txt), with Tools/snippets on the
   path for `vizsite_snippets`. A snippet fails when it raises, when a comparison exceeds its
   tolerance, when it compares nothing and gives no note why, or when matplotlib draws a
   glyph its fonts lack (Chinese labels as boxes).
4. Writes Content/lessons/checked-snippets.json: per file and edition, the SHA-256 of the text
   that ran, the libraries, and each comparison's largest difference. The build reads it: a box
   says what its file computed, and a file changed since is a warning (make site: an error).

Exits 1 if any snippet failed; the records of the others are still written.
"""
import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / "Tools"
RECORDS = ROOT / "Content" / "lessons" / "checked-snippets.json"
ENVIRONMENTS = {
    "torch": (TOOLS / ".venv-snippets", TOOLS / "snippets" / "requirements-torch.txt"),
    "tf": (TOOLS / ".venv-snippets-tf", TOOLS / "snippets" / "requirements-tf.txt"),
}
# Import name → the distribution whose version a box names.
LIBRARIES = {
    "torch": "torch",
    "captum": "captum",
    "pytorch_grad_cam": "grad-cam",
    "quantus": "quantus",
    "zennit": "zennit",
    "lucent": "torch-lucent",
    "onnxruntime": "onnxruntime",
    "onnx": "onnx",
    "tensorflow": "tensorflow-cpu",
    "keras": "keras",
    "tf_keras_vis": "tf-keras-vis",
    "matplotlib": "matplotlib",
    "sklearn": "scikit-learn",
}
SHOWN_NAMES = {"tensorflow-cpu": "tensorflow", "grad-cam": "pytorch-grad-cam"}


def environment_of(text):
    """TensorFlow's virtualenv for a file that uses Keras (or the helper's Keras model), else PyTorch's."""
    keras = any(f"import {m}" in text or f"from {m}" in text for m in ("tensorflow", "keras", "tf_keras_vis"))
    return "tf" if keras or "keras_model(" in text else "torch"


def ensure(env):
    venv, requirements = ENVIRONMENTS[env]
    python = venv / "bin" / "python"
    stamp = venv / "requirements.txt"
    if python.exists() and stamp.exists() and stamp.read_text() == requirements.read_text():
        return python
    print(f"installing {requirements.relative_to(ROOT)} into {venv.relative_to(ROOT)}", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "-r", str(requirements)], check=True)
    stamp.write_text(requirements.read_text())
    return python


def versions(python):
    code = (
        "import json, importlib.metadata as m\n"
        f"names = {sorted(set(LIBRARIES.values()))!r}\n"
        "out = {}\n"
        "for n in names:\n"
        "    try: out[n] = m.version(n)\n"
        "    except m.PackageNotFoundError: pass\n"
        "print(json.dumps(out))\n"
    )
    return json.loads(subprocess.run([str(python), "-c", code], check=True, capture_output=True, text=True).stdout)


def libraries_named(text, known):
    used = []
    # the helper's models are the libraries' own: Keras's (on TensorFlow) or PyTorch's
    helpers = {"keras": "keras_model(", "tensorflow": "keras_model(", "torch": "torch_model("}
    for module, distribution in LIBRARIES.items():
        imported = re.search(rf"^\s*(import|from)\s+{module}\b(?!\w)", text, re.MULTILINE) is not None
        if (imported or helpers.get(module, "\0") in text) and distribution in known:
            used.append(f"{SHOWN_NAMES.get(distribution, distribution)} {known[distribution]}")
    return ", ".join(sorted(set(used)))


def run(variant, folder, python, known, matplotlib_config):
    path = folder / variant["language"] / variant["file"]
    text = path.read_text(encoding="utf-8")
    assert hashlib.sha256(text.encode()).hexdigest() == variant["sha256"]
    with tempfile.TemporaryDirectory() as work:
        results = Path(work) / "results.jsonl"
        env = dict(
            os.environ,
            VIZSITE_ROOT=str(ROOT),
            VIZSITE_OUTPUT=str(ROOT / "Output"),
            VIZSITE_RESULTS=str(results),
            PYTHONPATH=str(TOOLS / "snippets"),
            PYTHONDONTWRITEBYTECODE="1",
            MPLBACKEND="Agg",
            # A font list of this run: one cached before fonts-noto-cjk was installed lacks it.
            MPLCONFIGDIR=matplotlib_config,
            TF_CPP_MIN_LOG_LEVEL="2",
            OMP_NUM_THREADS="2",
        )
        start = time.time()
        done = subprocess.run(
            [str(python), str(path)], cwd=work, env=env, capture_output=True, text=True, timeout=900
        )
        seconds = time.time() - start
        entries = [json.loads(line) for line in results.read_text().splitlines()] if results.exists() else []
    problems = []
    if done.returncode != 0:
        problems.append("it failed:\n" + "\n".join(done.stderr.strip().splitlines()[-12:]))
    if "missing from font" in done.stderr or "missing from current font" in done.stderr:
        problems.append("matplotlib lacks a glyph it draws (labels render as boxes)")
    problems += [e["problem"] for e in entries if "problem" in e]
    agreements = [e for e in entries if "what" in e]
    notes = [e["note"] for e in entries if "note" in e]
    if not problems and not agreements and not notes:
        problems.append("it compares nothing with vizsite and gives no note why (vizsite_snippets.agree / note)")
    record = {
        "file": variant["file"],
        "language": variant["language"],
        "sha256": variant["sha256"],
        "environment": libraries_named(text, known),
        "agreements": [{"what": a["what"], "max_difference": float(f"{a['max_difference']:.3g}")} for a in agreements],
        "note": " ".join(notes) if notes else None,
    }
    return record, problems, seconds, agreements


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vizsite", default=str(ROOT / ".build" / "release" / "vizsite"))
    parser.add_argument("--only", help="run only the files whose path contains this")
    parser.add_argument("--no-build", action="store_true", help="use Output/ as it is")
    args = parser.parse_args()
    os.chdir(ROOT)
    if not args.no_build:
        subprocess.run([args.vizsite, "build"], check=True)
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        subprocess.run([args.vizsite, "check", "--snippets", str(folder)], check=True, stdout=subprocess.DEVNULL)
        variants = json.loads((folder / "manifest.json").read_text())
        old = json.loads(RECORDS.read_text())["runs"] if RECORDS.exists() else []
        current = {(v["file"], v["language"]) for v in variants}
        # Records of files still shown, kept for those not run this time (--only).
        records = {(r["file"], r["language"]): r for r in old if (r["file"], r["language"]) in current}
        pythons, known = {}, {}
        failures = 0
        for variant in variants:
            if args.only and args.only not in variant["file"]:
                continue
            text = (folder / variant["language"] / variant["file"]).read_text(encoding="utf-8")
            env = environment_of(text)
            if env not in pythons:
                pythons[env] = ensure(env)
                known[env] = versions(pythons[env])
            record, problems, seconds, agreements = run(variant, folder, pythons[env], known[env], str(folder / "mpl"))
            name = f"{variant['language']}/{variant['file']}"
            if problems:
                failures += 1
                records.pop((variant["file"], variant["language"]), None)
                print(f"FAIL {name} ({seconds:.1f} s, included at {variant['included_at']}): " + "; ".join(problems))
                continue
            records[(variant["file"], variant["language"])] = record
            compared = "; ".join(
                f"{a['what']}: {a['max_difference']:.2g} (of {a['scale']:.3g}, tolerance {a['tolerance']:g})"
                for a in agreements
            )
            print(f"ok   {name} ({seconds:.1f} s, {record['environment']}): {compared or record['note']}")
    RECORDS.write_text(
        json.dumps({"runs": [records[k] for k in sorted(records)]}, ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8",
    )
    print(f"{len(variants)} snippet files in their editions' words; {failures} failed; records in {RECORDS.relative_to(ROOT)}")
    if not args.no_build:
        # The boxes state the new records.
        subprocess.run([args.vizsite, "build"], check=True, stderr=subprocess.DEVNULL)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
