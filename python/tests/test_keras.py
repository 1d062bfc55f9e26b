"""Keras / QKeras / HGQ frontend: model files written with h5py in the Keras 2 .h5, JSON +
weights and Keras 3 .keras layouts checked against an independent numpy evaluation; the
example models of tests/data/keras against their float references; malformed files; C and
RTL simulation equal to the emulator."""
import json
import os
import shutil

import numpy as np
import pytest

import tachyon
from conftest import ROOT
from keras_files import evaluate, write_json_weights, write_k2_h5, write_keras3

DATA = os.path.join(ROOT, "tests", "data", "keras")
rng = np.random.default_rng(11)

WIDE = {"Model": {"Precision": "ap_fixed<40,14>"}}
# Wide data path and finer tables for the table-based activations (their table error bounds the agreement).
SOFTMAX_WIDE = {"Model": {"Precision": "ap_fixed<32,16>"},
                "LayerType": {"Softmax": {"table_size": 4096, "exp_table_t": "ap_fixed<24,8,AP_RND,AP_SAT>",
                                          "inv_table_t": "ap_fixed<24,8,AP_RND,AP_SAT>",
                                          "accum_t": "ap_fixed<24,8,AP_RND,AP_SAT>",
                                          # hls4ml derives the normalised input from the
                                          # softmax input type: ap_ufixed<31,15> here, too
                                          # coarse for a 4096-entry table; give it its range.
                                          "inp_norm_t": "ap_ufixed<18,6,AP_RND,AP_SAT>"},
                              "Sigmoid": {"table_size": 4096, "table_t": "ap_fixed<24,8,AP_RND,AP_SAT>"},
                              "TanH": {"table_size": 4096, "table_t": "ap_fixed<24,8,AP_RND,AP_SAT>"}}}


def r(*shape, scale=0.5):
    return (rng.standard_normal(shape) * scale).astype(np.float32).astype(np.float64)


def L(name, cls, inputs, cfg=None, weights=None):
    return {"name": name, "cls": cls, "inputs": inputs, "cfg": cfg or {}, "weights": weights or []}


def every_layer_model():
    bn = [("gamma", r(4) + 1), ("beta", r(4)), ("moving_mean", r(4)), ("moving_variance", np.abs(r(4)) + 0.5)]
    return [
        L("x", "InputLayer", [], {"batch_input_shape": [None, 8, 8, 3]}),
        L("c1", "Conv2D", ["x"], {"filters": 4, "kernel_size": [3, 3], "padding": "same", "activation": "relu"},
          [("kernel", r(3, 3, 3, 4)), ("bias", r(4))]),
        L("zp", "ZeroPadding2D", ["c1"], {"padding": [[1, 1], [1, 1]]}),
        L("dw", "DepthwiseConv2D", ["zp"], {"kernel_size": [3, 3], "padding": "valid", "depth_multiplier": 1},
          [("depthwise_kernel", r(3, 3, 4, 1)), ("bias", r(4))]),
        L("bn", "BatchNormalization", ["dw"], {"axis": -1, "epsilon": 0.001}, bn),
        L("r6", "ReLU", ["bn"], {"max_value": 2.0}),
        L("mp", "MaxPooling2D", ["r6"], {"pool_size": [2, 2]}),
        L("ap", "AveragePooling2D", ["c1"], {"pool_size": [2, 2], "strides": [2, 2], "padding": "valid"}),
        L("add", "Add", ["mp", "ap"]), L("sub", "Subtract", ["mp", "ap"]), L("mx", "Maximum", ["mp", "ap"]),
        L("mn", "Minimum", ["mp", "ap"]), L("mul", "Multiply", ["mp", "ap"]), L("avg", "Average", ["mp", "ap"]),
        L("cat", "Concatenate", ["add", "sub", "mx", "mn", "mul", "avg"], {"axis": -1}),
        L("sep", "SeparableConv2D", ["cat"], {"filters": 5, "kernel_size": [3, 3], "padding": "same"},
          [("depthwise_kernel", r(3, 3, 24, 1)), ("pointwise_kernel", r(1, 1, 24, 5)), ("bias", r(5))]),
        L("up", "UpSampling2D", ["sep"], {"size": [2, 2]}),
        L("c2", "Conv2D", ["up"], {"filters": 3, "kernel_size": [3, 3], "strides": [2, 2], "padding": "valid"},
          [("kernel", r(3, 3, 5, 3)), ("bias", r(3))]),
        L("lk", "LeakyReLU", ["c2"], {"alpha": 0.125}),
        L("pr", "PReLU", ["lk"], {"shared_axes": [1, 2]}, [("alpha", np.abs(r(1, 1, 3)))]),
        L("pm", "Permute", ["pr"], {"dims": [2, 1, 3]}),
        L("fl", "Flatten", ["pm"]),
        L("gp", "GlobalAveragePooling2D", ["sep"]), L("gm", "GlobalMaxPooling2D", ["up"]),
        L("cat2", "Concatenate", ["fl", "gp", "gm"], {"axis": 1}),
        L("d1", "Dense", ["cat2"], {"units": 8, "activation": "relu"}, [("kernel", r(37, 8)), ("bias", r(8))]),
        L("dr", "Dropout", ["d1"], {"rate": 0.5}),
        L("rs", "Reshape", ["dr"], {"target_shape": [4, 2]}),
        L("c1d", "Conv1D", ["rs"], {"filters": 3, "kernel_size": [2], "padding": "same"},
          [("kernel", r(2, 2, 3)), ("bias", r(3))]),
        L("fl2", "Flatten", ["c1d"]),
        L("out", "Dense", ["fl2"], {"units": 4}, [("kernel", r(12, 4)), ("bias", r(4))]),
    ]


def activations_model():
    return [
        L("x", "InputLayer", [], {"batch_input_shape": [None, 6]}),
        L("d1", "Dense", ["x"], {"units": 6}, [("kernel", r(6, 6)), ("bias", r(6))]),
        L("t", "Activation", ["d1"], {"activation": "tanh"}),
        L("d2", "Dense", ["t"], {"units": 6, "activation": "sigmoid"}, [("kernel", r(6, 6, scale=2)), ("bias", r(6))]),
        L("e", "ELU", ["d2"], {"alpha": 1.0}),
        L("d3", "Dense", ["e"], {"units": 3, "activation": "softmax"}, [("kernel", r(6, 3, scale=2)), ("bias", r(3))]),
    ]


def write_all_layouts(tmp_path, layers, outputs):
    paths = {}
    paths["h5"] = str(tmp_path / "m.h5")
    write_k2_h5(paths["h5"], layers, outputs)
    paths["json"] = str(tmp_path / "m.json")
    write_json_weights(paths["json"], str(tmp_path / "m_weights.h5"), layers, outputs)
    paths["keras"] = str(tmp_path / "m.keras")
    write_keras3(paths["keras"], layers, outputs)
    return paths


def assert_matches_numpy(tmp_path, layers, output, x, layout):
    """The model written in `layout`, emulated at WIDE precision, against the numpy evaluation
    of its single input "x" and output `output`."""
    ref = evaluate(layers, [output], {"x": x})[0]
    path = write_all_layouts(tmp_path, layers, [output])[layout]
    y = tachyon.convert_from_keras_model(path, hls_config=WIDE, output_dir=str(tmp_path / "p")).predict(x)
    assert y.shape == ref.shape
    assert np.max(np.abs(y - ref)) < 1e-4, np.max(np.abs(y - ref))


@pytest.mark.parametrize("layout", ["h5", "json", "keras"])
def test_every_layer_matches_numpy(tmp_path, layout):
    assert_matches_numpy(tmp_path, every_layer_model(), "out", r(64, 8, 8, 3, scale=1.0), layout)


def test_activations_match_numpy_within_table_precision(tmp_path):
    layers = activations_model()
    x = r(200, 6, scale=1.5)
    ref = evaluate(layers, ["d3"], {"x": x})[0]
    path = write_all_layouts(tmp_path, layers, ["d3"])["json"]
    y = tachyon.convert_from_keras_model(path, hls_config=SOFTMAX_WIDE, output_dir=str(tmp_path / "p")).predict(x)
    assert np.max(np.abs(y - ref)) < 0.06, np.max(np.abs(y - ref))  # softmax tables dominate
    assert np.mean(y.argmax(1) == ref.argmax(1)) > 0.97


def test_weights_option_and_config_names(tmp_path):
    layers = activations_model()
    write_json_weights(str(tmp_path / "a.json"), str(tmp_path / "other.h5"), layers, ["d3"])
    with pytest.raises(tachyon.TachyonError, match="missing weights"):
        tachyon.config_from_keras_model(str(tmp_path / "a.json"))
    cfg = tachyon.config_from_keras_model(str(tmp_path / "a.json"), granularity="name", weights=str(tmp_path / "other.h5"))
    # hls4ml naming: a layer's activation is a layer `<name>_<activation>`.
    assert {"d1", "t", "d2", "d2_sigmoid", "e", "d3", "d3_softmax"} <= set(cfg["LayerName"])


# ---- the example models ----
@pytest.mark.parametrize("name,tol,agree", [
    ("KERAS_1layer", 2e-3, 1.0),                          # sigmoid output: table of 4096 entries
    ("KERAS_conv1d_small", 0.02, 0.85),                   # softmax tables; close classes swap
    ("KERAS_conv2d_model", 0.05, 0.95),
    ("KERAS_dense_16x100x100x100x100x100x5", 0.01, 1.0),
    ("jet_tagger/KERAS_3layer_batch_norm", 0.1, 0.99),
])
def test_float_models_close_to_reference(tmp_path, name, tol, agree):
    base = os.path.join(DATA, name)
    x = np.load(base + ".inputs.npy") if os.path.exists(base + ".inputs.npy") else np.load(
        os.path.join(DATA, "jet_tagger", "jets_std.inputs.npy"))
    ref = np.load(base + ".float_out.npy").astype(np.float64)
    y = tachyon.convert_from_keras_model(base + ".json", hls_config=SOFTMAX_WIDE,
                                         output_dir=str(tmp_path / "p")).predict(x).reshape(ref.shape)
    assert np.max(np.abs(y - ref)) < tol
    if ref.shape[1] > 1:
        assert np.mean(y.argmax(1) == ref.argmax(1)) >= agree


def test_hgq_homogeneous_bit_exact(tmp_path):
    """HGQ proxy model: types from the file only (no configuration), output equal bit for bit."""
    x = np.load(os.path.join(DATA, "hgq_mnist_homogeneous.inputs.npy"))
    ref = np.load(os.path.join(DATA, "hgq_mnist_homogeneous.float_out.npy")).astype(np.float64)
    m = tachyon.convert_from_keras_model(os.path.join(DATA, "hgq_mnist_homogeneous.h5"), output_dir=str(tmp_path / "p"))
    y = m.predict(x)
    assert np.array_equal(y, ref), f"{np.sum(y != ref)} values differ"


def test_qkeras_types_and_agreement(tmp_path):
    path = os.path.join(DATA, "qkeras_mnist_cnn.json")
    cfg = tachyon.config_from_keras_model(path, granularity="name")
    ln = cfg["LayerName"]
    # quantized_bits(6,0,alpha=1) -> ap_fixed<6,1>; quantized_relu(6,0) -> ap_ufixed<6,0> (half to even, saturating).
    assert ln["q_conv2d"]["Precision"]["weight"].startswith("ap_fixed<6,1")
    assert ln["q_dense"]["Precision"]["bias"].startswith("ap_fixed<6,1")
    assert ln["q_conv2d_relu"]["Precision"]["result"] == "ap_ufixed<6,0,AP_RND_CONV,AP_SAT>"
    # The float input gets 24 fraction bits; the softmax a normalised input wide enough for logits of -35.
    cfg["LayerName"]["input_1"]["Precision"] = "ap_fixed<26,2>"
    cfg["LayerName"]["q_conv2d"]["Precision"].update(accum="auto", result="auto")  # exact
    cfg["LayerName"]["softmax"]["Precision"]["inp_norm"] = "ap_fixed<18,8>"
    x = np.load(os.path.join(DATA, "qkeras_mnist_cnn.inputs.npy"))
    ref = np.load(os.path.join(DATA, "qkeras_mnist_cnn.float_out.npy")).astype(np.float64)
    y = tachyon.convert_from_keras_model(path, hls_config=cfg, output_dir=str(tmp_path / "p")).predict(x)
    assert np.array_equal(y.argmax(1), ref.argmax(1))
    assert np.max(np.abs(y - ref)) < 2e-3


# ---- malformed files ----
def _load(path, **kw):
    return tachyon.convert_from_keras_model(str(path), output_dir="unused", **kw).compile()


def test_malformed_files(tmp_path):
    layers = activations_model()
    p = write_all_layouts(tmp_path, layers, ["d3"])
    data = open(p["h5"], "rb").read()
    (tmp_path / "trunc.h5").write_bytes(data[:len(data) // 3])
    with pytest.raises(tachyon.TachyonError, match=r"trunc\.h5.*(truncated|damaged|cannot)"):
        _load(tmp_path / "trunc.h5")
    (tmp_path / "broken.json").write_text(open(p["json"]).read()[:200])
    with pytest.raises(tachyon.TachyonError, match=r"broken\.json.*broken JSON"):
        _load(tmp_path / "broken.json", weights=str(tmp_path / "m_weights.h5"))
    (tmp_path / "alone.json").write_text(open(p["json"]).read())
    with pytest.raises(tachyon.TachyonError, match=r"missing weights.*alone_weights\.h5"):
        _load(tmp_path / "alone.json")
    bad = activations_model()
    bad[1]["weights"][0] = ("kernel", r(5, 6))
    write_k2_h5(str(tmp_path / "shape.h5"), bad, ["d3"])
    with pytest.raises(tachyon.TachyonError, match=r"shape\.h5: node 'd1' \(Dense\).*shape mismatch.*\[5, 6\].*\[6, 6\]"):
        _load(tmp_path / "shape.h5")
    unk = activations_model()
    unk[2]["cls"] = "GarNet"
    unk[4]["cls"] = "BinaryDense"
    write_k2_h5(str(tmp_path / "unknown.h5"), unk, ["d3"])
    with pytest.raises(tachyon.TachyonError) as e:
        _load(tmp_path / "unknown.h5")
    msg = str(e.value)
    assert "unknown.h5: node 't' (GarNet)" in msg and "unknown.h5: node 'e' (BinaryDense)" in msg, msg
    cyc = activations_model()
    cyc[1]["inputs"] = ["d3"]
    write_k2_h5(str(tmp_path / "cycle.h5"), cyc, ["d3"])
    with pytest.raises(tachyon.TachyonError, match=r"cycle\.h5.*cycle.*d1"):
        _load(tmp_path / "cycle.h5")
    zdata = open(p["keras"], "rb").read()
    (tmp_path / "trunc.keras").write_bytes(zdata[:len(zdata) // 2])
    with pytest.raises(tachyon.TachyonError, match=r"trunc\.keras: not a readable zip archive"):
        _load(tmp_path / "trunc.keras")
    with pytest.raises(tachyon.TachyonError, match=r"m_weights\.h5: an HDF5 file without a 'model_config'"):
        _load(tmp_path / "m_weights.h5")
    with pytest.raises(tachyon.TachyonError, match=r"--weights applies to Keras models only"):
        _load(os.path.join(ROOT, "tests", "data", "models", "jet_mlp.onnx"), weights=str(tmp_path / "m_weights.h5"))
    with pytest.raises(tachyon.TachyonError, match=r"channels_first"):
        cf = every_layer_model()
        cf[1]["cfg"]["data_format"] = "channels_first"
        write_k2_h5(str(tmp_path / "cf.h5"), cf, ["out"])
        _load(tmp_path / "cf.h5")


# ---- firmware equal to the emulator ----
@pytest.mark.parametrize("model,backend", [
    ("jet_tagger/KERAS_3layer_batch_norm.json", "vitis"),
    ("KERAS_conv1d_small.json", "vitis"),
    ("KERAS_conv1d_small.json", "verilog"),
    ("activations", "verilog"),
])
def test_simulation_equals_emulator(tmp_path, model, backend):
    """HLS C simulation (g++) and RTL simulation (Verilator) equal the emulator bit for bit.
    (The jet tagger's RTL simulation is equal too but takes minutes to build: not run here.)"""
    if shutil.which("g++") is None or (backend == "verilog" and shutil.which("verilator") is None):
        pytest.skip("simulator not available")
    if model == "activations":
        layers = [l for l in activations_model() if l["name"] in ("x", "d1", "t", "d2")]
        path = write_all_layouts(tmp_path, layers, ["d2"])["keras"]
        x = r(50, 6, scale=1.5)
    elif "jet" in model:
        path = os.path.join(DATA, model)
        x = np.load(os.path.join(DATA, "jet_tagger", "jets_std.inputs.npy"))[:100]
    else:
        path = os.path.join(DATA, model)
        x = np.load(os.path.join(DATA, "KERAS_conv1d_small.inputs.npy"))[:50]
    m = tachyon.convert_from_keras_model(path, output_dir=str(tmp_path / "prj"), backend=backend, project_name="k")
    m.write()
    sim = m.simulate(x)
    emu = m.predict(x)
    assert np.array_equal(sim, emu), f"{np.sum(sim != emu)} values differ"


# ---- QKeras quantizers written with h5py ----
def np_round_half_even(v):
    return np.round(v)  # numpy rounds half to even, as tf.round


def np_quantized_bits(x, bits, integer, keep_negative=1, symmetric=0):
    m = 2.0 ** (bits - keep_negative)
    return 2.0 ** integer * np.clip(np_round_half_even(x * m / 2.0 ** integer), keep_negative * (symmetric - m), m - 1) / m


def np_auto_po2(w, bits, integer):
    """QKeras quantized_bits(alpha='auto_po2') on a kernel, per output channel."""
    x = w / 2.0 ** integer
    axis = tuple(range(w.ndim - 1))
    levels = 2.0 ** bits - 1
    po2 = lambda s: 2.0 ** np.round(np.log(s + 1e-7) / np.log(2.0))
    scale = po2((x.max(axis, keepdims=True) - x.min(axis, keepdims=True)) / levels)
    for _ in range(5):
        v = np.floor(np.abs(x) / scale + 0.5)
        z = np.sign(x) * np.where(v < (levels - 1) / 2, v, (levels - 1) / 2)
        scale = po2(np.mean(x * z, axis, keepdims=True) / (np.mean(z * z, axis, keepdims=True) + 1e-7))
    return 2.0 ** integer * z * scale


def test_qkeras_quantizers_match_numpy(tmp_path):
    w1, b1, w2, w3, w4 = r(8, 6, scale=1.0), r(6), r(6, 5), r(5, 4), r(4, 3)
    qb = {"class_name": "quantized_bits", "config": {"bits": 6, "integer": 1, "symmetric": 0, "keep_negative": True,
                                                     "alpha": 1}}
    layers = [
        L("x", "InputLayer", [], {"batch_input_shape": [None, 8]}),
        L("q1", "QDense", ["x"], {"units": 6, "kernel_quantizer": "quantized_bits(4,0,alpha='auto_po2')",
                                  "bias_quantizer": qb}, [("kernel", w1), ("bias", b1)]),
        L("a1", "QActivation", ["q1"], {"activation": "quantized_relu(4,2)"}),
        L("q2", "QDense", ["a1"], {"units": 5, "use_bias": False, "kernel_quantizer": "binary()",
                                   "activation": "quantized_bits(8,3)"}, [("kernel", w2)]),
        L("q3", "QDense", ["q2"], {"units": 4, "use_bias": False, "kernel_quantizer": "ternary(threshold=0.5)"},
          [("kernel", w3)]),
        L("a3", "QActivation", ["q3"], {"activation": {"class_name": "quantized_bits",
                                                      "config": {"bits": 5, "integer": 2, "keep_negative": False}}}),
        L("q4", "QDense", ["a3"], {"units": 3, "kernel_quantizer": "quantized_bits(5,0,1)", "use_bias": False},
          [("kernel", w4)]),
    ]
    path = str(tmp_path / "q.h5")
    write_k2_h5(path, layers, ["q4"])
    x = r(300, 8, scale=2.0)
    h = x @ np_auto_po2(w1, 4, 0) + np_quantized_bits(b1, 6, 1)
    h = np.clip(np_round_half_even(h * 4), 0, 15) / 4                          # quantized_relu(4,2)
    h = np_quantized_bits(h @ np.where(w2 >= 0, 1.0, -1.0), 8, 3)               # binary kernel
    h = h @ ((np.abs(w3) >= 0.5) * np.sign(w3))                                 # ternary kernel
    h = np_quantized_bits(h, 5, 2, keep_negative=0)
    ref = h @ np_quantized_bits(w4, 5, 0, symmetric=1)
    # The quantizers give every other type; the accumulators are inferred exactly ("auto" for the
    # first layer, whose float input is given 22 fraction bits).
    cfg = {"LayerName": {"x": {"Precision": "ap_fixed<30,8>"}, "q1": {"Precision": {"accum": "auto"}}}}
    y = tachyon.convert_from_keras_model(path, output_dir=str(tmp_path / "p"), hls_config=cfg).predict(x)
    assert np.max(np.abs(y - ref)) < 1e-9, np.max(np.abs(y - ref))


# ---- HGQ proxy models written with h5py ----
def np_fixed(x, k, B, I, rnd, sat):
    """ap_fixed<B, I> (ap_ufixed when k == 0) with TRN / RND and WRAP / SAT, element-wise; B == 0 -> 0."""
    k, B, I = (np.broadcast_to(a, x.shape).astype(np.float64) for a in (k, B, I))
    scale = 2.0 ** (B - I)
    v = x * scale
    v = np.floor(v) if rnd == "TRN" else np.floor(v + 0.5)
    lo = np.where(k != 0, -(2.0 ** (B - 1)), 0.0)
    hi = np.where(k != 0, 2.0 ** (B - 1) - 1, 2.0 ** B - 1)
    if sat == "SAT":
        v = np.clip(v, lo, hi)
    else:
        v = np.mod(v - lo, 2.0 ** B) + lo
    return np.where(B == 0, 0.0, v / scale)


def hgq_model(kbi_in, kbi_mid, kbi_out, rnd, sat):
    """Input(6) -> FPQ -> Dense(5) -> FPQ -> relu -> FPQ -> Dense(3) -> FPQ; parameters (k, B, I)
    with the batch axis, broadcast as HGQ stores them."""
    w1 = np.round(r(6, 5, scale=1.0) * 8) / 8
    b1 = np.round(r(5) * 16) / 16
    w2 = np.round(r(5, 3, scale=1.0) * 4) / 4
    def fpq(name, inp, kbi):
        return L(name, "FixedPointQuantizer", [inp], {"RND": rnd, "SAT": sat},
                 [("keep_negative", kbi[0]), ("bits", kbi[1]), ("integers", kbi[2])])
    layers = [
        L("x", "InputLayer", [], {"batch_input_shape": [None, 6]}),
        fpq("xq", "x", kbi_in),
        L("d1", "Dense", ["xq"], {"units": 5}, [("kernel", w1), ("bias", b1)]),
        fpq("d1q", "d1", kbi_mid),
        L("a", "Activation", ["d1q"], {"activation": "relu"}),
        fpq("aq", "a", (np.zeros((1, 1)), np.full((1, 1), 6.0), np.full((1, 1), 3.0))),
        L("d2", "Dense", ["aq"], {"units": 3}, [("kernel", w2), ("bias", np.zeros(3))]),
        fpq("d2q", "d2", kbi_out),
    ]
    def ref(x):
        h = np_fixed(x, *(a[0] for a in kbi_in), rnd, sat)
        h = np_fixed(h @ w1 + b1, *(a[0] for a in kbi_mid), rnd, sat)
        h = np_fixed(np.maximum(h, 0), 0, 6, 3, rnd, sat)
        return np_fixed(h @ w2, *(a[0] for a in kbi_out), rnd, sat)
    return layers, ref


def full(v, *shape):
    return np.full((1,) + shape, float(v))


@pytest.mark.parametrize("rnd,sat", [("TRN", "WRAP"), ("RND", "SAT")])
def test_hgq_homogeneous_modes_bit_exact(tmp_path, rnd, sat):
    layers, ref = hgq_model((full(1, 1), full(6, 1), full(2, 1)), (full(1, 5), full(7, 5), full(3, 5)),
                            (full(1, 1), full(8, 1), full(4, 1)), rnd, sat)
    path = str(tmp_path / "hgq.h5")
    write_k2_h5(path, layers, ["d2q"])
    x = r(500, 6, scale=3.0)
    y = tachyon.convert_from_keras_model(path, output_dir=str(tmp_path / "p")).predict(x)
    assert np.array_equal(y, ref(x)), f"{np.sum(y != ref(x))} values differ"


def heterogeneous_model():
    rng2 = np.random.default_rng(5)
    kin = (rng2.integers(0, 2, (1, 6)).astype(float), rng2.integers(0, 8, (1, 6)).astype(float),
           rng2.integers(-1, 4, (1, 6)).astype(float))
    kmid = (full(1, 5), rng2.integers(3, 9, (1, 5)).astype(float), rng2.integers(1, 5, (1, 5)).astype(float))
    return hgq_model(kin, kmid, (full(1, 1), full(8, 1), full(4, 1)), "RND", "SAT")


def test_hgq_heterogeneous(tmp_path):
    """Per-element precision (bits 0 = pruned elements) through the ElementQuant op: bit for bit
    in the emulator and the HLS C simulation."""
    layers, ref = heterogeneous_model()
    path = str(tmp_path / "het.h5")
    write_k2_h5(path, layers, ["d2q"])
    x = r(300, 6, scale=3.0)
    m = tachyon.convert_from_keras_model(path, output_dir=str(tmp_path / "p"), project_name="het")
    y = m.predict(x)
    assert np.array_equal(y, ref(x)), f"{np.sum(y != ref(x))} values differ"
    if shutil.which("g++") is not None:
        m.write()
        assert np.array_equal(m.simulate(x[:50]), y[:50])


@pytest.mark.parametrize("layout", ["json", "keras"])
def test_two_inputs_two_outputs(tmp_path, layout):
    layers = [
        L("a", "InputLayer", [], {"batch_input_shape": [None, 4]}),
        L("b", "InputLayer", [], {"batch_input_shape": [None, 3]}),
        L("da", "Dense", ["a"], {"units": 3, "activation": "relu"}, [("kernel", r(4, 3)), ("bias", r(3))]),
        L("m", "Multiply", ["da", "b"]),
        L("c", "Concatenate", ["m", "a"], {"axis": -1}),
        L("o1", "Dense", ["c"], {"units": 2}, [("kernel", r(7, 2)), ("bias", r(2))]),
        L("o2", "Add", ["da", "b"]),
    ]
    xa, xb = r(40, 4), r(40, 3)
    ref = evaluate(layers, ["o1", "o2"], {"a": xa, "b": xb})
    path = write_all_layouts(tmp_path, layers, ["o1", "o2"])[layout]
    y = tachyon.convert_from_keras_model(path, hls_config=WIDE, output_dir=str(tmp_path / "p")).predict([xa, xb])
    assert len(y) == 2
    for got, want in zip(y, ref):
        assert np.max(np.abs(got - want)) < 1e-5


def test_keras3_sequential(tmp_path):
    layers = every_layer_model()[:2] + [L("f", "Flatten", ["c1"]),
                                        L("d", "Dense", ["f"], {"units": 3}, [("kernel", r(256, 3)), ("bias", r(3))]),
                                        L("d_1", "Dense", ["d"], {"units": 2}, [("kernel", r(3, 2)), ("bias", r(2))])]
    x = r(20, 8, 8, 3)
    ref = evaluate(layers, ["d_1"], {"x": x})[0]
    write_keras3(str(tmp_path / "s.keras"), layers, ["d_1"], sequential=True)
    y = tachyon.convert_from_keras_model(str(tmp_path / "s.keras"), hls_config=WIDE, output_dir=str(tmp_path / "p")).predict(x)
    assert np.max(np.abs(y - ref)) < 1e-5


def test_one_dimensional_layers(tmp_path):
    layers = [
        L("x", "InputLayer", [], {"batch_input_shape": [None, 12, 3]}),
        L("c", "Conv1D", ["x"], {"filters": 4, "kernel_size": [3], "strides": [2], "padding": "same", "activation": "relu"},
          [("kernel", r(3, 3, 4)), ("bias", r(4))]),
        L("zp", "ZeroPadding1D", ["c"], {"padding": [1, 2]}),
        L("mp", "MaxPooling1D", ["zp"], {"pool_size": [3], "strides": [1], "padding": "valid"}),
        L("ap", "AveragePooling1D", ["mp"], {"pool_size": [2], "padding": "same"}),
        L("up", "UpSampling1D", ["ap"], {"size": 2}),
        L("g", "GlobalAveragePooling1D", ["up"]),
        L("gm", "GlobalMaxPooling1D", ["mp"]),
        L("s", "Add", ["g", "gm"]),
    ]
    x = r(30, 12, 3)
    ref = evaluate(layers, ["s"], {"x": x})[0]
    path = write_all_layouts(tmp_path, layers, ["s"])["h5"]
    y = tachyon.convert_from_keras_model(path, hls_config=WIDE, output_dir=str(tmp_path / "p")).predict(x)
    assert np.max(np.abs(y - ref)) < 1e-5


@pytest.mark.parametrize("layout", ["h5", "keras"])
def test_dilated_convolutions(tmp_path, layout):
    layers = [
        L("x", "InputLayer", [], {"batch_input_shape": [None, 11, 10, 2]}),
        L("c", "Conv2D", ["x"], {"filters": 3, "kernel_size": [3, 2], "dilation_rate": [2, 3], "padding": "same",
                                 "activation": "relu"}, [("kernel", r(3, 2, 2, 3)), ("bias", r(3))]),
        L("dw", "DepthwiseConv2D", ["c"], {"kernel_size": [2, 2], "dilation_rate": [3, 2], "padding": "valid"},
          [("depthwise_kernel", r(2, 2, 3, 1)), ("bias", r(3))]),
        L("rs", "Reshape", ["dw"], {"target_shape": [64, 3]}),
        L("c1", "Conv1D", ["rs"], {"filters": 2, "kernel_size": [3], "dilation_rate": [4], "padding": "valid"},
          [("kernel", r(3, 3, 2)), ("bias", r(2))]),
    ]
    assert_matches_numpy(tmp_path, layers, "c1", r(20, 11, 10, 2, scale=1.0), layout)


def test_truncated_files_never_crash(tmp_path):
    """Every truncation of the three layouts is a TachyonError (or, past the data, loads)."""
    p = write_all_layouts(tmp_path, activations_model(), ["d3"])
    for kind in ("h5", "keras", "weights"):
        src = str(tmp_path / "m_weights.h5") if kind == "weights" else p[kind]
        data = open(src, "rb").read()
        for i, cut in enumerate(np.linspace(0, len(data) - 1, 25).astype(int)):
            if kind == "weights":
                t = tmp_path / f"t{i}.json"
                t.write_text(open(p["json"]).read())
                (tmp_path / f"t{i}_weights.h5").write_bytes(data[:cut])
            else:
                t = tmp_path / f"t{i}.{kind}"
                t.write_bytes(data[:cut])
            try:
                tachyon.convert_from_keras_model(str(t), output_dir="unused").compile()
            except tachyon.TachyonError as e:
                assert str(t.name).split(".")[0] in str(e), str(e)
                assert "ONNX" not in str(e), str(e)
