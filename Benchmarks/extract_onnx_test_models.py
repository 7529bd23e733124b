"""Copies ONNX's own test models that vizsite runs, from the `onnx` wheel, into
Tests/CNNTests/Fixtures/onnx-zoo/ with their input and expected output as TensorProto files
(input_0.pb, output_0.pb), as ONNX's backend test runner makes them: the input from its
`generate_dummy_data(seed=0, random=False)`, the output from the wheel's `_output_0.pb`.

    Benchmarks/.venv/bin/python Benchmarks/extract_onnx_test_models.py

Prints, for every model of onnx/backend/test/data/light, whether vizsite's importer
accepts it (run `swift build -c release` first); the accepted ones are copied.
"""
import os
import shutil
import subprocess

import onnx
from onnx import numpy_helper
from onnx.backend.test.runner import Runner

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
LIGHT = os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data", "light")
OUT = os.path.join(ROOT, "Tests", "CNNTests", "Fixtures", "onnx-zoo")
VIZSITE = os.path.join(ROOT, ".build", "release", "vizsite")


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in sorted(f[:-5] for f in os.listdir(LIGHT) if f.endswith(".onnx")):
        path = os.path.join(LIGHT, name + ".onnx")
        result = subprocess.run([VIZSITE, "summary", path], capture_output=True, text=True)
        verdict = "runs" if result.returncode == 0 else result.stderr.strip().split(": error: ")[-1][:110]
        print(f"{name}: {verdict}")
        if result.returncode != 0:
            continue
        model = onnx.load(path)
        inits = {i.name for i in model.graph.initializer}
        x = next(i for i in model.graph.input if i.name not in inits)
        value = Runner.generate_dummy_data(x, seed=0, name=name, random=False)
        folder = os.path.join(OUT, name)
        os.makedirs(folder, exist_ok=True)
        shutil.copy(path, os.path.join(folder, "model.onnx"))
        with open(os.path.join(folder, "input_0.pb"), "wb") as f:
            f.write(numpy_helper.from_array(value).SerializeToString())
        shutil.copy(os.path.join(LIGHT, name + "_output_0.pb"), os.path.join(folder, "output_0.pb"))


if __name__ == "__main__":
    main()
