"""Profiling and calibration on a jet tagger trained on RAW features (tests/data/calib/).

The float reference is an independent numpy evaluation of the ONNX weights (checked against
PyTorch's own outputs, float_b.npy). Calibration uses half a (rows 0..499 of the jets, also
the training rows); half b (rows 500..999) was seen by neither training nor calibration.
"""
import os

import numpy as np
import onnx
import pytest
from onnx import numpy_helper

from conftest import ROOT

import tachyon

DATA = os.path.join(ROOT, "tests", "data", "calib")
MODEL = os.path.join(DATA, "jet_raw.onnx")


def load(name):
    return np.load(os.path.join(DATA, name))


def float_forward(x):
    """Gemm / Relu / Softmax in float64 from the ONNX initializers."""
    m = onnx.load(MODEL)
    init = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in m.graph.initializer}
    vals = {m.graph.input[0].name: x.astype(np.float64)}
    for n in m.graph.node:
        a = vals[n.input[0]]
        if n.op_type == "Gemm":
            trans_b = next((at.i for at in n.attribute if at.name == "transB"), 0)
            w = init[n.input[1]]
            y = a @ (w.T if trans_b else w) + init[n.input[2]]
        elif n.op_type == "Relu":
            y = np.maximum(a, 0)
        elif n.op_type == "Softmax":
            e = np.exp(a - a.max(axis=1, keepdims=True))
            y = e / e.sum(axis=1, keepdims=True)
        else:
            raise AssertionError("unexpected op " + n.op_type)
        vals[n.output[0]] = y
    return vals[m.graph.output[0].name]


@pytest.fixture(scope="module")
def halves():
    xa, xb = load("jets_raw_a.npy"), load("jets_raw_b.npy")
    ya, yb = load("labels_a.npy"), load("labels_b.npy")
    fa, fb = float_forward(xa), float_forward(xb)
    assert np.allclose(fb, load("float_b.npy"), atol=1e-5)  # our float evaluation == PyTorch's
    return xa, ya, fa, xb, yb, fb


@pytest.fixture(scope="module")
def calibrated(halves):
    xa, ya = halves[0], halves[1]
    return tachyon.calibrate_config(MODEL, xa, labels=ya, max_accuracy_drop=0.01)


def acc(y, labels):
    return float(np.mean(np.argmax(y, axis=1) == labels))


def test_defaults_wrap_and_profile_says_where(halves, tmp_path):
    xa = halves[0]
    prof = tachyon.profile(MODEL, xa, html=str(tmp_path / "p.html"), json_path=str(tmp_path / "p.json"))
    inp = [e for e in prof["entries"] if e["what"] == "input"][0]
    assert inp["max"] == pytest.approx(float(xa.max()))
    assert inp["int_bits"] >= 9 and inp["wrapped"] > 0  # raw features do not fit ap_fixed<16,6>
    html = (tmp_path / "p.html").read_text()
    assert "<svg" in html and "https://" not in html
    assert "OUT OF RANGE" in prof["table"]


def test_calibrated_config_keeps_accuracy_and_never_overflows(halves, calibrated):
    xa, ya, fa = halves[0], halves[1], halves[2]
    cfg = calibrated["config"]
    y_def = tachyon.convert_from_onnx_model(MODEL).predict(xa)
    y_cal = tachyon.convert_from_onnx_model(MODEL, hls_config=cfg).predict(xa)
    float_acc = acc(fa, ya)
    assert acc(y_def, ya) < float_acc - 0.2  # the defaults wrap the raw inputs
    # target: within 1 point of the (wide) reference; allow 1 more point for the reference proxy
    assert acc(y_cal, ya) >= float_acc - 0.02
    assert calibrated["metric_after"] >= calibrated["reference_metric"] - 0.01
    assert calibrated["cost_after"] < calibrated["cost_before"]
    prof = tachyon.profile(MODEL, xa, hls_config=cfg)
    # (the stable softmax's normalised input max - x saturates at 32 by design: exp(-32) is 0)
    over = [(e["layer"], e["what"]) for e in prof["entries"]
            if e["wrapped"] + e["saturated"] > 0 and not (e["what"] == "norm" and e["wrapped"] == 0)]
    assert over == []
    assert calibrated["overflows_after"] == 0


def test_calibration_holds_on_the_other_half(halves, calibrated):
    xa, fa, xb, yb, fb = halves[0], halves[2], halves[3], halves[4], halves[5]
    # the accuracy-target configuration keeps the accuracy on unseen jets
    y_cal = tachyon.convert_from_onnx_model(MODEL, hls_config=calibrated["config"]).predict(xb)
    assert acc(y_cal, yb) >= acc(fb, yb) - 0.03
    # an agreement-target configuration agrees with the float model on both halves
    cal = tachyon.calibrate_config(MODEL, xa, min_agreement=0.99)
    m = tachyon.convert_from_onnx_model(MODEL, hls_config=cal["config"])
    assert np.mean(np.argmax(m.predict(xa), 1) == np.argmax(fa, 1)) >= 0.985
    assert np.mean(np.argmax(m.predict(xb), 1) == np.argmax(fb, 1)) >= 0.95


def test_agreement_target_and_type_granularity(halves):
    xa, fa = halves[0], halves[2]
    cal = tachyon.calibrate_config(MODEL, xa, granularity="type", min_agreement=0.98)
    assert all(k["path"][0] == "LayerType" for k in cal["knobs"])
    y = tachyon.convert_from_onnx_model(MODEL, hls_config=cal["config"]).predict(xa)
    assert np.mean(np.argmax(y, 1) == np.argmax(fa, 1)) >= 0.97


def test_tree_ensemble_calibration(tmp_path):
    xgb = pytest.importorskip("xgboost")
    d = np.load(os.path.join(ROOT, "tests", "data", "jets_hlf", "jsc_openml_test1000.npz"))
    x, y = d["X"].astype(np.float32)[:300], d["y"][:300]
    clf = xgb.XGBClassifier(n_estimators=10, max_depth=3, random_state=1).fit(x, y)
    path = str(tmp_path / "bdt.json")
    clf.get_booster().save_model(path)
    ref = clf.predict(x)
    cal = tachyon.calibrate_config(path, x, min_agreement=0.99)
    assert cal["overflows_after"] == 0
    scores = tachyon.convert_from_xgboost(path, hls_config=cal["config"]).predict(x)
    assert np.mean(np.argmax(scores, 1) == ref) >= 0.985
