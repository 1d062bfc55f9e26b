#!/usr/bin/python3
"""End-to-end tree tests: train small models on the jets (16 features, 5 classes), convert
them, run Tachyon's emulator kernel (tachyon_tree_emulate) and compare with the library.

For every model:
  * exactness: with the library's own leaf assignment on the quantized inputs X_q (XGBoost
    pred_leaf, scikit-learn apply), the expected output codes are computed here with exact
    integer arithmetic (leaves and base converted to the score type, summed, saturated) and
    must equal the emulator's output bit for bit. This checks the threshold rule (every
    node decides as the float model for representable inputs) and the score arithmetic.
  * bound: |emulator - library raw score on X_q| <= (n_trees_per_class + 1) * e_leaf + tol
    (e_leaf = lsb/2 for rounding score types, lsb for truncation; tol covers float32
    libraries), after clipping the library scores to the score type's range.
  * class agreement (argmax / sign) on X_q (asserted >= 97%) and on the raw X (printed).

The emulator runs through `tachyon predict MODEL -c trees.yml` (--tachyon) and through the
kernel driver tachyon_tree_emulate (which must agree bit for bit; it also runs the general
kernel for one model per case).

Generated firmware (with --tachyon): for a few models per case (SIM_MODELS; every model with
--sim-all) the HLS project is written (`tachyon convert MODEL -c trees.yml --backend hls`)
and its C simulation (`tachyon simulate DIR -i X.npy -o Y.npy`, g++) must equal the
emulator bit for bit on all samples (the raw, unquantized inputs: the input conversion is
part of the check). --verilog adds the same check for `--backend verilog` (RTL simulation);
--no-hls skips the HLS step.

Usage: test_trees_e2e.py {xgboost|sklearn|onnx_ml} --driver BIN [--tachyon BIN] --data NPZ
                         --python-dir DIR --work DIR [--verilog] [--no-hls] [--sim-all]
"""
import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import time
from fractions import Fraction

import numpy as np

INPUT_T = "ap_fixed<20,10,AP_RND_CONV,AP_SAT>"
SCORE_T = "ap_fixed<18,8,AP_RND_CONV,AP_SAT>"

# ---------------------------------------------------------------------------------------
# A small exact model of the fixed-point conversions used here (AP_TRN, AP_RND,
# AP_RND_CONV; AP_WRAP, AP_SAT), independent of the C++ code.


class FixedT:
    def __init__(self, s):
        m = re.fullmatch(r"ap_(u?)fixed<(\d+),(-?\d+)(?:,(AP_\w+))?(?:,(AP_\w+))?>", s.replace(" ", ""))
        if not m:
            raise ValueError(s)
        self.signed = m.group(1) == ""
        self.W, self.I = int(m.group(2)), int(m.group(3))
        self.F = self.W - self.I
        self.Q = m.group(4) or "AP_TRN"
        self.O = m.group(5) or "AP_WRAP"
        assert self.Q in ("AP_TRN", "AP_RND", "AP_RND_CONV"), self.Q
        assert self.O in ("AP_WRAP", "AP_SAT"), self.O
        self.kmin = -(1 << (self.W - 1)) if self.signed else 0
        self.kmax = (1 << (self.W - 1)) - 1 if self.signed else (1 << self.W) - 1
        self.lsb = 2.0 ** -self.F

    def code(self, v):
        """Exact value of the double v, then Q, then O: the raw code (Python int)."""
        x = Fraction(float(v)) * (Fraction(2) ** self.F)
        fl = x.numerator // x.denominator
        rem = x - fl
        if self.Q == "AP_RND":
            k = fl + (1 if rem >= Fraction(1, 2) else 0)
        elif self.Q == "AP_RND_CONV":
            k = fl + (1 if rem > Fraction(1, 2) or (rem == Fraction(1, 2) and fl % 2 == 1) else 0)
        else:
            k = fl
        return self.overflow(k)

    def overflow(self, k):
        if self.kmin <= k <= self.kmax:
            return k
        if self.O == "AP_SAT":
            return self.kmin if k < self.kmin else self.kmax
        k &= (1 << self.W) - 1
        if self.signed and k >= 1 << (self.W - 1):
            k -= 1 << self.W
        return k

    def quantize(self, X):
        X = np.asarray(X, dtype=np.float64)
        flat = [self.code(v) * self.lsb for v in X.ravel()]
        return np.array(flat, dtype=np.float64).reshape(X.shape)

    def err_leaf(self):
        return self.lsb / 2 if self.Q != "AP_TRN" else self.lsb

    def clip(self, a):
        return np.clip(a, self.kmin * self.lsb, self.kmax * self.lsb)


def run_driver(args, model_path, X, tag, general=False):
    """The kernel driver (tachyon_tree_emulate): raw scores and the model summary."""
    xin = os.path.join(args.work, tag + "_x.npy")
    out = os.path.join(args.work, tag + ("_general" if general else "") + "_y.npy")
    np.save(xin, np.asarray(X, dtype=np.float64))
    cmd = [args.driver, model_path, xin, out, "--input", INPUT_T, "--score", SCORE_T, "--info"]
    if general:
        cmd.append("--general")
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stderr}")
    info = json.loads(r.stdout.strip().splitlines()[-1])
    return np.load(out), info


CONFIG = f"""# tree e2e configuration
LayerName:
  x:
    Precision: {INPUT_T}
  bdt:
    Precision:
      threshold: auto
      score: {SCORE_T}
      result: {SCORE_T}
"""


# Models whose generated firmware is simulated (a few per case, chosen to cover binary,
# multi-class and regression, every source format and comparison, and default directions).
SIM_MODELS = {
    "xgboost_5class_softprob", "xgboost_binary_logitraw_b03",
    "sklearn_gb_binary", "sklearn_rf_regression", "sklearn_hgb_5class",
    "onnx_ml_gb_binary_gt", "onnx_ml_rf_5class_leq",
}


def config_path(args):
    cfg = os.path.join(args.work, "trees.yml")
    with open(cfg, "w") as f:
        f.write(CONFIG)
    return cfg


def run_cmd(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stderr}{r.stdout}")
    return r


def run_firmware(args, model_path, X, tag, backend):
    """Writes the project of `backend` (hls or verilog) and simulates it on X: the outputs."""
    prj = os.path.join(args.work, f"{tag}_{backend}")
    if os.path.exists(prj):
        shutil.rmtree(prj)
    run_cmd([args.tachyon, "convert", model_path, "-c", config_path(args), "--backend", backend, "-o", prj])
    xin = os.path.join(args.work, tag + "_x.npy")
    out = os.path.join(args.work, f"{tag}_{backend}_y.npy")
    np.save(xin, np.asarray(X, dtype=np.float64))
    t0 = time.monotonic()
    run_cmd([args.tachyon, "simulate", prj, "-i", xin, "-o", out])
    print(f"  {tag}: {backend} simulation of {len(X)} samples took {time.monotonic() - t0:.1f} s", flush=True)
    if not args.keep:
        shutil.rmtree(prj, ignore_errors=True)
    return np.load(out)


def firmware_backends(args):
    if not args.tachyon:
        return []
    return (["hls"] if args.hls else []) + (["verilog"] if args.verilog else [])


def check_firmware(rep, name, args, model_path, X, emu):
    """The generated firmware's simulation equals the emulator bit for bit."""
    if not (args.sim_all or name in SIM_MODELS):
        return
    for backend in firmware_backends(args):
        try:
            got = run_firmware(args, model_path, X, name, backend)
        except RuntimeError as e:
            rep.check(name, False, f"{backend}: {e}")
            continue
        got = np.asarray(got, dtype=np.float64).reshape(emu.shape) if got.size == emu.size else got
        if got.shape != emu.shape:
            rep.check(name, False, f"{backend} simulation output shape {got.shape}, emulator {emu.shape}")
            continue
        bad = np.argwhere(got != emu)
        rep.check(name, len(bad) == 0,
                  f"{backend} simulation differs from the emulator in {len(bad)} values, first at sample "
                  f"{bad[0][0] if len(bad) else -1}: {got[tuple(bad[0])] if len(bad) else ''} vs "
                  f"{emu[tuple(bad[0])] if len(bad) else ''}")
        rep.sims.append((name, backend, len(bad) == 0))


def run_tachyon(args, model_path, X, tag):
    """`tachyon predict` (the user path: frontend, passes with the configuration, Emulator)."""
    cfg = config_path(args)
    xin = os.path.join(args.work, tag + "_x.npy")
    out = os.path.join(args.work, tag + "_tachyon_y.npy")
    np.save(xin, np.asarray(X, dtype=np.float64))
    cmd = [args.tachyon, "predict", model_path, "-c", cfg, "-i", xin, "-o", out, "--quiet"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stderr}{r.stdout}")
    return np.load(out)


def expected_codes(score_t, base, leaf_vals, classes):
    """Exact expected output codes: leaf_vals (n, n_trees) doubles (the leaf each sample
    reaches in each tree), classes (n_trees,) class per tree, base (n_out,) doubles."""
    n = leaf_vals.shape[0]
    n_out = len(base)
    cache = {}

    def c(v):
        if v not in cache:
            cache[v] = score_t.code(v)
        return cache[v]

    out = np.zeros((n, n_out), dtype=object)
    for k in range(n_out):
        out[:, k] = c(float(base[k]))
    for t in range(leaf_vals.shape[1]):
        k = classes[t]
        col = [c(float(v)) for v in leaf_vals[:, t]]
        out[:, k] = out[:, k] + np.array(col, dtype=object)
    # The accumulator cannot overflow; the result conversion keeps the fraction bits (O only).
    return np.vectorize(score_t.overflow, otypes=[object])(out)


class Report:
    def __init__(self):
        self.rows = []
        self.sims = []
        self.failures = []

    def check(self, name, cond, msg):
        if not cond:
            self.failures.append(f"{name}: {msg}")

    def finish(self):
        print(f"{'model':44s} {'trees':>6s} {'exact':>6s} {'maxdiff':>10s} {'bound':>9s} {'agree_q%':>9s} {'agree_raw%':>10s}")
        for r in self.rows:
            print(f"{r[0]:44s} {r[1]:6d} {r[2]:>6s} {r[3]:10.3g} {r[4]:9.3g} {r[5]:9.2f} {r[6]:10.2f}")
        for name, backend, ok in self.sims:
            print(f"{name:44s} {backend} simulation == emulator: {'yes' if ok else 'NO'}")
        if self.failures:
            print("FAILURES:\n  " + "\n  ".join(self.failures))
            sys.exit(1)
        print("all checks passed")


def decisions(scores):
    scores = np.asarray(scores)
    if scores.ndim == 1 or scores.shape[1] == 1:
        return (scores.reshape(-1) > 0).astype(int)
    return scores.argmax(axis=1)


def compare(rep, name, args, model_path, X, Xq, lib_raw_q, lib_raw_x, n_per_class, exact=None,
            is_regression=False, also_general=False):
    """exact: (base, leaf_vals, classes) or None."""
    score_t = FixedT(SCORE_T)
    emu_k, info = run_driver(args, model_path, X, name)
    if args.tachyon:
        emu = run_tachyon(args, model_path, X, name)
        rep.check(name, emu.shape == emu_k.shape and np.array_equal(emu, emu_k),
                  "`tachyon predict` differs from the kernel driver")
    else:
        emu = emu_k
    lib_raw_q = np.asarray(lib_raw_q, dtype=np.float64).reshape(emu.shape)
    lib_raw_x = np.asarray(lib_raw_x, dtype=np.float64).reshape(emu.shape)
    ex = "-"
    if exact is not None:
        want = expected_codes(score_t, *exact)
        got = np.vectorize(lambda v: int(round(v / score_t.lsb)), otypes=[object])(emu)
        bad = np.argwhere(want != got)
        ex = "yes" if len(bad) == 0 else "NO"
        if len(bad):
            i, k = bad[0]
            rep.check(name, False, f"{len(bad)} output codes differ from the exact expectation, first at sample {i} "
                                   f"output {k}: emulator {got[i, k]}, expected {want[i, k]}")
    tol = 2e-4 if "xgboost" in name or "onnx" in name else 1e-9
    bound = (n_per_class + 1) * score_t.err_leaf() + tol * (1 + np.abs(lib_raw_q).max())
    diff = float(np.abs(emu - score_t.clip(lib_raw_q)).max())
    rep.check(name, diff <= bound, f"max |emulator - library| {diff} exceeds the bound {bound}")
    if is_regression:
        agree_q = agree_x = float("nan")
    else:
        agree_q = 100.0 * np.mean(decisions(emu) == decisions(lib_raw_q))
        agree_x = 100.0 * np.mean(decisions(emu) == decisions(lib_raw_x))
        rep.check(name, agree_q >= 97.0, f"class agreement on quantized inputs {agree_q:.2f}% < 97%")
    if also_general:
        emu_g, _ = run_driver(args, model_path, X, name + "_general", general=True)
        rep.check(name, np.array_equal(emu, emu_g), "general kernel differs from the fast kernel")
    check_firmware(rep, name, args, model_path, X, emu)
    rep.rows.append((name, info["n_trees"], ex, diff, bound, agree_q, agree_x))


def load_data(path):
    d = np.load(path)
    X = d["X"].astype(np.float64)
    y = d["y"].astype(int)
    return X, y


# ---------------------------------------------------------------------------------------


def case_xgboost(args, rep):
    import xgboost as xgb
    X, y = load_data(args.data)
    Xq = FixedT(INPUT_T).quantize(X)
    tr = slice(0, 600)
    yb = (y == 2).astype(int)
    yr = X[:, 14] / 100.0
    models = [
        ("xgboost_binary_logistic", dict(objective="binary:logistic", n_estimators=100, max_depth=4), yb, False),
        ("xgboost_5class_softprob", dict(objective="multi:softprob", n_estimators=20, max_depth=3), y, False),
        ("xgboost_regression", dict(objective="reg:squarederror", n_estimators=50, max_depth=4), yr, True),
        ("xgboost_binary_logitraw_b03", dict(objective="binary:logitraw", n_estimators=30, max_depth=3,
                                             base_score=0.3), yb, False),
        ("xgboost_dart_binary", dict(objective="binary:logistic", n_estimators=20, max_depth=3, booster="dart",
                                     rate_drop=0.2, random_state=1), yb, False),
    ]
    for name, params, target, is_reg in models:
        cls = xgb.XGBRegressor if is_reg or params["objective"] == "binary:logitraw" else xgb.XGBClassifier
        m = cls(tree_method="exact", **params)
        m.fit(X[tr], target[tr])
        path = os.path.join(args.work, name + ".json")
        m.save_model(path)
        b = m.get_booster()
        j = json.load(open(path))
        lr = j["learner"]
        gb = lr["gradient_booster"]
        model = gb["model"] if gb["name"] == "gbtree" else gb["gbtree"]["model"]
        weights = gb.get("weight_drop", [1.0] * len(model["trees"]))
        trees = model["trees"]
        classes = model["tree_info"]
        dq = xgb.DMatrix(Xq)
        leaves = b.predict(dq, pred_leaf=True).reshape(len(X), -1).astype(np.int64)
        if leaves.shape[1] != len(trees):
            raise RuntimeError(f"{name}: pred_leaf gave {leaves.shape[1]} trees, model has {len(trees)}")
        leaf_vals = np.zeros(leaves.shape)
        for t, tree in enumerate(trees):
            cond = np.asarray(tree["split_conditions"], dtype=np.float32).astype(np.float64)
            leaf_vals[:, t] = cond[leaves[:, t]] * weights[t]
        p = float(np.float32(float(lr["learner_model_param"]["base_score"].strip("[]"))))
        obj = lr["objective"]["name"]
        margin = math.log(p / (1.0 - p)) if obj == "binary:logistic" else p
        n_out = max(1, int(lr["learner_model_param"]["num_class"]))
        base = [float(np.float32(margin))] * n_out
        raw_q = b.predict(dq, output_margin=True)
        raw_x = b.predict(xgb.DMatrix(X), output_margin=True)
        n_per_class = max(np.bincount(classes))
        compare(rep, name, args, path, X, Xq, raw_q, raw_x, n_per_class, (base, leaf_vals, classes),
                is_regression=is_reg, also_general=(name == "xgboost_5class_softprob"))


def sk_leaf_values(doc, leaf_ids_per_tree, tree_map):
    """leaf values per (sample, IR tree) from sklearn leaf ids; tree_map[i] = (estimator
    index into leaf_ids_per_tree, IR tree dict)."""
    n = leaf_ids_per_tree[0].shape[0]
    vals = np.zeros((n, len(tree_map)))
    for t, (e, tree) in enumerate(tree_map):
        v = np.asarray(tree["value"], dtype=np.float64)
        vals[:, t] = v[leaf_ids_per_tree[e]]
    return vals


def case_sklearn(args, rep):
    sys.path.insert(0, args.python_dir)
    import trees as tt
    from sklearn.ensemble import (GradientBoostingClassifier, GradientBoostingRegressor, HistGradientBoostingClassifier,
                                  RandomForestClassifier, RandomForestRegressor)
    from sklearn.tree import DecisionTreeClassifier
    X, y = load_data(args.data)
    Xq = FixedT(INPUT_T).quantize(X)
    X32 = Xq.astype(np.float32)
    tr = slice(0, 600)
    yb = (y == 2).astype(int)
    yr = X[:, 14] / 100.0
    models = [
        ("sklearn_gb_binary", GradientBoostingClassifier(n_estimators=100, max_depth=4, random_state=0), yb, "dec"),
        ("sklearn_gb_5class", GradientBoostingClassifier(n_estimators=20, max_depth=3, random_state=0), y, "dec"),
        ("sklearn_gb_regression", GradientBoostingRegressor(n_estimators=50, max_depth=4, random_state=0), yr, "reg"),
        ("sklearn_rf_5class", RandomForestClassifier(n_estimators=30, max_depth=4, random_state=0), y, "proba"),
        ("sklearn_rf_regression", RandomForestRegressor(n_estimators=30, max_depth=4, random_state=0), yr, "reg"),
        ("sklearn_dt_5class", DecisionTreeClassifier(max_depth=4, random_state=0), y, "proba"),
        ("sklearn_hgb_binary", HistGradientBoostingClassifier(max_iter=50, max_depth=4, random_state=0), yb, "dec"),
        ("sklearn_hgb_5class", HistGradientBoostingClassifier(max_iter=20, max_depth=3, random_state=0), y, "dec"),
    ]
    for name, m, target, kind in models:
        m.fit(X[tr], target[tr])
        path = os.path.join(args.work, name + ".json")
        doc = tt.save_trees(m, path)
        fn = {"dec": m.decision_function if hasattr(m, "decision_function") else None,
              "proba": getattr(m, "predict_proba", None), "reg": m.predict}[kind]
        raw_q, raw_x = fn(Xq), fn(X)
        # The Python reference evaluation of the JSON must match the library (converter check).
        ref = tt.predict_raw(doc, X32)
        rep.check(name, np.allclose(ref, np.asarray(raw_q).reshape(ref.shape), rtol=0, atol=1e-9),
                  "predict_raw of the written JSON differs from the library")
        exact = None
        if not name.startswith("sklearn_hgb"):
            ests = [m] if not hasattr(m, "estimators_") else list(np.asarray(m.estimators_).ravel())
            leaf_ids = [e.apply(X32) for e in ests]
            per_est = len(doc["trees"]) // len(ests)
            tree_map = [(t // per_est, tree) for t, tree in enumerate(doc["trees"])]
            exact = (doc["base_score"], sk_leaf_values(doc, leaf_ids, tree_map), [t["class_id"] for t in doc["trees"]])
        n_per_class = max(np.bincount([t["class_id"] for t in doc["trees"]]))
        compare(rep, name, args, path, X, Xq, raw_q, raw_x, n_per_class, exact, is_regression=(kind == "reg"),
                also_general=(name == "sklearn_rf_5class"))


def onnx_from_sklearn(m, path, mode="BRANCH_LEQ"):
    """An ONNX-ML TreeEnsembleClassifier/Regressor built with onnx.helper from a fitted
    sklearn GradientBoosting*/RandomForest* model's arrays (skl2onnx is not in Debian)."""
    import onnx
    from onnx import TensorProto, helper
    is_clf = hasattr(m, "classes_")
    name = type(m).__name__
    nodes = {k: [] for k in ("treeids", "nodeids", "featureids", "values", "modes", "true", "false", "miss")}
    w = {k: [] for k in ("treeids", "nodeids", "ids", "weights")}
    if name.startswith("GradientBoosting"):
        ests = m.estimators_
        K = ests.shape[1]
        trees = [(i * K + k, ests[i, k].tree_, k) for i in range(ests.shape[0]) for k in range(K)]
        base = list(np.asarray(m._raw_predict_init(np.zeros((1, m.n_features_in_), np.float32))).ravel())
        post = ("LOGISTIC" if K == 1 else "SOFTMAX") if is_clf else "NONE"
    else:
        trees = [(i, e.tree_, None) for i, e in enumerate(m.estimators_)]
        base = None
        post = "NONE"
    n_est = len(m.estimators_) if not name.startswith("GradientBoosting") else None
    for tid, t, k in trees:
        for i in range(t.node_count):
            leaf = t.children_left[i] == -1
            nodes["treeids"].append(tid)
            nodes["nodeids"].append(i)
            nodes["featureids"].append(0 if leaf else int(t.feature[i]))
            nodes["values"].append(0.0 if leaf else float(t.threshold[i]))
            nodes["miss"].append(0)
            if leaf:
                nodes["modes"].append("LEAF")
                nodes["true"].append(0)
                nodes["false"].append(0)
                if k is not None:
                    vals = [(k, m.learning_rate * t.value[i, 0, 0])]
                elif is_clf:
                    v = t.value[i, 0, :] / t.value[i, 0, :].sum()
                    vals = [(c, v[c] / n_est) for c in range(len(v))]
                else:
                    vals = [(0, t.value[i, 0, 0] / n_est)]
                for c, v in vals:
                    w["treeids"].append(tid)
                    w["nodeids"].append(i)
                    w["ids"].append(int(c))
                    w["weights"].append(float(v))
            else:
                lo, hi = int(t.children_left[i]), int(t.children_right[i])
                nodes["modes"].append(mode)
                # BRANCH_LEQ: true = x <= t = left; BRANCH_GT: true = x > t = right.
                nodes["true"].append(lo if mode == "BRANCH_LEQ" else hi)
                nodes["false"].append(hi if mode == "BRANCH_LEQ" else lo)
    pfx = "class_" if is_clf else "target_"
    attrs = dict(nodes_treeids=nodes["treeids"], nodes_nodeids=nodes["nodeids"], nodes_featureids=nodes["featureids"],
                 nodes_values=nodes["values"], nodes_modes=nodes["modes"], nodes_truenodeids=nodes["true"],
                 nodes_falsenodeids=nodes["false"], nodes_missing_value_tracks_true=nodes["miss"],
                 post_transform=post)
    attrs[pfx + "treeids"] = w["treeids"]
    attrs[pfx + "nodeids"] = w["nodeids"]
    attrs[pfx + "ids"] = w["ids"]
    attrs[pfx + "weights"] = w["weights"]
    if base is not None:
        attrs["base_values"] = [float(b) for b in base]
    nf = m.n_features_in_
    X = helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, nf])
    if is_clf:
        attrs["classlabels_int64s"] = [int(c) for c in m.classes_]
        node = helper.make_node("TreeEnsembleClassifier", ["X"], ["label", "probabilities"], domain="ai.onnx.ml", **attrs)
        outs = [helper.make_tensor_value_info("label", TensorProto.INT64, [None]),
                helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, len(m.classes_)])]
    else:
        attrs["n_targets"] = 1
        node = helper.make_node("TreeEnsembleRegressor", ["X"], ["variable"], domain="ai.onnx.ml", **attrs)
        outs = [helper.make_tensor_value_info("variable", TensorProto.FLOAT, [None, 1])]
    g = helper.make_graph([node], "trees", [X], outs)
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid("ai.onnx.ml", 1)])
    onnx.save(model, path)
    return nodes, w, base


def case_onnx_ml(args, rep):
    from sklearn.ensemble import GradientBoostingClassifier, GradientBoostingRegressor, RandomForestClassifier
    X, y = load_data(args.data)
    Xq = FixedT(INPUT_T).quantize(X)
    X32 = Xq.astype(np.float32)
    tr = slice(0, 600)
    yb = (y == 2).astype(int)
    yr = X[:, 14] / 100.0
    models = [
        ("onnx_ml_gb_5class_leq", GradientBoostingClassifier(n_estimators=20, max_depth=3, random_state=0), y, "dec", "BRANCH_LEQ"),
        ("onnx_ml_gb_binary_gt", GradientBoostingClassifier(n_estimators=50, max_depth=4, random_state=0), yb, "dec", "BRANCH_GT"),
        ("onnx_ml_rf_5class_leq", RandomForestClassifier(n_estimators=20, max_depth=4, random_state=0), y, "proba", "BRANCH_LEQ"),
        ("onnx_ml_gb_regression", GradientBoostingRegressor(n_estimators=30, max_depth=3, random_state=0), yr, "reg", "BRANCH_LEQ"),
    ]
    for name, m, target, kind, mode in models:
        m.fit(X[tr], target[tr])
        path = os.path.join(args.work, name + ".onnx")
        nodes, w, base = onnx_from_sklearn(m, path, mode)
        fn = {"dec": getattr(m, "decision_function", None), "proba": getattr(m, "predict_proba", None),
              "reg": m.predict}[kind]
        raw_q, raw_x = fn(Xq), fn(X)
        # Exact expectation from sklearn's leaves and the float32 weights of the ONNX file.
        if hasattr(m, "estimators_") and np.ndim(m.estimators_) == 2:
            ests = list(np.asarray(m.estimators_).ravel())
        else:
            ests = list(m.estimators_)
        leaf_ids = [e.apply(X32) for e in ests]
        n_out = 1 if (kind == "reg" or (kind == "dec" and len(m.classes_) == 2)) else len(m.classes_)
        wt = {}
        for tid, nid, c, v in zip(w["treeids"], w["nodeids"], w["ids"], w["weights"]):
            wt.setdefault((tid, 0 if n_out == 1 else c), {})[nid] = float(np.float32(v))
        keys = sorted(wt.keys())
        leaf_vals = np.zeros((len(X), len(keys)))
        for j, (tid, c) in enumerate(keys):
            tab = wt[(tid, c)]
            leaf_vals[:, j] = [tab.get(int(l), 0.0) for l in leaf_ids[tid]]
        bvals = [float(np.float32(b)) for b in base] if base is not None else [0.0] * n_out
        classes = [c for (_, c) in keys]
        n_per_class = max(np.bincount(classes))
        compare(rep, name, args, path, X, Xq, raw_q, raw_x, n_per_class, (bvals, leaf_vals, classes),
                is_regression=(kind == "reg"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("case", choices=["xgboost", "sklearn", "onnx_ml"])
    ap.add_argument("--driver", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--python-dir", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--tachyon", default="", help="the tachyon executable: compare through `tachyon predict` too")
    ap.add_argument("--no-hls", dest="hls", action="store_false",
                    help="do not write and C-simulate the HLS projects (needs --tachyon)")
    ap.add_argument("--verilog", action="store_true",
                    help="also write the Verilog projects and compare their RTL simulation (needs --tachyon)")
    ap.add_argument("--sim-all", action="store_true", help="simulate every model, not only SIM_MODELS")
    ap.add_argument("--keep", action="store_true", help="keep the generated projects in --work")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    rep = Report()
    {"xgboost": case_xgboost, "sklearn": case_sklearn, "onnx_ml": case_onnx_ml}[args.case](args, rep)
    rep.finish()


if __name__ == "__main__":
    main()
