"""Writes the seed inputs of the libFuzzer targets (tests/fuzz), one folder per target.

Run from anywhere with Debian's python3 (numpy, onnx, xgboost); the files are committed, so
this only needs re-running to change them:
    /usr/bin/python3 tests/data/fuzz_seeds/make_seeds.py
Every seed is a small valid input of its reader (plus a few near-misses), so that the
fuzzer starts from files that reach deep into the parser instead of bouncing off the first
check. The malformed corpora (tests/data/malformed*) are added to the seeds by scripts/fuzz.sh.
"""
import json
import os
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))


def put(target, name, data):
    d = os.path.join(HERE, target)
    os.makedirs(d, exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(os.path.join(d, name), mode) as f:
        f.write(data)


# ---- .npy -------------------------------------------------------------------------------
def npy_bytes(a):
    with tempfile.TemporaryDirectory() as t:
        p = os.path.join(t, "a.npy")
        np.save(p, a)
        return open(p, "rb").read()


rng = np.random.default_rng(7)
for dt in ["<f8", "<f4", "<f2", ">f8", "<i1", "<i2", ">i4", "<i8", "<u1", "<u2", "<u4", ">u8", "|b1"]:
    a = (rng.normal(size=(3, 4)) * 50).astype(dt)
    put("npy", f"a_{dt.replace('<', 'le_').replace('>', 'be_').replace('|', '')}.npy", npy_bytes(a))
put("npy", "scalar.npy", npy_bytes(np.float64(2.5)))
put("npy", "empty.npy", npy_bytes(np.zeros((0, 5))))
put("npy", "rank4.npy", npy_bytes(np.arange(24, dtype=np.float32).reshape(1, 2, 3, 4)))
put("npy", "fortran.npy", npy_bytes(np.asfortranarray(np.arange(6.0).reshape(2, 3))))

# ---- configurations (YAML and JSON) -----------------------------------------------------
yaml_cfgs = {
    "model_only.yml": "Model:\n  Precision: ap_fixed<16,6>\n  ReuseFactor: 1\n  Strategy: Latency\n",
    "hlsconfig.yml": (
        "OutputDir: prj\nProjectName: p\nPart: xcvu13p-flga2577-2-e\nClockPeriod: 5\nIOType: io_parallel\n"
        "HLSConfig:\n  Model:\n    Precision: ap_fixed<18,8,AP_RND,AP_SAT>\n    ReuseFactor: 2\n"
        "  LayerType:\n    Dense:\n      Precision:\n        weight: ap_fixed<8,2>\n        accum: auto\n"
        "    Sigmoid:\n      table_size: 512\n"
        "  LayerName:\n    layer3_Tanh:\n      table_size: 1000\n      Precision: {table: 'ap_fixed<12,2,AP_RND>'}\n"
        "    layer6_Gemm: {Strategy: Resource, ReuseFactor: 32}\n"
        "    layer5_LeakyRelu:\n      Precision:\n        param: ap_fixed<8,1,AP_RND>\n        result: ap_ufixed<9,0,AP_RND_CONV,AP_SAT_SYM>\n"
    ),
    "anchors.yml": "base: &b {Precision: 'ap_fixed<10,4>'}\nModel: *b\nLayerName:\n  layer0_Gemm: {<<: *b, ReuseFactor: 4}\n",
    "ints.yml": "Model:\n  Precision: ap_int<8>\nLayerName:\n  layer9_Elu:\n    table_size: 128\n    Precision:\n      param: ap_fixed<10,3,AP_RND>\n      table: ap_fixed<12,1,AP_RND_CONV,AP_SAT>\n",
}
for name, text in yaml_cfgs.items():
    put("config_yaml", name, text)
with open(os.path.join(HERE, "..", "..", "e2e_hls", "configs", "mlp_activations.yaml")) as f:
    put("config_yaml", "mlp_activations.yaml", f.read())
json_cfgs = [
    {"Model": {"Precision": "ap_fixed<16,6>", "ReuseFactor": 1}},
    {"HLSConfig": {"Model": {"Precision": {"default": "ap_fixed<16,6>", "result": "auto"}, "ReuseFactor": 4,
                             "Strategy": "Resource"},
                   "LayerType": {"Dense": {"Precision": {"weight": "ap_fixed<6,1>"}}, "Elu": {"table_size": 256}},
                   "LayerName": {"layer1_Sigmoid": {"table_size": 256,
                                                    "Precision": {"table": "ap_ufixed<10,0,AP_RND,AP_SAT>"}},
                                 "layer7_Clip": {"Precision": {"result": "ap_fixed<7,1,AP_RND_CONV,AP_SAT>"}}}},
     "ClockPeriod": 5, "IOType": "io_parallel"},
    {"Model": {"Precision": "ap_fixed<24,8,AP_TRN_ZERO,AP_SAT>"},
     "LayerName": {"layer8_Gemm": {"Precision": {"accum": "ap_fixed<24,8>"}, "ReuseFactor": 8}}},
]
for i, c in enumerate(json_cfgs):
    put("config_json", f"config{i}.json", json.dumps(c, indent=1))

# ---- XGBoost JSON -----------------------------------------------------------------------
import xgboost as xgb  # noqa: E402

X = rng.normal(size=(200, 4))
y2 = (X[:, 0] + X[:, 1] * X[:, 2] > 0).astype(int)
y3 = np.digitize(X[:, 0], [-0.5, 0.5])
for name, params, y in [("binary", {"objective": "binary:logistic"}, y2),
                        ("multi", {"objective": "multi:softprob", "num_class": 3}, y3),
                        ("reg", {"objective": "reg:squarederror"}, X[:, 3]),
                        ("dart", {"objective": "binary:logistic", "booster": "dart"}, y2)]:
    b = xgb.train({**params, "max_depth": 2, "seed": 1}, xgb.DMatrix(X, label=y), num_boost_round=2)
    with tempfile.TemporaryDirectory() as t:
        p = os.path.join(t, "m.json")
        b.save_model(p)
        put("xgboost_json", f"{name}.json", open(p).read())

# ---- Tachyon tree JSON ------------------------------------------------------------------
put("tachyon_tree_json", "clf.json", json.dumps({
    "format": "tachyon-trees", "version": 1, "source": "sklearn", "model": "GradientBoostingClassifier",
    "n_features": 3, "n_outputs": 2, "compare": "<=", "post_transform": "softmax", "objective": "log_loss",
    "base_score": [0.5, -0.25],
    "trees": [{"class_id": 1, "feature": [2, -1, -1], "threshold": [0.75, 0, 0], "left": [1, -1, -1],
               "right": [2, -1, -1], "value": [0, 1.5, -1.5], "default_left": [False, True, True]},
              {"class_id": 0, "feature": [-1], "threshold": [0], "left": [-1], "right": [-1], "value": [0.125]}]}))
put("tachyon_tree_json", "reg.json", json.dumps({
    "format": "tachyon-trees", "version": 1, "source": "sklearn", "model": "RandomForestRegressor",
    "n_features": 2, "n_outputs": 1, "compare": "<", "post_transform": "average", "base_score": [0.0],
    "trees": [{"feature": [0, 1, -1, -1, -1], "threshold": [0.5, -1.0, 0, 0, 0], "left": [1, 3, -1, -1, -1],
               "right": [2, 4, -1, -1, -1], "value": [0, 0, 2.0, -1.0, 0.25]}]}))

# ---- LightGBM text ----------------------------------------------------------------------
# The LightGBM model of the unit tests (tests/unit/trees/formats_test.cc, kLgb), read from there.
with open(os.path.join(HERE, "..", "..", "unit", "trees", "formats_test.cc")) as f:
    src = f.read()
LGB = src[src.index('const char* kLgb = R"(') + len('const char* kLgb = R"('):]
LGB = LGB[:LGB.index(')";')]
put("lightgbm_text", "binary.txt", LGB)
put("lightgbm_text", "multi.txt", LGB.replace("num_class=1\nnum_tree_per_iteration=1",
                                              "num_class=2\nnum_tree_per_iteration=2")
    .replace("objective=binary sigmoid:1", "objective=multiclass num_class:2\naverage_output"))
put("lightgbm_text", "regression.txt", LGB.replace("objective=binary sigmoid:1", "objective=regression"))

# ---- TMVA XML ---------------------------------------------------------------------------
# The two trees of the unit tests (tests/unit/trees/formats_test.cc, kTmvaTrees).
TREES = src[src.index('const char* kTmvaTrees = R"(') + len('const char* kTmvaTrees = R"('):]
TREES = TREES[:TREES.index(')";')]


def tmva(boost, analysis, nclass=2, extra=""):
    at = "2" if analysis == "Multiclass" else ("1" if boost == "Grad" else "0")
    return f"""<?xml version="1.0"?>
<MethodSetup Method="BDT::BDT">
  <GeneralInfo>
    <Info name="AnalysisType" value="{analysis}"/>
  </GeneralInfo>
  <Options>
    <Option name="NTrees" modified="Yes">2</Option>
    <Option name="BoostType" modified="Yes">{boost}</Option>
    {extra}
  </Options>
  <Variables NVar="3">
    <Variable VarIndex="0" Expression="pt" Label="pt" Type="F" Min="0.0e+00" Max="1.0e+02"/>
    <Variable VarIndex="1" Expression="eta" Label="eta" Type="F" Min="-2.5e+00" Max="2.5e+00"/>
    <Variable VarIndex="2" Expression="m" Label="m" Type="F" Min="0.0e+00" Max="2.0e+02"/>
  </Variables>
  <Classes NClass="{nclass}">
    <Class Name="Signal" Index="0"/>
    <Class Name="Background" Index="1"/>
  </Classes>
  <Transformations NTransformations="0"/>
  <Weights NTrees="2" AnalysisType="{at}">{TREES}
  </Weights>
</MethodSetup>
"""


put("tmva_xml", "adaboost.weights.xml", tmva("AdaBoost", "Classification"))
put("tmva_xml", "purity.weights.xml",
    tmva("AdaBoost", "Classification", extra='<Option name="UseYesNoLeaf" modified="Yes">False</Option>'))
put("tmva_xml", "grad.weights.xml", tmva("Grad", "Classification"))
put("tmva_xml", "regression.weights.xml", tmva("Grad", "Regression"))


# ---- ONNX-ML tree ensembles -------------------------------------------------------------
def onnx_ml(op, mode9="BRANCH_GT", zipmap=True, post="SOFTMAX"):
    attrs = dict(
        nodes_treeids=[7, 7, 7, 7, 7, 8], nodes_nodeids=[2, 4, 1, 9, 3, 0], nodes_featureids=[0, 1, 0, 0, 0, 0],
        nodes_values=[0, 0.3, 0, 1.0, 0, 0], nodes_modes=["LEAF", "BRANCH_LEQ", "LEAF", mode9, "LEAF", "LEAF"],
        nodes_truenodeids=[0, 2, 0, 1, 0, 0], nodes_falsenodeids=[0, 9, 0, 3, 0, 0],
        nodes_missing_value_tracks_true=[0, 1, 0, 0, 0, 0], post_transform=post)
    outs = ["label", "probabilities"] if op == "TreeEnsembleClassifier" else ["variable"]
    if op == "TreeEnsembleClassifier":
        attrs.update(class_treeids=[7, 7, 7, 7, 8], class_nodeids=[2, 2, 1, 3, 0], class_ids=[0, 2, 1, 0, 2],
                     class_weights=[0.5, -0.5, 1.0, 0.25, 2.0], classlabels_int64s=[10, 20, 30],
                     base_values=[0.1, 0.2, 0.3])
    else:
        attrs.update(target_treeids=[7, 7, 7, 8], target_nodeids=[2, 1, 3, 0], target_ids=[0, 1, 0, 1],
                     target_weights=[0.5, 1.0, 0.25, 2.0], n_targets=2, base_values=[0.1, 0.2])
    nodes = [helper.make_node(op, ["X"], outs, domain="ai.onnx.ml", **attrs)]
    graph_outs = [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in outs]
    if zipmap and op == "TreeEnsembleClassifier":
        nodes.append(helper.make_node("ZipMap", ["probabilities"], ["output_probability"], domain="ai.onnx.ml",
                                      classlabels_int64s=[10, 20, 30]))
        graph_outs = [graph_outs[0], helper.make_tensor_value_info("output_probability", TensorProto.FLOAT, None)]
    g = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["N", 2])], graph_outs)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("ai.onnx.ml", 1), helper.make_opsetid("", 13)])
    m.ir_version = 7
    return m.SerializeToString()


put("onnx_ml_trees", "classifier.onnx", onnx_ml("TreeEnsembleClassifier"))
put("onnx_ml_trees", "classifier_nozipmap.onnx", onnx_ml("TreeEnsembleClassifier", zipmap=False, post="LOGISTIC"))
put("onnx_ml_trees", "regressor.onnx", onnx_ml("TreeEnsembleRegressor", post="NONE"))
put("onnx_ml_trees", "mixed_modes.onnx", onnx_ml("TreeEnsembleClassifier", mode9="BRANCH_LT"))
print("seeds written to", HERE)
