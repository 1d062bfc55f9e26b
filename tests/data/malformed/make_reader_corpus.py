#!/usr/bin/python3
"""Writes the malformed and hostile inputs of the non-ONNX readers, one folder per fuzz target
(tests/data/malformed/<target>/), replayed by tests/unit/fuzz_corpus/corpus_test.cc (each
folder's EXPECTED file gives the text every file's error message must contain) and used as
fuzzer seeds by scripts/fuzz.sh. Inputs the fuzzers found are added to the same folders
(named found_*) and are kept when this script is rerun; it only rewrites its own files.

    /usr/bin/python3 tests/data/malformed/make_reader_corpus.py
"""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def put(target, name, data):
    d = os.path.join(HERE, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


# ---- .npy ---------------------------------------------------------------------------------
def npy(header, data=b"", version=1):
    h = header.encode() + b"\n"
    lb = struct.pack("<H", len(h)) if version == 1 else struct.pack("<I", len(h))
    return b"\x93NUMPY" + bytes([version, 0]) + lb + h + data


f8 = struct.pack("<4d", 1, 2, 3, 4)
put("npy", "huge_shape.npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", f8))
put("npy", "shape_overflow.npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,), }", f8))
put("npy", "truncated_data.npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000, 16), }", f8))
put("npy", "trailing_bytes.npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", f8))
put("npy", "header_past_end.npy", b"\x93NUMPY\x02\x00\xff\xff\xff\x7f{'descr'")
put("npy", "complex_dtype.npy", npy("{'descr': '<c16', 'fortran_order': False, 'shape': (2,), }", f8))
put("npy", "object_dtype.npy", npy("{'descr': '|O', 'fortran_order': False, 'shape': (4,), }", f8))
put("npy", "negative_dim.npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (-4,), }", f8))
put("npy", "unterminated.npy", npy("{'descr': '<f8", f8))

# ---- configurations -----------------------------------------------------------------------
put("config_yaml", "deep_nesting.yml", "Model: " + "[" * 20000 + "]" * 20000 + "\n")
put("config_yaml", "deep_mapping.yml", "Model: " + "{a: " * 20000 + "}" * 20000 + "\n")
put("config_yaml", "huge_table.yml", "LayerName:\n  layer1_Sigmoid:\n    table_size: 1073741824\n")
put("config_yaml", "huge_reuse.yml", "Model:\n  ReuseFactor: 99999999999999999999999\n")
put("config_yaml", "wide_precision.yml", "Model:\n  Precision: ap_fixed<100000,4>\n")
put("config_yaml", "bad_yaml.yml", "Model: {Precision: [\n")
put("config_yaml", "unknown_layer.yml", "LayerName:\n  layer99_Nope:\n    ReuseFactor: 2\n")
put("config_yaml", "alias_bomb.yml",
    "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(8)))
put("config_json", "deep_nesting.json", '{"Model": ' + "[" * 20000 + "]" * 20000 + "}")
put("config_json", "bad_json.json", '{"Model": {"Precision": "ap_fixed<16,6>",}')
put("config_json", "table_not_pow2.json", json.dumps({"LayerName": {"layer1_Sigmoid": {"table_size": -3}}}))
put("config_json", "precision_garbage.json", json.dumps({"Model": {"Precision": "ap_fixed<16,6,AP_NOPE>"}}))

# ---- tree formats -------------------------------------------------------------------------
def tjson(trees, nf=2, no=1, **kw):
    d = {"format": "tachyon-trees", "version": 1, "n_features": nf, "n_outputs": no, "compare": "<=",
         "post_transform": "none", "base_score": [0.0] * no, "trees": trees}
    d.update(kw)
    return json.dumps(d)


chain = 1100  # deeper than the 1024 limit: node i splits, left child i+1, right a leaf
feat, thr, left, right, val = [], [], [], [], []
for i in range(chain):
    feat += [0, -1]
    thr += [0.5, 0]
    left += [2 * i + 2 if i + 1 < chain else -1, -1]
    right += [2 * i + 1, -1]
    val += [0, 1.0]
feat[-2], left[-2], right[-2] = -1, -1, -1
put("tachyon_tree_json", "too_deep.json", tjson([{"feature": feat, "threshold": thr, "left": left, "right": right,
                                                  "value": val}]))
put("tachyon_tree_json", "cycle.json", tjson([{"feature": [0, 1, -1], "threshold": [0.5, 0.5, 0], "left": [1, 0, -1],
                                               "right": [2, 2, -1], "value": [0, 0, 1]}]))
put("tachyon_tree_json", "huge_features.json", tjson([], nf=2 ** 40))
put("tachyon_tree_json", "deep_json.json", "[" * 30000 + "]" * 30000)
put("tachyon_tree_json", "nan_leaf.json", tjson([{"feature": [-1], "threshold": [0], "left": [-1], "right": [-1],
                                                  "value": ["nan"]}]))

xgb_tree = {"id": 0, "left_children": [1, -1, -1], "right_children": [2, -1, -1], "split_indices": [3, 0, 0],
            "split_conditions": [0.1, -0.5, 0.25], "default_left": [1, 0, 0], "split_type": [0, 0, 0],
            "tree_param": {"num_nodes": "3", "size_leaf_vector": "0", "num_feature": "4"}}


def xgb(trees, num_feature="4", tree_info=None):
    return json.dumps({"learner": {"attributes": {}, "feature_names": [], "feature_types": [],
                                   "gradient_booster": {"name": "gbtree", "model": {
                                       "gbtree_model_param": {"num_parallel_tree": "1", "num_trees": str(len(trees))},
                                       "tree_info": tree_info if tree_info is not None else [0] * len(trees),
                                       "trees": trees}},
                                   "learner_model_param": {"base_score": "5E-1", "num_class": "0",
                                                           "num_feature": num_feature, "num_target": "1"},
                                   "objective": {"name": "binary:logistic"}}, "version": [2, 0, 3]})


put("xgboost_json", "cycle.json", xgb([dict(xgb_tree, left_children=[1, 0, -1])]))
put("xgboost_json", "child_out_of_range.json", xgb([dict(xgb_tree, right_children=[2000000000, -1, -1])]))
put("xgboost_json", "huge_num_feature.json", xgb([xgb_tree], num_feature="1e300"))
put("xgboost_json", "feature_out_of_range.json", xgb([dict(xgb_tree, split_indices=[2 ** 31 - 1, 0, 0])]))
put("xgboost_json", "tree_info_short.json", xgb([xgb_tree, xgb_tree], tree_info=[0]))
put("xgboost_json", "deep_json.json", '{"learner":' + "[" * 30000 + "]" * 30000 + "}")

LGB_HEAD = ("tree\nversion=v4\nnum_class=1\nnum_tree_per_iteration=1\nlabel_index=0\nmax_feature_idx=3\n"
            "objective=regression\n\n")


def lgb_tree(i, leaves, **kv):
    body = {"num_leaves": str(leaves), "split_feature": "0", "threshold": "0.5", "decision_type": "2",
            "left_child": "-1", "right_child": "-2", "leaf_value": "0.1 0.2", "shrinkage": "1"}
    body.update(kv)
    return f"Tree={i}\n" + "".join(f"{k}={v}\n" for k, v in body.items()) + "\n\n"


put("lightgbm_text", "huge_num_leaves.txt", LGB_HEAD + lgb_tree(0, 2 ** 40) + "end of trees\n")
put("lightgbm_text", "child_cycle.txt", LGB_HEAD + lgb_tree(0, 3, split_feature="0 1", threshold="0.5 0.5",
                                                            decision_type="2 2", left_child="1 0",
                                                            right_child="-1 -2", leaf_value="1 2 3")
    + "end of trees\n")
put("lightgbm_text", "short_list.txt", LGB_HEAD + lgb_tree(0, 2, leaf_value="0.1") + "end of trees\n")
put("lightgbm_text", "huge_max_feature.txt", LGB_HEAD.replace("max_feature_idx=3", "max_feature_idx=99999999999")
    + lgb_tree(0, 2) + "end of trees\n")


def tmva(weights, nvar=1):
    return (f'<?xml version="1.0"?>\n<MethodSetup Method="BDT::BDT"><GeneralInfo>'
            f'<Info name="AnalysisType" value="Classification"/></GeneralInfo><Options>'
            f'<Option name="BoostType" modified="Yes">AdaBoost</Option></Options>'
            f'<Variables NVar="{nvar}"><Variable VarIndex="0" Expression="x" Type="F"/></Variables>'
            f'<Classes NClass="2"/><Transformations NTransformations="0"/>{weights}</MethodSetup>\n')


def tnode(pos, depth, inner=""):
    if inner:
        return f'<Node pos="{pos}" IVar="0" Cut="0.5" cType="1" res="0" purity="0.5" nType="0">{inner}</Node>'
    return f'<Node pos="{pos}" IVar="-1" Cut="0" cType="1" res="0" purity="0.9" nType="1"/>'


deep = tnode("l", 1100) + tnode("r", 1100)
for d in range(1099, 0, -1):
    deep = tnode("l", d, deep) + tnode("r", d)
deep = tnode("s", 0, deep)
put("tmva_xml", "too_deep.weights.xml", tmva(f'<Weights NTrees="1"><BinaryTree boostWeight="1">{deep}</BinaryTree></Weights>'))
put("tmva_xml", "xml_nesting.weights.xml", tmva("<a>" * 20000 + "</a>" * 20000))
put("tmva_xml", "huge_nvar.weights.xml", tmva('<Weights NTrees="0"/>', nvar=10 ** 12))
put("tmva_xml", "bad_cut.weights.xml", tmva(
    '<Weights NTrees="1"><BinaryTree boostWeight="1">'
    + tnode("s", 0, tnode("l", 1) + tnode("r", 1)).replace('Cut="0.5"', 'Cut="1e999"') + "</BinaryTree></Weights>"))
put("tmva_xml", "truncated.weights.xml", tmva("")[:200])

# ONNX-ML: hand-built protobuf via the onnx package.
from onnx import TensorProto, helper  # noqa: E402


def onnx_ml(**over):
    attrs = dict(nodes_treeids=[0, 0, 0], nodes_nodeids=[0, 1, 2], nodes_featureids=[0, 0, 0],
                 nodes_values=[0.5, 0, 0], nodes_modes=["BRANCH_LEQ", "LEAF", "LEAF"], nodes_truenodeids=[1, 0, 0],
                 nodes_falsenodeids=[2, 0, 0], target_treeids=[0, 0], target_nodeids=[1, 2], target_ids=[0, 0],
                 target_weights=[1.0, -1.0], n_targets=1, post_transform="NONE")
    attrs.update(over)
    n = helper.make_node("TreeEnsembleRegressor", ["X"], ["Y"], domain="ai.onnx.ml", **attrs)
    g = helper.make_graph([n], "g", [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["N", 2])],
                          [helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["N", 1])])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("ai.onnx.ml", 1), helper.make_opsetid("", 13)])
    m.ir_version = 7
    return m.SerializeToString()


put("onnx_ml_trees", "cycle.onnx", onnx_ml(nodes_truenodeids=[1, 0, 0], nodes_falsenodeids=[2, 0, 0],
                                           nodes_modes=["BRANCH_LEQ", "BRANCH_LEQ", "LEAF"],
                                           target_nodeids=[2, 2], target_ids=[0, 0]))
put("onnx_ml_trees", "missing_child.onnx", onnx_ml(nodes_falsenodeids=[77, 0, 0]))
put("onnx_ml_trees", "huge_target.onnx", onnx_ml(target_ids=[0, 2 ** 40]))
put("onnx_ml_trees", "length_mismatch.onnx", onnx_ml(nodes_values=[0.5]))
put("onnx_ml_trees", "huge_feature.onnx", onnx_ml(nodes_featureids=[2 ** 62, 0, 0]))
put("onnx_ml_trees", "not_protobuf.onnx", b"\xff" * 64)
print("written")
