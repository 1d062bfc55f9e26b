#!/usr/bin/python3
"""Emulator throughput next to PyTorch float32 CPU inference of the same model, in one run.

Runs bench/emulator_bench (Tachyon's bit-exact fixed-point emulator: jet_mlp at the default
configuration, 100k samples, 1 thread / all threads / with overflow statistics) and times
PyTorch on an equivalent nn.Sequential built from the ONNX file's weights (Gemm -> Linear,
Relu -> ReLU, Softmax -> Softmax), float32, same 100k samples, 1 thread and all threads.

    /usr/bin/python3 bench/torch_compare.py --bench build/bench/emulator_bench [--model M.onnx]

Figures are for information (they depend on the machine and its load); nothing is asserted.
"""
import argparse
import json
import os
import subprocess
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_MODEL = os.path.join(HERE, "..", "tests", "data", "models", "jet_mlp.onnx")
SAMPLES = 100000


def torch_model(path):
    """nn.Sequential equivalent of an ONNX MLP made of Gemm / Relu / Softmax nodes."""
    import onnx
    import torch
    from onnx import numpy_helper

    m = onnx.load(path)
    inits = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    layers = []
    for node in m.graph.node:
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        if node.op_type == "Gemm":
            w = inits[node.input[1]].astype(np.float32)
            if not attrs.get("transB", 0):
                w = w.T  # Linear stores (out, in)
            lin = torch.nn.Linear(w.shape[1], w.shape[0], bias=len(node.input) > 2)
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(np.ascontiguousarray(w)) * attrs.get("alpha", 1.0))
                if len(node.input) > 2:
                    lin.bias.copy_(torch.from_numpy(inits[node.input[2]].astype(np.float32)) * attrs.get("beta", 1.0))
            layers.append(lin)
        elif node.op_type == "Relu":
            layers.append(torch.nn.ReLU())
        elif node.op_type == "Softmax":
            layers.append(torch.nn.Softmax(dim=-1))
        else:
            raise SystemExit(f"torch_compare.py: op {node.op_type} not supported (MLPs of Gemm/Relu/Softmax only)")
    return torch.nn.Sequential(*layers).eval()


def torch_rate(model, x, threads, repeat=5):
    import torch

    torch.set_num_threads(threads)
    xt = torch.from_numpy(x)
    with torch.no_grad():
        model(xt)  # warm-up
        best = float("inf")
        for _ in range(repeat):
            t = time.perf_counter()
            model(xt)
            best = min(best, time.perf_counter() - t)
    return len(x) / best


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", required=True, help="path of the emulator_bench executable")
    ap.add_argument("--model", default=DEFAULT_MODEL, help="ONNX MLP (default: tests/data/models/jet_mlp.onnx)")
    args = ap.parse_args()
    model = os.path.abspath(args.model)
    inputs = model[: -len(".onnx")] + ".inputs.npy"

    env = dict(os.environ, TACHYON_BENCH_MODEL=model)
    res = subprocess.run([args.bench, "--benchmark_format=json"], env=env, check=True, capture_output=True, text=True)
    bench = json.loads(res.stdout)
    rows = []
    first_ms = None
    for b in bench["benchmarks"]:
        if b["name"].startswith("BM_Predict"):
            threads, stats = (int(v) for v in b["name"].split("/")[1:3])
            label = "tachyon emulator (bit-exact fixed point), " + ("1 thread" if threads == 1 else "all threads")
            if stats:
                label += ", with overflow statistics"
            rows.append((label, b["items_per_second"]))
        elif b["name"].startswith("BM_ModelFileToFirstPrediction"):
            first_ms = b["real_time"]

    x = np.load(inputs).astype(np.float32)
    x = np.ascontiguousarray(np.resize(x, (SAMPLES,) + x.shape[1:]))
    tm = torch_model(model)
    ncores = os.cpu_count() or 1
    rows.append(("pytorch float32 CPU, 1 thread", torch_rate(tm, x, 1)))
    rows.append((f"pytorch float32 CPU, {ncores} threads", torch_rate(tm, x, ncores)))

    print(f"model: {os.path.basename(model)}, {SAMPLES} samples, machine: {ncores} cores")
    width = max(len(r[0]) for r in rows)
    for label, rate in rows:
        print(f"  {label:<{width}}  {rate:>14,.0f} samples/s")
    if first_ms is not None:
        print(f"  model file to first prediction (tachyon: load + passes + emulator build): {first_ms:.1f} ms")


if __name__ == "__main__":
    main()
