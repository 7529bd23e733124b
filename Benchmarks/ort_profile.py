"""Where the time goes, in ONNX Runtime and in vizsite, for one of issue 28's models: ONNX
Runtime's own profiler (SessionOptions.enable_profiling, its per-node kernel times, summed by
operator after its graph optimizations: FusedConv is a convolution with its activation and,
where ORT fuses it, the residual addition; ReorderInput/ReorderOutput move tensors to and from
its NCHWc blocked layout) beside `vizsite bench MODEL --layers` (each layer timed inside whole
passes, summed by kind of layer), at the same batch, 2 threads each.

    Benchmarks/.venv/bin/python Benchmarks/ort_profile.py resnet18-224 [--batch 1] [--runs 50]

The model is exported as `make bench-models` exports it (Benchmarks/results/NAME.onnx, random
weights) when that file is missing. Prints two Markdown tables, one per runtime, slowest first.
Not part of `make test`.
"""
import argparse
import collections
import json
import os
import re
import subprocess
import sys

import numpy as np
import onnxruntime as ort

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
RESULTS = os.path.join(ROOT, "Benchmarks", "results")


def exported(name):
    path = os.path.join(RESULTS, f"{name}.onnx")
    if not os.path.exists(path):
        import torch
        import torchvision

        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from compare_imported import export

        os.makedirs(RESULTS, exist_ok=True)
        torch.manual_seed(0)
        model = getattr(torchvision.models, name.removesuffix("-224"))(weights=None).eval()
        export(name, model, (3, 224, 224))
    return path


def ort_profile(path, batch, runs, warmup=5):
    """Milliseconds per run by operator, nodes per run, and the median run, from ORT's profiler."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    options.inter_op_num_threads = 1
    options.enable_profiling = True
    options.profile_file_prefix = os.path.join(RESULTS, "ort-profile")
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    x = np.random.default_rng(0).random((batch, 3, 224, 224), dtype=np.float32)
    for _ in range(warmup + runs):
        session.run(None, {"image": x})
    profile = session.end_profiling()
    with open(profile) as f:
        events = json.load(f)
    os.remove(profile)
    model_runs = sorted((e["ts"], e["dur"]) for e in events if e.get("cat") == "Session" and e["name"] == "model_run")
    start = model_runs[warmup][0]  # the warm-up runs are left out
    by_op, count = collections.defaultdict(float), collections.Counter()
    for event in events:
        if event.get("cat") == "Node" and event["name"].endswith("_kernel_time") and event["ts"] >= start:
            op = event["args"].get("op_name", "?")
            by_op[op] += event["dur"] / 1000 / runs
            count[op] += 1
    nodes = {op: count[op] // runs for op in by_op}
    # Each convolution (ORT names a fused node by its last output), in the order it ran.
    convolutions = {}
    for event in events:
        if (event.get("cat") == "Node" and event["name"].endswith("_kernel_time") and event["ts"] >= start
                and event["args"].get("op_name") in ("Conv", "FusedConv")):
            name = event["name"].removesuffix("_kernel_time")
            elements = int(event["args"].get("output_size", "0")) // 4
            entry = convolutions.setdefault(name, [0.0, elements])
            entry[0] += event["dur"] / 1000 / runs
    return dict(by_op), nodes, float(np.median([dur / 1000 for _, dur in model_runs[warmup:]])), list(
        convolutions.items())


KIND_LINE = re.compile(r"^\s+(\S.*?)\s{2,}(\d+)\s+([\d.]+)\s+([\d.]+)")
CONV_LINE = re.compile(r"^\s*\d+\s+Conv2D \(([^)]+)\)\s+(\d+)×(\d+)×(\d+)\s+([\d.]+)\s+[\d.]+\s+([\d.]+)\s.*?(\S+)$")


def vizsite_profile(path, batch):
    """Milliseconds per pass by kind of layer, and the whole pass, from `vizsite bench --layers`."""
    vizsite = os.path.join(ROOT, ".build", "release", "vizsite")
    text = subprocess.run([vizsite, "bench", path, "--layers", "--layer-batch", str(batch)],
                          capture_output=True, text=True, check=True).stdout
    kinds, counts, whole, in_kinds, convolutions = {}, {}, None, False, []
    for line in text.splitlines():
        if not in_kinds and (match := CONV_LINE.match(line)):
            h, w, c = int(match[2]), int(match[3]), int(match[4])
            convolutions.append((match[7], match[1], h * w * c, float(match[5]), float(match[6])))
        if line.startswith("by kind"):
            in_kinds = True
            continue
        if in_kinds and line.strip().startswith("whole pass"):
            whole = float(line.split()[-1])
        if in_kinds and (match := KIND_LINE.match(line)) and not line.strip().startswith("sum of"):
            kinds[match[1]] = float(match[3])
            counts[match[1]] = int(match[2])
    return kinds, counts, whole, convolutions


def table(title, times, counts, whole):
    total = sum(times.values())
    lines = [f"**{title}** — whole pass {whole:.2f} ms, nodes summed {total:.2f} ms", "",
             "| operator / kind | nodes | ms | % |", "| --- | --- | --- | --- |"]
    for name, ms in sorted(times.items(), key=lambda item: -item[1]):
        lines.append(f"| {name} | {counts[name]} | {ms:.3f} | {100 * ms / total:.1f} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model", help="e.g. resnet18-224, mobilenet_v2-224 (as make bench-models names them)")
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    path = exported(args.model)
    ort_ms, ort_nodes, ort_whole, ort_convolutions = ort_profile(path, args.batch, args.runs)
    viz_ms, viz_counts, viz_whole, viz_convolutions = vizsite_profile(path, args.batch)
    print(f"{args.model}, batch {args.batch}, 2 threads each\n")
    print(table("ONNX Runtime " + ort.__version__ + " (its profiler)", ort_ms, ort_nodes, ort_whole))
    print()
    print(table("vizsite (bench --layers)", viz_ms, viz_counts, viz_whole or 0))
    print()
    print(convolution_table(viz_convolutions, ort_convolutions, args.batch))


def convolution_table(ours, theirs, batch):
    """Each convolution beside ORT's node of the same output size, in the order both ran them
    (ORT's time includes the activation and addition it fused in; vizsite's does not)."""
    lines = ["**Convolutions, one by one** (ORT's node includes what it fused into it)", "",
             "| vizsite layer | kernel | output | vizsite ms | GFLOP/s | ORT node | ORT ms | vizsite ÷ ORT time |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    pending = list(theirs)
    # ORT names a node by its output: ours by name where nothing was fused in, else the first
    # node of the same size that no layer of ours names.
    named = {node for node, _ in theirs if any(node.startswith(name + "_output") for name, *_ in ours)}
    for name, kernel, elements, ms, gflops in ours:
        match = next((i for i, (node, _) in enumerate(pending) if node.startswith(name + "_output")), None)
        if match is None:
            match = next((i for i, (node, (_, size)) in enumerate(pending)
                          if size == elements * batch and node not in named), None)
        if match is None:
            lines.append(f"| {name} | {kernel} | {elements} | {ms:.3f} | {gflops:.0f} | — | | |")
            continue
        node, (ort_ms, _) = pending.pop(match)
        lines.append(f"| {name} | {kernel} | {elements} | {ms:.3f} | {gflops:.0f} | {node} | {ort_ms:.3f} | "
                     f"{ms / ort_ms:.2f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
