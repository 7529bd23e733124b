"""The timing both frameworks' sides of `make bench` share (torch_side.py, tf_side.py), so that
PyTorch and TensorFlow are measured alike and as `vizsite bench` measures itself: warm-up
calls first, then the median of repeats."""
import argparse
import statistics
import time


def arguments():
    """The options both sides take, as `vizsite bench` names them."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--train-steps", type=int, default=30)
    parser.add_argument("--infer-batches", type=int, default=50)
    parser.add_argument("--calls", type=int, default=500)
    return parser


def training_rate(step, batches, steps, warmup=3, repeats=3, batch=128):
    """Images per second of `step(x, y)`: `warmup` batches, then the median of `repeats` runs of
    `steps` batches each (`batches` holds warmup + repeats × steps of them)."""
    for xb, yb in batches[:warmup]:
        step(xb, yb)
    rates = []
    for r in range(repeats):
        t0 = time.perf_counter()
        for xb, yb in batches[warmup + r * steps: warmup + (r + 1) * steps]:
            step(xb, yb)
        rates.append(steps * batch / (time.perf_counter() - t0))
    return statistics.median(rates)


def inference_rate(call, chunks, warmup=3, repeats=3, batch=128):
    """Images per second of `call(chunk)` over all `chunks`, the median of `repeats` passes."""
    for c in chunks[:warmup]:
        call(c)
    rates = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for c in chunks:
            call(c)
        rates.append(len(chunks) * batch / (time.perf_counter() - t0))
    return statistics.median(rates)


def median_ms(call, inputs, warmup=20):
    """The median milliseconds of `call(x)` over `inputs`, after `warmup` calls."""
    for x in inputs[:warmup]:
        call(x)
    times = []
    for x in inputs:
        t0 = time.perf_counter()
        call(x)
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)
