#!/usr/bin/python3
"""Tree-ensemble throughput: Tachyon's emulator vs XGBoost's own predict, in one run.

Trains XGBoost models on the jets (100 boosting rounds, depth 4, 16 features): binary
(100 trees) and 5-class (500 trees), saves them as XGBoost JSON, runs bench/trees_bench on
them (Tachyon emulator, bit-exact fixed point, 1 thread and all threads) and times
XGBoost's predict (output_margin, float32) on the same number of samples.

    /usr/bin/python3 bench/trees_compare.py --bench build/bench/trees_bench [--samples 20000]

Figures are for information (they depend on the machine and its load); nothing is asserted.
"""
import argparse
import json
import os
import subprocess
import tempfile
import time

import numpy as np


def xgb_rate(booster, X, nthread, repeat=5):
    """Best-of-`repeat` samples/s of XGBoost's predict (a fresh DMatrix each time: XGBoost
    caches predictions per DMatrix; its construction is not timed) and inplace_predict."""
    import xgboost as xgb
    booster.set_param({"nthread": nthread})
    booster.predict(xgb.DMatrix(X[:100], nthread=nthread), output_margin=True)  # warm-up
    best = float("inf")
    for _ in range(repeat):
        d = xgb.DMatrix(X, nthread=nthread)
        t = time.perf_counter()
        booster.predict(d, output_margin=True)
        best = min(best, time.perf_counter() - t)
    best_inplace = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        booster.inplace_predict(X, predict_type="margin")
        best_inplace = min(best_inplace, time.perf_counter() - t)
    return len(X) / best, len(X) / best_inplace


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", required=True, help="path of the trees_bench executable")
    ap.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "tests", "data", "jets_hlf",
                                                   "jsc_openml_test1000.npz"))
    ap.add_argument("--samples", type=int, default=20000)
    args = ap.parse_args()
    import xgboost as xgb

    d = np.load(args.data)
    X0, y0 = d["X"].astype(np.float32), d["y"].astype(int)
    rng = np.random.default_rng(0)
    idx = rng.integers(0, len(X0), args.samples)
    X = X0[idx] * (1 + 0.01 * rng.standard_normal((args.samples, X0.shape[1])).astype(np.float32))

    work = tempfile.mkdtemp(prefix="tachyon_trees_bench_")
    paths = {}
    boosters = {}
    for name, params, y in [("binary", dict(objective="binary:logistic"), (y0 == 2).astype(int)),
                            ("5class", dict(objective="multi:softprob", num_class=5), y0)]:
        b = xgb.train(dict(max_depth=4, eta=0.3, tree_method="exact", **params), xgb.DMatrix(X0, label=y), 100)
        p = os.path.join(work, f"xgb_{name}.json")
        b.save_model(p)
        paths[name] = p
        boosters[name] = b

    env = dict(os.environ, TACHYON_TREES_BENCH_BINARY=paths["binary"], TACHYON_TREES_BENCH_MULTI=paths["5class"])
    out = os.path.join(work, "bench.json")
    subprocess.run([args.bench, f"--benchmark_out={out}", "--benchmark_out_format=json"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    res = json.load(open(out))
    cores = os.cpu_count()
    print(f"{'model':10s} {'trees':>6s} {'engine':44s} {'samples/s':>12s}")
    for name, key in [("binary", "BM_TreesBinary"), ("5class", "BM_Trees5Class")]:
        n_trees = len(json.load(open(paths[name]))["learner"]["gradient_booster"]["model"]["trees"])
        for b in res["benchmarks"]:
            if b["name"].startswith(key + "/"):
                th = b["name"].split("threads:")[-1]
                label = f"tachyon emulator (bit-exact), threads={th if th != '0' else cores}"
                print(f"{name:10s} {n_trees:6d} {label:44s} {b['items_per_second']:12.0f}")
        for nthread in (1, cores):
            r_dm, r_in = xgb_rate(boosters[name], X, nthread)
            print(f"{name:10s} {n_trees:6d} {'xgboost predict (DMatrix), nthread=' + str(nthread):44s} {r_dm:12.0f}")
            print(f"{name:10s} {n_trees:6d} {'xgboost inplace_predict, nthread=' + str(nthread):44s} {r_in:12.0f}")


if __name__ == "__main__":
    main()
