"""ONNX files built the way real exporters write them (Keras through tf2onnx / OnnxMLTools with
a fixed batch of 1, PyTorch 0.3 at opset 6, QONNX channels-last graphs, element-wise ops that
hls4ml accepts), emulated at a wide precision and compared with an independent float
evaluation (torch where it can express the graph, numpy otherwise)."""
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

import tachyon

torch = pytest.importorskip("torch")
F = torch.nn.functional

# A wide data path, and tables fine enough to be compared with float (Softmax: 2^16 entries
# indexed by a 16-bit input, so every input code has its own entry).
WIDE = {"Model": {"Precision": "ap_fixed<40,16>"},
        "LayerType": {
            "Softmax": {"table_size": 65536,
                        "Precision": {"inp_norm": "ap_fixed<16,6>", "exp_table": "ap_fixed<32,8,AP_RND,AP_SAT>",
                                      "accum": "ap_fixed<20,6,AP_RND,AP_SAT>",
                                      "inv_table": "ap_fixed<32,8,AP_RND,AP_SAT>"}},
            "Elu": {"table_size": 65536, "Precision": {"table": "ap_fixed<32,8,AP_RND,AP_SAT>"}}}}
RNG = np.random.default_rng(16)


def init(name, a):
    return numpy_helper.from_array(np.asarray(a, dtype=np.float32), name)


def ints(name, v):
    return numpy_helper.from_array(np.asarray(v, dtype=np.int64), name)


def model(nodes, inputs, outputs, inits=(), opset=13, domains=(), list_inits_as_inputs=False):
    ins = [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in inputs]
    if list_inits_as_inputs:  # old exporters list every initializer as a graph input too
        ins += [helper.make_tensor_value_info(t.name, t.data_type, list(t.dims)) for t in inits]
    outs = [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in outputs]
    g = helper.make_graph(nodes, "g", ins, outs, initializer=list(inits))
    ops = [helper.make_opsetid("", opset)] + [helper.make_opsetid(d, 1) for d in domains]
    m = helper.make_model(g, opset_imports=ops, producer_name="test")
    m.ir_version = 3 if opset < 7 else 7
    return m


def emulate(tmp_path, m, x, cfg=WIDE, name="m"):
    path = tmp_path / f"{name}.onnx"
    onnx.save(m, str(path))
    return np.asarray(tachyon.convert_from_onnx_model(str(path), hls_config=cfg).predict(x))


def t(a):
    return torch.from_numpy(np.asarray(a, dtype=np.float64))


def close(y, ref, tol):
    ref = np.asarray(ref, dtype=np.float64).reshape(y.shape)
    err = float(np.max(np.abs(y - ref)))
    print(f"max abs diff vs float: {err:.3g}")
    assert err < tol, f"max abs diff {err}"
    return err


def reject(tmp_path, m, *words):
    path = tmp_path / "bad.onnx"
    onnx.save(m, str(path))
    with pytest.raises(tachyon.TachyonError) as e:
        tachyon.convert_from_onnx_model(str(path)).compile()
    for w in words:
        assert w in str(e.value), str(e.value)


# ---- Keras (tf2onnx / OnnxMLTools): batch 1, NHWC input, Transposes, Flatten(axis=0) ----

def test_keras_batch1_conv_flatten_axis0(tmp_path):
    w = RNG.normal(0, 0.3, (4, 3, 3, 3))
    b = RNG.normal(0, 0.1, 4)
    wd = RNG.normal(0, 0.2, (4 * 6 * 6, 5))
    nodes = [
        helper.make_node("Transpose", ["x"], ["xt"], perm=[0, 3, 1, 2], name="to_nchw"),
        helper.make_node("Conv", ["xt", "w", "b"], ["c"], pads=[1, 1, 1, 1], name="conv"),
        helper.make_node("Relu", ["c"], ["r"], name="relu"),
        helper.make_node("Transpose", ["r"], ["rt"], perm=[0, 2, 3, 1], name="to_nhwc"),
        helper.make_node("Flatten", ["rt"], ["f"], axis=0, name="flatten"),
        helper.make_node("MatMul", ["f", "wd"], ["mm"], name="dense"),
        helper.make_node("Identity", ["mm"], ["mm_id"], name="id1"),
        helper.make_node("Identity", ["mm_id"], ["y"], name="id2"),
    ]
    m = model(nodes, [("x", [1, 6, 6, 3])], ["y"], [init("w", w), init("b", b), init("wd", wd)], opset=9)
    x = RNG.uniform(-1, 1, (1, 6, 6, 3))
    ref = F.relu(F.conv2d(t(x).permute(0, 3, 1, 2), t(w), t(b), padding=1)).permute(0, 2, 3, 1).reshape(1, -1) @ t(wd)
    close(emulate(tmp_path, m, x), ref.numpy(), 1e-3)


def test_flatten_axis0_needs_a_batch_of_one(tmp_path):
    nodes = [helper.make_node("Flatten", ["x"], ["y"], axis=0, name="flat0")]
    reject(tmp_path, model(nodes, [("x", ["N", 2, 3])], ["y"]), "flat0", "axis 0")


def test_batch1_graphs_that_use_the_batch_are_refused(tmp_path):
    nodes = [helper.make_node("Softmax", ["x"], ["y"], axis=0, name="sm_batch")]
    reject(tmp_path, model(nodes, [("x", [1, 4])], ["y"]), "sm_batch", "batch axis")
    nodes = [helper.make_node("Reshape", ["x", "shape"], ["y"], name="to_vector")]
    reject(tmp_path, model(nodes, [("x", [1, 2, 3])], ["y"], [ints("shape", [6])]), "to_vector", "batch")
    nodes = [helper.make_node("Squeeze", ["x"], ["y"], name="squeeze_all")]
    reject(tmp_path, model(nodes, [("x", [1, 4, 1, 1])], ["y"]), "squeeze_all", "batch axis")


def test_keras_dense_matmul_add_batchnorm_softmax(tmp_path):
    w = RNG.normal(0, 0.5, (8, 6))
    bias = RNG.normal(0, 0.1, 6)
    sc, bb, mu, var = RNG.uniform(0.5, 1.5, 6), RNG.normal(0, 0.1, 6), RNG.normal(0, 0.1, 6), RNG.uniform(0.5, 2, 6)
    nodes = [
        helper.make_node("MatMul", ["x", "w"], ["m"]),
        helper.make_node("Add", ["m", "bias"], ["a"]),
        helper.make_node("BatchNormalization", ["a", "sc", "bb", "mu", "var"], ["bn"], epsilon=1e-3),
        helper.make_node("Softmax", ["bn"], ["y"], axis=-1),
    ]
    inits = [init("w", w), init("bias", bias), init("sc", sc), init("bb", bb), init("mu", mu), init("var", var)]
    m = model(nodes, [("x", [1, 8])], ["y"], inits, opset=13)
    x = RNG.uniform(-1, 1, (1, 8))
    a = t(x) @ t(w) + t(bias)
    ref = F.softmax(F.batch_norm(a, t(mu), t(var), t(sc), t(bb), eps=1e-3), dim=-1)
    close(emulate(tmp_path, m, x), ref.numpy(), 2e-3)


# ---- PyTorch 0.3: opset 6 ----

def test_opset6_gemm_broadcast_batchnorm_is_test_unsqueeze(tmp_path):
    w = RNG.normal(0, 0.4, (6, 10))  # (out, in): transB=1
    b = RNG.normal(0, 0.1, 6)
    sc, bb, mu, var = RNG.uniform(0.5, 1.5, 6), RNG.normal(0, 0.1, 6), RNG.normal(0, 0.1, 6), RNG.uniform(0.5, 2, 6)
    w2 = RNG.normal(0, 0.4, (3, 6, 1, 1))
    nodes = [
        helper.make_node("Gemm", ["x", "w", "b"], ["g"], transB=1, broadcast=1, alpha=1.0, beta=1.0, name="fc"),
        helper.make_node("BatchNormalization", ["g", "sc", "bb", "mu", "var"], ["bn"], is_test=1, epsilon=1e-5,
                         momentum=0.9, name="bn"),
        helper.make_node("Unsqueeze", ["bn"], ["u1"], axes=[2], name="unsq1"),
        helper.make_node("Unsqueeze", ["u1"], ["u2"], axes=[3], name="unsq2"),
        helper.make_node("Conv", ["u2", "w2"], ["c"], kernel_shape=[1, 1], name="conv1x1"),
        helper.make_node("Squeeze", ["c"], ["s"], axes=[2, 3], name="sq"),
        helper.make_node("Add", ["s", "b3"], ["a"], broadcast=1, axis=1, name="add_legacy"),
        helper.make_node("Dropout", ["a"], ["d"], is_test=1, ratio=0.5, name="drop"),
        helper.make_node("Softmax", ["d"], ["y"], axis=1, name="softmax"),
    ]
    b3 = RNG.normal(0, 0.2, 3)
    inits = [init("w", w), init("b", b), init("sc", sc), init("bb", bb), init("mu", mu), init("var", var),
             init("w2", w2), init("b3", b3)]
    m = model(nodes, [("x", [1, 10])], ["y"], inits, opset=6, list_inits_as_inputs=True)
    x = RNG.uniform(-1, 1, (1, 10))
    g = F.linear(t(x), t(w), t(b))
    bn = F.batch_norm(g, t(mu), t(var), t(sc), t(bb), eps=1e-5)
    c = F.conv2d(bn[:, :, None, None], t(w2))[:, :, 0, 0] + t(b3)
    close(emulate(tmp_path, m, x), F.softmax(c, dim=1).numpy(), 2e-3)


def test_opset6_softmax_coerces_to_2d(tmp_path):
    # Softmax-1 with axis=1 on [1, C, H, W]: one softmax over all C*H*W values of a sample.
    nodes = [helper.make_node("Softmax", ["x"], ["y"], axis=1, name="sm")]
    m = model(nodes, [("x", [1, 2, 3, 4])], ["y"], opset=6)
    x = RNG.uniform(-2, 2, (1, 2, 3, 4))
    close(emulate(tmp_path, m, x), F.softmax(t(x).reshape(1, -1), dim=1).numpy(), 2e-3)
    # axis=2: softmax over the last two axes, for each channel.
    nodes = [helper.make_node("Softmax", ["x"], ["y"], axis=2, name="sm2")]
    m = model(nodes, [("x", [1, 2, 3, 4])], ["y"], opset=11)
    close(emulate(tmp_path, m, x, name="m2"), F.softmax(t(x).reshape(1, 2, 12), dim=2).numpy(), 2e-3)


def test_opset6_clip_attributes_and_legacy_mul(tmp_path):
    s = RNG.uniform(0.5, 2, 4)
    nodes = [helper.make_node("Mul", ["x", "s"], ["m"], broadcast=1, axis=1),
             helper.make_node("Clip", ["m"], ["y"], min=-0.5, max=0.75)]
    m = model(nodes, [("x", [1, 4, 3])], ["y"], [init("s", s)], opset=6)
    x = RNG.uniform(-1, 1, (1, 4, 3))
    close(emulate(tmp_path, m, x), np.clip(x * s[None, :, None], -0.5, 0.75), 1e-4)


# ---- QONNX channels-last graphs with Quant, Resize, LeakyRelu, Concat ----

CL = "qonnx.custom_op.channels_last"
GEN = "qonnx.custom_op.general"


def quant(name, x, scale, bits, signed=1):
    return helper.make_node("Quant", [x, name + "_s", name + "_z", name + "_b"], [name], domain=GEN, signed=signed,
                            narrow=0, rounding_mode="ROUND", name=name)


def qparams(name, scale, bits):
    return [init(name + "_s", scale), init(name + "_z", 0.0), init(name + "_b", bits)]


def fake_quant(x, scale, bits, signed=True):
    lo, hi = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2 ** bits - 1)
    return np.clip(np.round(np.asarray(x) / scale), lo, hi) * scale  # round half to even, as ROUND


def test_qonnx_channels_last_segmentation_block(tmp_path):
    H = W = 16
    w1 = fake_quant(RNG.normal(0, 0.3, (4, 3, 3, 3)), 2 ** -5, 6)
    w2 = fake_quant(RNG.normal(0, 0.3, (2, 8, 1, 1)), 2 ** -5, 6)
    sc, bb, mu, var = RNG.uniform(0.5, 1.5, 4), RNG.normal(0, 0.1, 4), RNG.normal(0, 0.1, 4), RNG.uniform(0.5, 2, 4)
    nodes = [
        quant("xq", "x", 2 ** -6, 8),
        quant("w1q", "w1", 2 ** -5, 6),
        helper.make_node("Conv", ["xq", "w1q"], ["c1"], domain=CL, pads=[1, 1, 1, 1], kernel_shape=[3, 3], name="conv1"),
        helper.make_node("BatchNormalization", ["c1", "sc", "bb", "mu", "var"], ["bn"], domain=CL, name="bn1"),
        helper.make_node("LeakyRelu", ["bn"], ["lr"], alpha=0.1, name="lrelu"),
        helper.make_node("MaxPool", ["lr"], ["p"], domain=CL, kernel_shape=[2, 2], strides=[2, 2], name="pool"),
        helper.make_node("Resize", ["p", "", "scales"], ["up"], mode="nearest",
                         coordinate_transformation_mode="asymmetric", nearest_mode="floor", name="up"),
        helper.make_node("Concat", ["up", "lr"], ["cat"], axis=-1, name="cat"),
        helper.make_node("Conv", ["cat", "w2"], ["y"], domain=CL, kernel_shape=[1, 1], name="head"),
    ]
    inits = (qparams("xq", 2 ** -6, 8) + qparams("w1q", 2 ** -5, 6) +
             [init("w1", w1), init("w2", w2), init("sc", sc), init("bb", bb), init("mu", mu), init("var", var),
              init("scales", [1, 2, 2, 1])])
    m = model(nodes, [("x", [1, H, W, 3])], ["y"], inits, opset=13, domains=(CL, GEN))
    x = RNG.uniform(-1, 1, (2, H, W, 3))
    xq = t(fake_quant(x, 2 ** -6, 8)).permute(0, 3, 1, 2)
    c1 = F.conv2d(xq, t(w1), padding=1)
    lr = F.leaky_relu(F.batch_norm(c1, t(mu), t(var), t(sc), t(bb), eps=1e-5), 0.1)
    up = F.interpolate(F.max_pool2d(lr, 2), scale_factor=2, mode="nearest")
    ref = F.conv2d(torch.cat([up, lr], 1), t(w2)).permute(0, 2, 3, 1)
    close(emulate(tmp_path, m, x), ref.numpy(), 1e-3)


@pytest.mark.parametrize("ct,nm", [("half_pixel", "round_prefer_floor"), ("asymmetric", "floor"),
                                   ("pytorch_half_pixel", "round_prefer_ceil")])
def test_resize_nearest_modes_nchw(tmp_path, ct, nm):
    nodes = [helper.make_node("Resize", ["x", "", "", "sizes"], ["y"], mode="nearest",
                              coordinate_transformation_mode=ct, nearest_mode=nm, name="rs")]
    m = model(nodes, [("x", [1, 2, 3, 4])], ["y"], [ints("sizes", [1, 2, 9, 8])], opset=13)
    x = RNG.uniform(-1, 1, (1, 2, 3, 4))
    ref = F.interpolate(t(x), size=(9, 8), mode="nearest")
    close(emulate(tmp_path, m, x), ref.numpy(), 1e-7)


def test_upsample_opset9_and_7(tmp_path):
    x = RNG.uniform(-1, 1, (1, 3, 2, 5))
    ref = F.interpolate(t(x), scale_factor=(3, 2), mode="nearest").numpy()
    m9 = model([helper.make_node("Upsample", ["x", "sc"], ["y"], mode="nearest")], [("x", [1, 3, 2, 5])], ["y"],
               [init("sc", [1, 1, 3, 2])], opset=9)
    close(emulate(tmp_path, m9, x, name="u9"), ref, 1e-7)
    m7 = model([helper.make_node("Upsample", ["x"], ["y"], mode="nearest", scales=[1.0, 1.0, 3.0, 2.0])],
               [("x", [1, 3, 2, 5])], ["y"], opset=7)
    close(emulate(tmp_path, m7, x, name="u7"), ref, 1e-7)


def test_resize_that_is_not_a_repetition_is_refused(tmp_path):
    nodes = [helper.make_node("Resize", ["x", "", "sc"], ["y"], mode="nearest", name="rs_ceil",
                              coordinate_transformation_mode="half_pixel", nearest_mode="floor")]
    reject(tmp_path, model(nodes, [("x", [1, 2, 4, 4])], ["y"], [init("sc", [1, 1, 2, 2])]), "rs_ceil", "Resize")
    nodes = [helper.make_node("Resize", ["x", "", "sc"], ["y"], mode="linear", name="rs_lin")]
    reject(tmp_path, model(nodes, [("x", [1, 2, 4, 4])], ["y"], [init("sc", [1, 1, 2, 2])]), "rs_lin", "linear")


# ---- element-wise ops ----

def test_elementwise_decompositions(tmp_path):
    c = RNG.uniform(-0.5, 0.5, 6)
    nodes = [
        helper.make_node("Selu", ["x"], ["selu"]),
        helper.make_node("HardSwish", ["x"], ["hsw"]),
        helper.make_node("Neg", ["x"], ["neg"]),
        helper.make_node("Abs", ["x"], ["abs"]),
        helper.make_node("Pow", ["x", "two"], ["sq"]),
        helper.make_node("Max", ["selu", "hsw", "neg"], ["mx"]),
        helper.make_node("Min", ["abs", "sq", "c"], ["mn"]),
        helper.make_node("Max", ["x", "half"], ["clip_lo"]),
        helper.make_node("Mean", ["mx", "mn", "clip_lo"], ["mean"]),
        helper.make_node("Sum", ["mean", "x"], ["y"]),
    ]
    inits = [init("two", 2.0), init("c", c), init("half", -0.25)]
    m = model(nodes, [("x", [1, 6])], ["y"], inits, opset=14)
    x = RNG.uniform(-3, 3, (4, 6))
    X = t(x)
    selu, hsw, neg, ab, sq = F.selu(X), F.hardswish(X), -X, X.abs(), X ** 2
    mx = torch.maximum(torch.maximum(selu, hsw), neg)
    mn = torch.minimum(torch.minimum(ab, sq), t(c))
    mean = (mx + mn + torch.clamp(X, min=-0.25)) / 3
    close(emulate(tmp_path, m, x), (mean + X).numpy(), 2e-3)


def test_reduce_sum_and_transposes_without_perm(tmp_path):
    nodes = [helper.make_node("ReduceSum", ["x", "axes"], ["y"], keepdims=0)]
    m = model(nodes, [("x", [1, 3, 4, 5])], ["y"], [ints("axes", [2, 3])], opset=13)
    x = RNG.uniform(-1, 1, (2, 3, 4, 5))
    close(emulate(tmp_path, m, x), x.sum(axis=(2, 3)), 1e-4)
    # Transposes without perm reverse every axis, including the batch: refused, naming the node.
    sc = np.ones(3)
    nodes = [helper.make_node("Transpose", ["x"], ["xt"], name="rev"),
             helper.make_node("BatchNormalization", ["xt", "s", "s", "s", "s"], ["bn"], name="bn"),
             helper.make_node("Transpose", ["bn"], ["y"], name="rev_back")]
    reject(tmp_path, model(nodes, [("x", [1, 2, 3])], ["y"], [init("s", sc)]), "rev", "perm")


def test_segmentation_size_resize_conv_emulates(tmp_path):
    # 256x256x3 through Resize + Conv (the emulator's speed on image sizes; no timing asserted).
    w = RNG.normal(0, 0.3, (4, 3, 3, 3))
    nodes = [helper.make_node("Resize", ["x", "", "sc"], ["u"], mode="nearest"),
             helper.make_node("Conv", ["u", "w"], ["y"], pads=[1, 1, 1, 1])]
    m = model(nodes, [("x", ["N", 3, 128, 128])], ["y"], [init("sc", [1, 1, 2, 2]), init("w", w)], opset=13)
    x = RNG.uniform(-1, 1, (2, 3, 128, 128))
    ref = F.conv2d(F.interpolate(t(x), scale_factor=2, mode="nearest"), t(w), padding=1)
    close(emulate(tmp_path, m, x), ref.numpy(), 1e-3)


SEEDS = __import__("os").path.join(__import__("os").path.dirname(__file__), "..", "..", "tests", "fuzz", "seeds")


@pytest.mark.parametrize("name", ["opset6_mlp", "keras_batch1", "qonnx_channels_last", "elementwise",
                                  "upsample_reducesum", "table_functions"])
def test_fuzz_seeds_import_and_emulate(name):
    path = f"{SEEDS}/{name}.onnx"
    m = onnx.load(path)
    dims = [d.dim_value or 1 for d in m.graph.input[0].type.tensor_type.shape.dim]
    x = RNG.uniform(-1, 1, dims)
    y = np.asarray(tachyon.convert_from_onnx_model(path, hls_config=WIDE).predict(x))
    assert np.all(np.isfinite(y))
    if name == "upsample_reducesum":  # each value repeated 2x3 times, then summed over space
        close(y, 6 * x.sum(axis=(2, 3), keepdims=True), 2e-3)  # the mean of 18 cells: 1/18 in 18 bits


def test_keras_nhwc_global_average_and_reshape_attribute(tmp_path):
    # tf2onnx: GlobalAveragePooling2D on NHWC data is ReduceMean over axes [1, 2].
    nodes = [helper.make_node("ReduceMean", ["x"], ["m"], axes=[1, 2], keepdims=0, name="gap"),
             helper.make_node("Reshape", ["m"], ["y"], shape=[1, -1], name="old_reshape")]
    m = model(nodes, [("x", [1, 4, 5, 3])], ["y"], opset=6)
    x = RNG.uniform(-1, 1, (1, 4, 5, 3))
    close(emulate(tmp_path, m, x), x.mean(axis=(1, 2)), 1e-3)


def test_resize_sizes_computed_from_shape(tmp_path):
    # torch.onnx (opset 11+) computes Resize's sizes from Shape(x): the batch entry is unknown.
    nodes = [helper.make_node("Shape", ["x"], ["shp"]),
             helper.make_node("Slice", ["shp", "s0", "s2"], ["nc"]),
             helper.make_node("Slice", ["shp", "s2", "s4"], ["hw"]),
             helper.make_node("Mul", ["hw", "two"], ["hw2"]),
             helper.make_node("Concat", ["nc", "hw2"], ["sizes"], axis=0),
             helper.make_node("Resize", ["x", "", "", "sizes"], ["y"], mode="nearest",
                              coordinate_transformation_mode="asymmetric", nearest_mode="floor")]
    inits = [ints("s0", [0]), ints("s2", [2]), ints("s4", [4]), ints("two", [2])]
    m = model(nodes, [("x", ["N", 2, 3, 4])], ["y"], inits, opset=13)
    x = RNG.uniform(-1, 1, (3, 2, 3, 4))
    close(emulate(tmp_path, m, x), F.interpolate(t(x), scale_factor=2, mode="nearest").numpy(), 1e-7)


def test_hls_csim_of_channels_last_resize_graph_is_bit_exact(tmp_path):
    # Channels-last QONNX ops, Quant, Resize (Reshape + Concat of copies), LeakyRelu, Concat:
    # the HLS project's C simulation gives the emulator's bits.
    x = RNG.uniform(-1, 1, (2, 8, 8, 3))
    m = tachyon.convert_from_onnx_model(f"{SEEDS}/qonnx_channels_last.onnx", output_dir=str(tmp_path / "prj"), backend="vitis")
    m.write(force=True)
    y = np.asarray(m.predict(x))
    assert np.array_equal(np.asarray(m.simulate(x)).reshape(y.shape), y)


@pytest.mark.parametrize("op,ref,tol", [("Selu", F.selu, 1e-3), ("HardSwish", F.hardswish, 1e-4),
                                        ("Abs", torch.abs, 1e-6), ("Neg", torch.neg, 1e-6)])
def test_single_elementwise_ops(tmp_path, op, ref, tol):
    m = model([helper.make_node(op, ["x"], ["y"])], [("x", ["N", 7])], ["y"], opset=14)
    x = RNG.uniform(-4, 4, (50, 7))
    close(emulate(tmp_path, m, x), ref(t(x)).numpy(), tol)


# ---- table functions (Softplus, Softsign, Erf) and ThresholdedRelu ----

# UnaryTable layers (Softplus, Softsign, Erf) with 2^16 entries: a step of 16 / 65536 on x.
FINE_TABLES = {"Model": {"Precision": "ap_fixed<40,16>"},
               "LayerType": {"UnaryTable": {"table_size": 65536, "Precision": {"table": "ap_fixed<32,8,AP_RND,AP_SAT>"}},
                             "Tanh": {"table_size": 65536, "Precision": {"table": "ap_fixed<32,8,AP_RND,AP_SAT>"}},
                             "Sigmoid": {"table_size": 65536, "Precision": {"table": "ap_fixed<32,8,AP_RND,AP_SAT>"}}}}


@pytest.mark.parametrize("op,attrs,ref,tol", [
    ("Softplus", {}, F.softplus, 1e-3),
    ("Softsign", {}, F.softsign, 1e-3),
    ("Erf", {}, torch.erf, 1e-3),
    ("ThresholdedRelu", {"alpha": 0.75}, lambda x: torch.where(x > 0.75, x, torch.zeros_like(x)), 1e-6),
    ("ThresholdedRelu", {}, lambda x: torch.where(x > 1.0, x, torch.zeros_like(x)), 1e-6),
])
def test_table_functions_and_thresholded_relu_against_torch(tmp_path, op, attrs, ref, tol):
    # Inside the tables' input range [-8, 8).
    m = model([helper.make_node(op, ["x"], ["y"], name="act", **attrs)], [("x", ["N", 7])], ["y"], opset=14)
    x = RNG.uniform(-7.5, 7.5, (60, 7))
    close(emulate(tmp_path, m, x, cfg=FINE_TABLES), ref(t(x)).numpy(), tol)


def test_gelu_as_torch_exports_it(tmp_path):
    # torch.onnx (opset <= 18) writes GELU as x * 0.5 * (1 + Erf(x / sqrt(2))).
    nodes = [helper.make_node("Div", ["x", "sqrt2"], ["xs"]), helper.make_node("Erf", ["xs"], ["e"]),
             helper.make_node("Add", ["e", "one"], ["e1"]), helper.make_node("Mul", ["x", "e1"], ["xe"]),
             helper.make_node("Mul", ["xe", "half"], ["y"])]
    inits = [init("sqrt2", 2 ** 0.5), init("one", 1.0), init("half", 0.5)]
    m = model(nodes, [("x", ["N", 7])], ["y"], inits, opset=17)
    x = RNG.uniform(-6, 6, (60, 7))
    close(emulate(tmp_path, m, x, cfg=FINE_TABLES), F.gelu(t(x)).numpy(), 2e-3)


def test_transpose_without_perm_reverses_every_axis(tmp_path):
    # Batch 1 and a last axis of 1: [1,2,3,1] -> [1,3,2,1] (the two size-1 axes trade places),
    # a BatchNormalization over the 3 channels of the reversed tensor, and back.
    s, b = np.array([0.5, 1.5, -2.0]), np.array([0.25, -1.0, 0.5])
    nodes = [helper.make_node("Transpose", ["x"], ["xt"], name="rev"),
             helper.make_node("BatchNormalization", ["xt", "s", "b", "z", "o"], ["bn"], name="bn", epsilon=0.0),
             helper.make_node("Transpose", ["bn"], ["y"], name="rev_back")]
    inits = [init("s", s), init("b", b), init("z", np.zeros(3)), init("o", np.ones(3))]
    m = model(nodes, [("x", [1, 2, 3, 1])], ["y"], inits, opset=13)
    x = RNG.uniform(-1, 1, (1, 2, 3, 1))
    xt = np.transpose(x)  # numpy's transpose without axes also reverses every axis
    ref = np.transpose(xt * s[None, :, None, None] + b[None, :, None, None])
    close(emulate(tmp_path, m, x), ref, 1e-4)
    # The same graph with parameters for 2 channels: refused at the BatchNormalization, which says why.
    bad = model(nodes, [("x", [1, 2, 3, 1])], ["y"], [init("s", s[:2]), init("b", b[:2]), init("z", np.zeros(2)),
                                                         init("o", np.ones(2))], opset=13)
    reject(tmp_path, bad, "node 'bn' (BatchNormalization)", "3 channels on axis 1", "[batch]+[3,2,1]")


def hls4ml_style_table(fn, x, n, table_frac):
    """Independent numpy model of the default tables: index trunc(x * n / 16) + n / 2 clamped,
    entries f(16 (k - n/2) / n) in float32, truncated onto the table type's grid."""
    k = np.arange(n)
    a = (16.0 * (k - n / 2.0) / n).astype(np.float32)
    table = fn(a).astype(np.float32).astype(np.float64)
    table = np.floor(table * 2.0 ** table_frac) / 2.0 ** table_frac  # AP_TRN, values far from the type's limits
    idx = np.clip(np.trunc(x * n / 16.0).astype(np.int64) + n // 2, 0, n - 1)
    return table[idx]


@pytest.mark.parametrize("op,fn", [
    ("Softplus", lambda a: np.log(np.exp(a).astype(np.float64) + 1.0)),
    ("Softsign", lambda a: a / (np.abs(a).astype(np.float64) + 1.0)),
])
def test_default_tables_follow_the_documented_rule(tmp_path, op, fn):
    # Default table: 1024 entries of ap_fixed<18,8> (10 fraction bits); x on a 2^-12 grid
    # (exact in the ap_fixed<40,16> input), including values beyond the range [-8, 8).
    m = model([helper.make_node(op, ["x"], ["y"])], [("x", ["N", 8])], ["y"], opset=14)
    x = np.round(RNG.uniform(-10, 10, (40, 8)) * 4096) / 4096
    y = emulate(tmp_path, m, x, cfg={"Model": {"Precision": "ap_fixed<40,16>"}})
    assert np.array_equal(y.reshape(x.shape), hls4ml_style_table(fn, x, 1024, 10))


def test_thresholded_relu_compares_with_the_theta_in_param_t(tmp_path):
    # alpha 0.3 in param_t ap_fixed<16,6> (10 fraction bits, AP_TRN) is 307/1024 = 0.2998046875;
    # x is compared exactly with that value, not with 0.3.
    m = model([helper.make_node("ThresholdedRelu", ["x"], ["y"], alpha=0.3)], [("x", ["N", 4])], ["y"], opset=14)
    cfg = {"Model": {"Precision": "ap_fixed<40,16>"}, "LayerType": {"Relu": {"Precision": {"param": "ap_fixed<16,6>"}}}}
    t = 307 / 1024
    x = np.array([[t, t - 2 ** -12, t + 2 ** -12, 0.3125], [-1.0, 0.0, 0.5, 7.0]])
    y = emulate(tmp_path, m, x, cfg=cfg)
    assert y.reshape(x.shape).tolist() == [[0.0, 0.0, t + 2 ** -12, 0.3125], [0.0, 0.0, 0.5, 7.0]]
    # With the Model default (40 bits) as param_t, theta is 0.3 within 2^-24.
    y = emulate(tmp_path, m, np.array([[0.2999, 0.30001, 1.0, 0.0]]))
    assert y.reshape(-1).tolist()[0] == 0.0 and y.reshape(-1).tolist()[2] == 1.0 and y.reshape(-1)[1] > 0.3


TABLE_CHAIN_CFG = {"Model": {"Precision": "ap_fixed<16,6>"},
                   "LayerType": {"UnaryTable": {"table_size": 256, "Precision": {"table": "ap_fixed<12,4,AP_RND>"}}}}


def table_chain_model():
    nodes = [helper.make_node("Softplus", ["x"], ["sp"], name="sp"),
             helper.make_node("Softsign", ["x"], ["ss"], name="ss"),
             helper.make_node("ThresholdedRelu", ["x"], ["tr"], alpha=0.4, name="tr"),
             helper.make_node("Erf", ["x"], ["ef"], name="ef"),
             helper.make_node("Sum", ["sp", "ss", "tr", "ef"], ["y"], name="sum")]
    return model(nodes, [("x", ["N", 6])], ["y"], opset=14)


@pytest.mark.parametrize("backend,tool", [("vitis", "g++"), ("verilog", "verilator")])
def test_table_functions_bit_exact_in_hls_csim_and_rtl(tmp_path, backend, tool):
    # The emulator, the HLS project's C simulation and the Verilog simulation give the same bits.
    import shutil
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} not installed")
    path = tmp_path / "chain.onnx"
    onnx.save(table_chain_model(), str(path))
    x = RNG.uniform(-9, 9, (64, 6))
    m = tachyon.convert_from_onnx_model(str(path), hls_config=TABLE_CHAIN_CFG, output_dir=str(tmp_path / backend),
                                        backend=backend)
    m.write(force=True)
    y = np.asarray(m.predict(x))
    assert np.array_equal(np.asarray(m.simulate(x)).reshape(y.shape), y)


@pytest.mark.parametrize("module", [torch.nn.Softplus(), torch.nn.Softplus(beta=2.0), torch.nn.Softsign(),
                                    torch.nn.GELU(), torch.nn.Mish(), torch.nn.SiLU()],
                         ids=["softplus", "softplus_beta2", "softsign", "gelu", "mish", "silu"])
def test_torch_exported_activations(tmp_path, module):
    # As torch.onnx writes them (opset 14): Softsign as x / (Abs(x) + 1), GELU with Erf, Mish as
    # x * Tanh(Softplus(x)), Softplus(beta) between a Mul and a Div.
    import io
    f = io.BytesIO()
    torch.onnx.export(module, torch.zeros(1, 5), f, opset_version=14, input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "N"}, "y": {0: "N"}})
    path = tmp_path / "torch.onnx"
    path.write_bytes(f.getvalue())
    x = RNG.uniform(-3.5, 3.5, (40, 5))
    y = np.asarray(tachyon.convert_from_onnx_model(str(path), hls_config=FINE_TABLES).predict(x))
    with torch.no_grad():
        ref = module(t(x).float()).double().numpy()
    close(y, ref, 3e-3)


class _DilatedNet(torch.nn.Module):
    """Dilated Conv1d / Conv2d as torch.onnx writes them (dilations, explicit pads)."""

    def __init__(self, dims):
        super().__init__()
        conv = torch.nn.Conv1d if dims == 1 else torch.nn.Conv2d
        self.a = conv(2, 3, 3, dilation=2, padding=2)
        self.b = conv(3, 2, 2, dilation=3, stride=2)

    def forward(self, x):
        return self.b(torch.relu(self.a(x)))


@pytest.mark.parametrize("dims", [1, 2])
def test_torch_dilated_convolutions(tmp_path, dims):
    import io
    torch.manual_seed(dims)
    module = _DilatedNet(dims).eval()
    shape = (1, 2, 17) if dims == 1 else (1, 2, 11, 9)
    f = io.BytesIO()
    torch.onnx.export(module, torch.zeros(shape), f, opset_version=13, input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "N"}, "y": {0: "N"}})
    path = tmp_path / "dilated.onnx"
    path.write_bytes(f.getvalue())
    x = RNG.uniform(-2, 2, (6,) + shape[1:])
    y = np.asarray(tachyon.convert_from_onnx_model(str(path), hls_config=WIDE).predict(x))
    with torch.no_grad():
        ref = module(t(x).float()).double().numpy()
    assert y.shape == ref.shape
    close(y, ref, 1e-4)
