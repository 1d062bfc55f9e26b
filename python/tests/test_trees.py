"""Tree ensembles through the Python API: convert_from_sklearn / convert_from_xgboost, the
configuration templates, predictions against the libraries, the generated firmware's C
simulation, errors.

Predictions are compared on inputs already on the input type's grid (X_q): there every
split decides exactly as the float model (docs/trees.md, "Thresholds"), so the only
difference is the rounding of the leaves and the base score to the score type:
|tachyon - library| <= (trees per class + 1) * lsb(score) / 2 (AP_RND_CONV), plus the
library's float error.
"""
import os
import shutil

import numpy as np
import pytest

from conftest import MODELS, ROOT

import tachyon
from tachyon import trees

sk_ensemble = pytest.importorskip("sklearn.ensemble")
sk_tree = pytest.importorskip("sklearn.tree")

DATA = os.path.join(ROOT, "tests", "data", "jets_hlf", "jsc_openml_test1000.npz")
INPUT_T = "ap_fixed<24,10,AP_RND_CONV,AP_SAT>"  # 14 fraction bits; range +-512 covers the jets
INPUT_FRAC = 14
SCORE_T = "ap_fixed<18,8,AP_RND_CONV,AP_SAT>"
SCORE_LSB = 2.0 ** -10


@pytest.fixture(scope="module")
def jets():
    d = np.load(DATA)
    X = d["X"].astype(np.float64)
    y = d["y"].astype(int)
    assert np.abs(X).max() < 512
    # On the ap_fixed<24,10> grid (np.round is round-half-even = AP_RND_CONV); exact in float32.
    Xq = np.round(X * 2.0 ** INPUT_FRAC) / 2.0 ** INPUT_FRAC
    assert np.array_equal(Xq.astype(np.float32).astype(np.float64), Xq)
    return X, Xq, y


def tree_config(model):
    """The template of the model with the input and score precisions set (the user's path)."""
    cfg = tachyon.config_from_trees(model, granularity="name")
    assert set(cfg["LayerName"]) == {"x", "bdt"}
    assert cfg["LayerName"]["bdt"]["Precision"]["threshold"] == "auto"
    assert set(cfg["LayerName"]["bdt"]["Precision"]) == {"result", "threshold", "score"}
    cfg["LayerName"]["x"]["Precision"]["result"] = INPUT_T
    cfg["LayerName"]["bdt"]["Precision"]["score"] = SCORE_T
    cfg["LayerName"]["bdt"]["Precision"]["result"] = SCORE_T
    return cfg


def decisions(s):
    s = np.asarray(s)
    return (s.reshape(-1) > 0).astype(int) if s.ndim == 1 or s.shape[1] == 1 else s.argmax(axis=1)


TR = slice(0, 400)
TE = slice(400, 1000)

# (estimator factory, target kind, library raw score)
SKLEARN_CASES = {
    "gb_5class": (lambda: sk_ensemble.GradientBoostingClassifier(n_estimators=15, max_depth=3, random_state=0),
                  "multi", "decision_function"),
    "gb_binary": (lambda: sk_ensemble.GradientBoostingClassifier(n_estimators=30, max_depth=3, random_state=0),
                  "binary", "decision_function"),
    "gb_regression": (lambda: sk_ensemble.GradientBoostingRegressor(n_estimators=20, max_depth=3, random_state=0),
                      "reg", "predict"),
    "rf_5class": (lambda: sk_ensemble.RandomForestClassifier(n_estimators=10, max_depth=4, random_state=0),
                  "multi", "predict_proba"),
    "rf_regression": (lambda: sk_ensemble.RandomForestRegressor(n_estimators=10, max_depth=4, random_state=0),
                      "reg", "predict"),
    "dt_5class": (lambda: sk_tree.DecisionTreeClassifier(max_depth=5, random_state=0), "multi", "predict_proba"),
    "dt_regression": (lambda: sk_tree.DecisionTreeRegressor(max_depth=5, random_state=0), "reg", "predict"),
    "hgb_5class": (lambda: sk_ensemble.HistGradientBoostingClassifier(max_iter=10, max_depth=3, random_state=0),
                   "multi", "decision_function"),
    "hgb_binary": (lambda: sk_ensemble.HistGradientBoostingClassifier(max_iter=20, max_depth=3, random_state=0),
                   "binary", "decision_function"),
}


def target(kind, X, y):
    return {"multi": y, "binary": (y == 2).astype(int), "reg": X[:, 14] / 100.0}[kind]


@pytest.mark.parametrize("case", sorted(SKLEARN_CASES))
def test_sklearn_model_matches_the_library(case, jets):
    X, Xq, y = jets
    make, kind, method = SKLEARN_CASES[case]
    clf = make().fit(X[TR], target(kind, X, y)[TR])
    m = tachyon.convert_from_sklearn(clf, hls_config=tree_config(clf))
    assert isinstance(m, tachyon.HLSModel)
    info = m.tree_info
    assert info["model"] == type(clf).__name__
    raw = m.predict(Xq[TE])
    ref = np.asarray(getattr(clf, method)(Xq[TE]), dtype=np.float64).reshape(raw.shape)
    assert raw.shape == (600, info["n_outputs"])
    # The bound from the score type and the number of trees per output.
    per_class = info["n_trees"] // info["n_outputs"]
    bound = (per_class + 1) * SCORE_LSB / 2 + 1e-9 * (1 + np.abs(ref).max())
    diff = np.abs(raw - ref).max()
    assert diff <= bound, (diff, bound)
    assert np.all(raw == np.round(raw / SCORE_LSB) * SCORE_LSB)  # on the score grid
    if kind != "reg":
        assert np.mean(decisions(raw) == decisions(ref)) >= 0.97
        proba = m.predict_proba(Xq[TE])
        lib = clf.predict_proba(Xq[TE])
        assert proba.shape == lib.shape
        # sigmoid / softmax change by at most half the largest score change.
        assert np.abs(proba - lib).max() <= bound
    else:
        with pytest.raises(tachyon.TachyonError, match="regressor"):
            m.predict_proba(Xq[:2])


def test_unquantized_inputs_agree_with_the_library(jets):
    X, _, y = jets
    clf = sk_ensemble.GradientBoostingClassifier(n_estimators=15, max_depth=3, random_state=0).fit(X[TR], y[TR])
    raw = tachyon.convert_from_sklearn(clf, hls_config=tree_config(clf)).predict(X[TE])
    assert np.mean(raw.argmax(1) == clf.predict(X[TE])) >= 0.97


def test_default_config_threshold_is_the_input_type(jets):
    """Without a configuration the thresholds take the input type (threshold: auto), so a
    model with small inputs decides exactly like the float model on the input grid."""
    X, Xq, y = jets
    clf = sk_tree.DecisionTreeClassifier(max_depth=4, random_state=0).fit(X[TR, :4], y[TR])
    m = tachyon.convert_from_sklearn(clf)  # every precision at its default
    ir = m.inspect()
    assert "TreeEnsemble" in ir
    cfg = tachyon.config_from_sklearn(clf)
    assert cfg["Model"]["Precision"]["threshold"] == "auto"
    # Features 0..3 are within (-5, 1): the default ap_fixed<16,6> input (10 fraction bits) holds them.
    xg = np.round(X[TE, :4] * 1024) / 1024
    assert np.abs(xg).max() < 32
    leaf_lib = clf.apply(xg.astype(np.float32))
    cfg_wide = {"LayerName": {"bdt": {"Precision": {"score": "ap_fixed<24,4,AP_RND_CONV>",
                                                    "result": "ap_fixed<24,4,AP_RND_CONV>"}}}}
    raw = tachyon.convert_from_sklearn(clf, hls_config=cfg_wide).predict(xg)
    # Same leaf -> same row of class fractions (within the score rounding).
    frac = clf.tree_.value[:, 0, :] / clf.tree_.value[:, 0, :].sum(axis=1, keepdims=True)
    assert np.abs(raw - frac[leaf_lib]).max() <= 2.0 ** -20 / 2 + 1e-12


def test_xgboost_booster_model_and_file(jets, tmp_path):
    xgb = pytest.importorskip("xgboost")
    X, Xq, y = jets
    clf = xgb.XGBClassifier(n_estimators=10, max_depth=3, tree_method="exact").fit(X[TR], y[TR])
    booster = clf.get_booster()
    path = tmp_path / "m.json"
    booster.save_model(str(path))
    ref = booster.predict(xgb.DMatrix(Xq[TE]), output_margin=True)
    results = []
    for src in (clf, booster, str(path)):
        cfg = tachyon.config_from_xgboost(src, granularity="name")
        cfg["LayerName"]["x"]["Precision"]["result"] = INPUT_T
        cfg["LayerName"]["bdt"]["Precision"]["score"] = SCORE_T
        cfg["LayerName"]["bdt"]["Precision"]["result"] = SCORE_T
        m = tachyon.convert_from_xgboost(src, hls_config=cfg)
        assert m.tree_info["post_transform"] == "softmax" and m.tree_info["n_outputs"] == 5
        results.append(m.predict(Xq[TE]))
    assert all(np.array_equal(results[0], r) for r in results[1:])
    bound = (10 + 1) * SCORE_LSB / 2 + 2e-4 * (1 + np.abs(ref).max())
    assert np.abs(results[0] - ref).max() <= bound
    assert np.mean(results[0].argmax(1) == ref.argmax(1)) >= 0.97
    p = tachyon.convert_from_xgboost(clf, hls_config=cfg).predict_proba(Xq[TE])
    assert np.abs(p - clf.predict_proba(Xq[TE])).max() <= bound
    with pytest.raises(tachyon.TachyonError, match="ubj"):
        tachyon.convert_from_xgboost(str(tmp_path / "m.ubj"))
    with pytest.raises(tachyon.TachyonError, match="not fitted"):
        tachyon.convert_from_xgboost(xgb.XGBClassifier())


def test_no_temporary_files_are_left(jets, tmp_path, monkeypatch):
    X, Xq, y = jets
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", None)
    clf = sk_tree.DecisionTreeRegressor(max_depth=3).fit(X[TR], X[TR, 14])
    m = tachyon.convert_from_sklearn(clf, hls_config=tree_config(clf))
    m.predict(Xq[:5])
    m.compile()
    m.config["LayerName"]["bdt"]["Precision"]["score"] = "ap_fixed<20,10,AP_RND_CONV,AP_SAT>"
    m.compile().predict(Xq[:5])
    assert os.listdir(tmp_path) == []


def test_nan_input_is_a_clear_error(jets):
    X, Xq, y = jets
    clf = sk_ensemble.HistGradientBoostingClassifier(max_iter=5, max_depth=2).fit(X[TR], (y[TR] == 1))
    m = tachyon.convert_from_sklearn(clf, hls_config=tree_config(clf))
    x = Xq[:4].copy()
    x[3, 7] = np.nan
    with pytest.raises(tachyon.TachyonError, match=r"input 'x': sample 3 feature 7 is NaN"):
        m.predict(x)
    with pytest.raises(tachyon.TachyonError, match="NaN"):
        m.trace(x)
    x[3, 7] = 0.0
    assert m.predict(x).shape == (4, 1)


def test_errors(tmp_path):
    from sklearn.linear_model import LogisticRegression
    with pytest.raises(TypeError, match="LogisticRegression is not a supported tree model"):
        tachyon.convert_from_sklearn(LogisticRegression())
    with pytest.raises(TypeError, match="GradientBoostingClassifier"):
        tachyon.convert_from_sklearn(sk_ensemble.GradientBoostingClassifier)  # the class, not an instance
    with pytest.raises(tachyon.TachyonError, match="RandomForestClassifier is not fitted"):
        tachyon.convert_from_sklearn(sk_ensemble.RandomForestClassifier())
    with pytest.raises(tachyon.TachyonError, match="not fitted"):
        tachyon.config_from_sklearn(sk_tree.DecisionTreeRegressor())
    with pytest.raises(TypeError, match="not an XGBoost"):
        tachyon.convert_from_xgboost(42)
    rng = np.random.default_rng(0)
    Xr = rng.uniform(-1, 1, (50, 3))
    clf = sk_tree.DecisionTreeClassifier(max_depth=2).fit(Xr, Xr[:, 0] > 0)
    m = tachyon.convert_from_sklearn(clf)
    with pytest.raises(tachyon.TachyonError, match="3"):
        m.predict(np.zeros((2, 4)))  # wrong feature count
    with pytest.raises(tachyon.TachyonError, match="AP_FOO"):
        tachyon.convert_from_sklearn(clf, hls_config={"Model": {"Precision": "ap_fixed<8,3,AP_FOO>"}}).compile()
    with pytest.raises(tachyon.TachyonError, match="threshold"):  # a key that does not apply to trees
        tachyon.convert_from_sklearn(clf, hls_config={"LayerName": {"bdt": {"Precision": {"weight": "ap_fixed<8,3>"}}}}).compile()


def test_write_then_simulate_equals_predict(jets, tmp_path):
    """The HLS project's C simulation (g++) reproduces predict() bit for bit."""
    if shutil.which("g++") is None:
        pytest.skip("g++ not available")
    X, _, y = jets
    clf = sk_ensemble.GradientBoostingClassifier(n_estimators=8, max_depth=3, random_state=0).fit(X[TR], y[TR])
    m = tachyon.convert_from_sklearn(clf, hls_config=tree_config(clf), output_dir=str(tmp_path / "bdt"),
                                     backend="vitis", project_name="bdt")
    assert m.write() == str(tmp_path / "bdt")
    assert (tmp_path / "bdt" / "tachyon_project.json").exists()
    x = X[TE][:300]  # raw inputs: the input conversion is checked too
    sim = m.simulate(x)
    emu = m.predict(x)
    assert sim.shape == emu.shape
    assert np.array_equal(sim, emu), f"{np.sum(sim != emu)} values differ"


def test_build_without_vendor_tool_is_a_clear_error(jets, tmp_path, monkeypatch):
    """`build` runs vitis_hls / vivado_hls; without them the C++ side raises TachyonError
    naming the missing tool and the alternatives (simulate, the Verilog backend)."""
    if shutil.which("vitis_hls") or shutil.which("vivado_hls"):
        pytest.skip("a vendor HLS tool is installed")
    X, _, y = jets
    clf = sk_tree.DecisionTreeClassifier(max_depth=3).fit(X[TR], y[TR])
    m = tachyon.convert_from_sklearn(clf, hls_config=tree_config(clf), output_dir=str(tmp_path / "p"))
    with pytest.raises(tachyon.TachyonError, match="vitis_hls not found on PATH"):
        m.build()
    assert (tmp_path / "p" / "tachyon_project.json").exists()  # build() wrote the project first


def test_tree_files_convert_like_onnx_models(jets, tmp_path):
    """A tree file on disk (here save_trees' Tachyon tree JSON) goes through the ONNX entry
    points too (every tree format is detected by content) and gives the same bits."""
    X, Xq, y = jets
    clf = sk_ensemble.RandomForestClassifier(n_estimators=5, max_depth=3, random_state=0).fit(X[TR], y[TR])
    path = tmp_path / "rf.json"
    trees.save_trees(clf, str(path))
    cfg = tree_config(clf)
    assert tachyon.config_from_onnx_model(str(path), granularity="name")["LayerName"].keys() == cfg["LayerName"].keys()
    a = tachyon.convert_from_onnx_model(str(path), hls_config=cfg).predict(Xq[TE])
    b = tachyon.convert_from_sklearn(clf, hls_config=cfg).predict(Xq[TE])
    assert np.array_equal(a, b)
