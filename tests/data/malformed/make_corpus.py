#!/usr/bin/python3
"""Writes the corpus of broken ONNX files used by tests/unit/frontends/onnx_malformed_test.cc
(and as seeds for the fuzzer). Deterministic: rerunning gives identical files.

    /usr/bin/python3 tests/data/malformed/make_corpus.py

Every file is small. Each targets one way a model file can be wrong or hostile; the C++ test
maps each file to the text its error message must contain.
"""
import os
import random
import struct

import onnx
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.join(HERE, "..", "models")


def model(nodes, inputs, outputs, inits=(), opset=13, extra_opsets=(), name="g"):
    g = helper.make_graph(nodes, name, inputs, outputs, list(inits))
    ops = [helper.make_opsetid("", opset)] + [helper.make_opsetid(d, v) for d, v in extra_opsets]
    m = helper.make_model(g, opset_imports=ops, producer_name="tachyon-malformed-corpus")
    m.ir_version = 8
    return m


def vi(name, dims, elem=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, elem, dims)


def floats(name, dims, seed=0):
    rnd = random.Random(seed)
    n = 1
    for d in dims:
        n *= d
    return helper.make_tensor(name, TensorProto.FLOAT, dims, [rnd.uniform(-1, 1) for _ in range(n)])


def ints(name, values):
    return helper.make_tensor(name, TensorProto.INT64, [len(values)], values)


def save(m, name):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(m.SerializeToString())


def write_bytes(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def gemm_model(w_init=None, w_name="W", **kw):
    inits = [w_init] if w_init is not None else []
    fc = helper.make_node("Gemm", ["x", w_name], ["y"], name="fc", transB=1)
    return model([fc], [vi("x", ["N", 4])], [vi("y", None)], inits, **kw)


def main():
    jet = open(os.path.join(MODELS, "jet_mlp.onnx"), "rb").read()

    # --- not ONNX at all ---
    write_bytes("empty.onnx", b"")
    write_bytes("truncated.onnx", jet[: len(jet) // 2])
    write_bytes("random_bytes.onnx", bytes(random.Random(1234).getrandbits(8) for _ in range(512)))
    write_bytes("text_file.onnx", b"This is a text file, not an ONNX model.\n" * 4)

    # --- model-level problems ---
    save(gemm_model(floats("W", [3, 4]), opset=5), "wrong_opset.onnx")
    m = gemm_model(floats("W", [3, 4]))
    del m.opset_import[:]
    save(m, "no_opset.onnx")
    save(model([helper.make_node("Relu", ["W"], ["y"], name="r")], [], [vi("y", None)], [floats("W", [3, 4])]),
         "no_graph_input.onnx")
    save(model([helper.make_node("Relu", ["x"], ["y"], name="r")], [vi("x", ["N", 4], TensorProto.STRING)],
               [vi("y", None)]), "string_input.onnx")
    save(model([helper.make_node("Relu", ["x"], ["y"], name="r")], [vi("x", ["N", "C"])], [vi("y", None)]),
         "symbolic_dim.onnx")
    save(model([helper.make_node("Relu", ["x"], ["y"], name="r")], [vi("x", ["N", 100000, 100000])], [vi("y", None)]),
         "huge_input.onnx")

    # --- broken initializers ---
    t = TensorProto()
    t.name, t.data_type = "W", TensorProto.FLOAT
    t.dims.extend([1 << 20, 1 << 20, 4])
    save(gemm_model(t), "huge_dims.onnx")
    t = floats("W", [3, 4])
    del t.dims[:]
    t.dims.extend([-3, -4])
    save(gemm_model(t), "negative_dims.onnx")
    t = TensorProto()
    t.name, t.data_type = "W", TensorProto.FLOAT
    t.dims.extend([3, 4])
    t.raw_data = struct.pack("<10f", *range(10))
    save(gemm_model(t), "raw_data_mismatch.onnx")
    t = helper.make_tensor("W", TensorProto.FLOAT16, [3, 4], [0] * 12)
    save(gemm_model(t), "unsupported_dtype.onnx")
    t = TensorProto()
    t.name, t.data_type = "W", TensorProto.STRING
    t.dims.extend([2])
    t.string_data.extend([b"a", b"b"])
    save(gemm_model(t), "string_initializer.onnx")
    t = TensorProto()
    t.name, t.data_type = "W", TensorProto.FLOAT
    t.dims.extend([3, 4])
    t.data_location = TensorProto.EXTERNAL
    e = t.external_data.add()
    e.key, e.value = "location", "weights.bin"
    save(gemm_model(t), "external_data.onnx")

    # --- broken structure ---
    save(gemm_model(None), "missing_initializer.onnx")
    a = helper.make_node("Relu", ["x", "b"], ["a"], name="first")
    a2 = helper.make_node("Add", ["x", "a"], ["b"], name="second")
    save(model([a, a2], [vi("x", ["N", 4])], [vi("b", None)]), "cycle.onnx")
    r1 = helper.make_node("Relu", ["x"], ["y"], name="relu1")
    r2 = helper.make_node("Sigmoid", ["x"], ["y"], name="sig1")
    save(model([r1, r2], [vi("x", ["N", 4])], [vi("y", None)]), "duplicate_output.onnx")
    # Subgraphs nested far deeper than any real model (protobuf recursion limit).
    leaf = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "leaf", [], [vi("y", None)])
    inner = leaf
    for _ in range(120):
        node = helper.make_node("If", ["c"], ["y"], then_branch=inner, else_branch=leaf)
        inner = helper.make_graph([node], "nest", [], [vi("y", None)])
    node = helper.make_node("If", ["c"], ["y"], name="deep_if", then_branch=inner, else_branch=leaf)
    save(model([node], [vi("c", ["N", 1], TensorProto.BOOL)], [vi("y", None)]), "deep_nesting.onnx")

    # --- unsupported ops / attributes / shapes ---
    lstm = helper.make_node("LSTM", ["x", "W", "R"], ["h"], name="rnn", hidden_size=4)
    conv = helper.make_node("Conv", ["img", "K"], ["c"], name="dilated_conv", dilations=[0, 2])
    relu = helper.make_node("Relu", ["c"], ["c2"], name="after_conv", foo=3)
    save(model([lstm, conv, relu], [vi("x", ["N", 1, 4]), vi("img", ["N", 1, 8, 8])], [vi("h", None), vi("c2", None)],
               [floats("W", [1, 16, 4]), floats("R", [1, 16, 4]), floats("K", [2, 1, 3, 3])]),
         "unsupported_op_and_attr.onnx")
    conv = helper.make_node("Conv", ["img", "K"], ["y"], name="conv_d4", dilations=[4, 4])
    save(model([conv], [vi("img", ["N", 1, 8, 8])], [vi("y", None)], [floats("K", [2, 1, 3, 3])]),
         "conv_dilated_window_too_large.onnx")
    conv = helper.make_node("Conv", ["img", "K"], ["y"], name="conv_g2", group=2)
    save(model([conv], [vi("img", ["N", 4, 8, 8])], [vi("y", None)], [floats("K", [4, 2, 3, 3])]), "conv_group2.onnx")
    save(model([helper.make_node("Custom", ["x"], ["y"], name="mystery", domain="com.example")], [vi("x", ["N", 4])],
               [vi("y", None)], extra_opsets=[("com.example", 1)]), "unknown_domain.onnx")
    fc = helper.make_node("Gemm", ["x", "W"], ["y"], name="fc_transA", transA=1)
    save(model([fc], [vi("x", ["N", 4])], [vi("y", None)], [floats("W", [4, 3])]), "gemm_transA.onnx")
    fc = helper.make_node("Gemm", ["x", "W"], ["y"], name="fc_bad_k", transB=1)
    save(model([fc], [vi("x", ["N", 4])], [vi("y", None)], [floats("W", [3, 5])]), "gemm_shape_mismatch.onnx")
    mm = helper.make_node("MatMul", ["x", "x2"], ["y"], name="mm_data")
    save(model([mm], [vi("x", ["N", 4]), vi("x2", ["N", 4])], [vi("y", None)]), "matmul_two_activations.onnx")
    cat = helper.make_node("Concat", ["x", "x"], ["y"], name="cat_batch", axis=0)
    save(model([cat], [vi("x", ["N", 4])], [vi("y", None)]), "concat_batch_axis.onnx")
    rs = helper.make_node("Reshape", ["x", "shape"], ["y"], name="reshape_batch")
    save(model([rs], [vi("x", ["N", 4, 4])], [vi("y", None)], [ints("shape", [4, -1])]), "reshape_batch.onnx")
    pad = helper.make_node("Pad", ["x", "pads"], ["y"], name="pad_reflect", mode="reflect")
    save(model([pad], [vi("x", ["N", 4])], [vi("y", None)], [ints("pads", [0, 1, 0, 1])]), "pad_reflect.onnx")
    q = helper.make_node("Quant", ["x", "s", "z", "bits"], ["y"], name="bad_quant", domain="qonnx.custom_op.general",
                         rounding_mode="SIDEWAYS")
    save(model([q], [vi("x", ["N", 4])], [vi("y", None)],
               [helper.make_tensor(n, TensorProto.FLOAT, [], [v]) for n, v in (("s", 0.5), ("z", 0.0), ("bits", 4.0))],
               extra_opsets=[("qonnx.custom_op.general", 1)]), "quant_bad_rounding.onnx")
    mm = helper.make_node("MatMul", ["x"], ["y"], name="mm_one_input")  # found by the fuzzer (was a crash)
    save(model([mm], [vi("x", ["N", 4])], [vi("y", None)]), "missing_input.onnx")
    # A wrong declared output shape: ONNX shape inference disagrees with the file.
    fc = helper.make_node("Gemm", ["x", "W"], ["y"], name="fc_declared", transB=1)
    save(model([fc], [vi("x", ["N", 4])], [vi("y", ["N", 7])], [floats("W", [3, 4])]), "wrong_output_shape.onnx")

    # ---- exporter-style paths (opset 6, batch 1, channels-last QONNX, Resize, new ops) ----
    # Transposes without perm reverse every axis (the batch too) around a BatchNormalization.
    rev = helper.make_node("Transpose", ["x"], ["xt"], name="rev_all")
    bn = helper.make_node("BatchNormalization", ["xt", "s", "s", "s", "s"], ["bn"], name="bn_rev")
    back = helper.make_node("Transpose", ["bn"], ["y"], name="rev_back")
    save(model([rev, bn, back], [vi("x", [1, 2, 3])], [vi("y", None)], [floats("s", [3])]), "transpose_no_perm_bn.onnx")
    # A supported reversal (batch 1, last axis 1: [1,2,3,1] -> [1,3,2,1]) before a
    # BatchNormalization whose parameters count the 2 channels of the unreversed input.
    rev = helper.make_node("Transpose", ["x"], ["xt"], name="rev_all4")
    bn = helper.make_node("BatchNormalization", ["xt", "s", "s", "s", "s"], ["y"], name="bn_after_rev")
    save(model([rev, bn], [vi("x", [1, 2, 3, 1])], [vi("y", None)], [floats("s", [2])]), "transpose_no_perm_bn_channels.onnx")
    # Bad attributes of the table functions and ThresholdedRelu.
    tr = helper.make_node("ThresholdedRelu", ["x"], ["y"], name="thr_nan", alpha=float("nan"))
    save(model([tr], [vi("x", ["N", 4])], [vi("y", None)]), "thresholded_relu_nan.onnx")
    sp = helper.make_node("Softplus", ["x"], ["y"], name="softplus_beta", beta=2.0)
    save(model([sp], [vi("x", ["N", 4])], [vi("y", None)]), "softplus_unknown_attr.onnx")
    # Flatten(axis=0) with a symbolic batch mixes samples.
    fl = helper.make_node("Flatten", ["x"], ["y"], name="flatten_batch", axis=0)
    save(model([fl], [vi("x", ["N", 2, 3])], [vi("y", None)]), "flatten_axis0_batch.onnx")
    # Opset 6 BatchNormalization in training mode (is_test=0 and the statistics outputs).
    bn = helper.make_node("BatchNormalization", ["x", "s", "s", "s", "s"], ["y", "m", "v", "sm", "sv"], name="bn_train",
                          is_test=0)
    m = model([bn], [vi("x", [1, 3])], [vi("y", None)], [floats("s", [3])], opset=6)
    m.ir_version = 3
    save(m, "opset6_bn_training.onnx")
    # Resize that is not nearest upsampling by a whole factor.
    rs = helper.make_node("Resize", ["x", "", "sc"], ["y"], name="resize_linear", mode="linear")
    sc = helper.make_tensor("sc", TensorProto.FLOAT, [4], [1, 1, 2, 2])
    save(model([rs], [vi("x", ["N", 2, 4, 4])], [vi("y", None)], [sc]), "resize_linear.onnx")
    rs = helper.make_node("Resize", ["x", "", "sc"], ["y"], name="resize_down", mode="nearest")
    sc = helper.make_tensor("sc", TensorProto.FLOAT, [4], [1, 1, 0.5, 0.5])
    save(model([rs], [vi("x", ["N", 2, 4, 4])], [vi("y", None)], [sc]), "resize_downsample.onnx")
    # A channels-last QONNX Conv whose weights expect 4 channels; the NHWC input has 3.
    conv = helper.make_node("Conv", ["x", "K"], ["y"], name="cl_conv", domain="qonnx.custom_op.channels_last",
                            kernel_shape=[3, 3])
    save(model([conv], [vi("x", ["N", 8, 8, 3])], [vi("y", None)], [floats("K", [2, 4, 3, 3])],
               extra_opsets=[("qonnx.custom_op.channels_last", 1)]), "channels_last_conv_channels.onnx")
    # Pow with a fractional exponent; Add with the opset-6 broadcast attribute at opset 13.
    pw = helper.make_node("Pow", ["x", "e"], ["y"], name="pow_half")
    save(model([pw], [vi("x", ["N", 4])], [vi("y", None)], [helper.make_tensor("e", TensorProto.FLOAT, [], [0.5])]),
         "pow_fractional.onnx")
    add = helper.make_node("Add", ["x", "b"], ["y"], name="add_legacy", broadcast=1, axis=1)
    save(model([add], [vi("x", ["N", 4])], [vi("y", None)], [floats("b", [4])]), "legacy_broadcast_opset13.onnx")


if __name__ == "__main__":
    main()
