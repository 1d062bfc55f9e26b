"""The hls4ml-style workflow of the Python module, on the bundled models."""
import os

import numpy as np
import pytest

from conftest import MODELS

import tachyon


def model(name):
    return os.path.join(MODELS, name + ".onnx")


def data(name):
    return (np.load(os.path.join(MODELS, name + ".inputs.npy")),
            np.load(os.path.join(MODELS, name + ".float_out.npy")))


@pytest.mark.parametrize("name", ["qonnx_mlp_w4a6", "qonnx_mlp_w8a8"])
def test_qonnx_models_are_reproduced_exactly(name):
    x, ref = data(name)
    m = tachyon.convert_from_onnx_model(model(name))
    y = m.predict(x)
    assert y.shape == ref.shape
    assert np.array_equal(y, ref.astype(np.float64)), f"{np.sum(y != ref)} values differ"


def test_config_template_edit_and_convert(tmp_path):
    cfg = tachyon.config_from_onnx_model(model("jet_mlp"), granularity="name")
    assert set(cfg) >= {"Model", "LayerName"}
    dense = [k for k in cfg["LayerName"] if "Gemm" in k]
    assert len(dense) == 4
    cfg["LayerName"][dense[0]]["ReuseFactor"] = 4
    m = tachyon.convert_from_onnx_model(model("jet_mlp"), hls_config=cfg, output_dir=str(tmp_path / "prj"),
                                        backend="vitis")
    m.compile()
    assert "reuse 4" in m.inspect()
    x, ref = data("jet_mlp")
    y = m.predict(x)
    assert y.shape == (1000, 5)
    agree = np.mean(np.argmax(y, 1) == np.argmax(ref, 1))
    assert agree > 0.80, agree
    # The reuse factor changes the hardware, never the bits.
    y1 = tachyon.convert_from_onnx_model(model("jet_mlp")).predict(x)
    assert np.array_equal(y, y1)


def test_reuse_factor_folds_verilog(tmp_path):
    # hls4ml's Model-wide ReuseFactor on the Verilog backend: every Dense folded (one sample
    # every 8 cycles), the RTL simulation equal to predict().
    import json
    import shutil
    if shutil.which("iverilog") is None and shutil.which("verilator") is None:
        pytest.skip("no RTL simulator")
    x, _ = data("jet_mlp")
    cfg = {"Model": {"Precision": "ap_fixed<16,6>", "ReuseFactor": 8}}
    m = tachyon.convert_from_onnx_model(model("jet_mlp"), hls_config=cfg, output_dir=str(tmp_path / "rtl"),
                                        backend="verilog")
    m.write()
    manifest = json.load(open(tmp_path / "rtl" / "tachyon_project.json"))
    assert manifest["interval_cycles"] == 8
    assert all(l["reuse_factor"] == 8 for l in manifest["layers"] if l["op"] == "Dense")
    assert np.array_equal(m.simulate(x[:100]), m.predict(x[:100]))


def test_trace_has_every_layer():
    x, _ = data("jet_mlp")
    m = tachyon.convert_from_onnx_model(model("jet_mlp"))
    t = m.trace(x[:10])
    assert len(t) == 8
    last = m.predict(x[:10])
    assert any(v.size == last.size and np.array_equal(v.reshape(last.shape), last) for v in t.values())


def test_wide_precision_is_close_to_float():
    x, ref = data("jet_mlp_linear_out")
    cfg = {"Model": {"Precision": "ap_fixed<32,16>"}}
    y = tachyon.convert_from_onnx_model(model("jet_mlp_linear_out"), hls_config=cfg).predict(x)
    # 16 fractional bits: each conversion loses < 2^-16; a few hundred of them per output.
    assert np.max(np.abs(y - ref)) < 2e-2


def test_pytorch_module_converted_directly():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(8, 12), torch.nn.ReLU(), torch.nn.Linear(12, 3))
    x = np.random.default_rng(1).uniform(-1, 1, size=(200, 8)).astype(np.float32)
    with torch.no_grad():
        ref = net(torch.from_numpy(x)).numpy()
    m = tachyon.convert_from_pytorch_model(net, input_shape=(None, 8),
                                           hls_config={"Model": {"Precision": "ap_fixed<32,12>"}})
    y = m.predict(x)
    assert y.shape == (200, 3)
    assert np.max(np.abs(y - ref)) < 1e-3
    cfg = tachyon.config_from_pytorch_model(net, (8,), granularity="name")
    assert len(cfg["LayerName"]) >= 3


def test_pytorch_input_shape_excludes_the_batch():
    # hls4ml >= 1.0: input_shape is one sample's shape; (1, 8, 8) is one channel of 8x8.
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(72, 3))
    x = np.random.default_rng(2).uniform(-1, 1, size=(20, 1, 8, 8)).astype(np.float32)
    with torch.no_grad():
        ref = net(torch.from_numpy(x)).numpy()
    m = tachyon.convert_from_pytorch_model(net, (1, 8, 8), hls_config={"Model": {"Precision": "ap_fixed<32,12>"}})
    y = m.predict(x)
    assert y.shape == (20, 3)
    assert np.max(np.abs(y - ref)) < 1e-3
    with pytest.raises(ValueError, match="only a leading None"):
        tachyon.convert_from_pytorch_model(net, (1, None, 8))


def test_errors_are_python_exceptions(tmp_path):
    with pytest.raises(tachyon.TachyonError, match="no_such_model.onnx"):
        tachyon.convert_from_onnx_model(str(tmp_path / "no_such_model.onnx")).compile()
    bad = {"Model": {"Precision": "ap_fixed<16,6,AP_FOO>"}}
    with pytest.raises(tachyon.TachyonError, match="AP_FOO"):
        tachyon.convert_from_onnx_model(model("jet_mlp"), hls_config=bad).compile()
    with pytest.raises(tachyon.TachyonError, match="did you mean"):
        tachyon.convert_from_onnx_model(model("jet_mlp"),
                                        hls_config={"LayerName": {"layer0_Gem": {"ReuseFactor": 2}}}).compile()
    m = tachyon.convert_from_onnx_model(model("jet_mlp"))
    with pytest.raises(tachyon.TachyonError, match="16"):
        m.predict(np.zeros((4, 15)))


def test_write_is_all_or_nothing(tmp_path):
    out = tmp_path / "prj"
    m = tachyon.convert_from_onnx_model(model("jet_mlp"), output_dir=str(out), backend="vitis")
    m.write()
    assert (out / "tachyon_project.json").exists()
    with pytest.raises(tachyon.TachyonError, match="force"):
        m.write()
    m.write(force=True)


def test_write_then_simulate_equals_predict(tmp_path):
    """The HLS project's C simulation (g++) reproduces predict() bit for bit."""
    import shutil
    if shutil.which("g++") is None:
        pytest.skip("g++ not available")
    x, _ = data("jet_mlp")
    m = tachyon.convert_from_onnx_model(model("jet_mlp"), output_dir=str(tmp_path / "prj"), backend="vitis",
                                        project_name="jet")
    m.write()
    sim = m.simulate(x[:200])
    emu = m.predict(x[:200])
    assert sim.shape == emu.shape == (200, 5)
    assert np.array_equal(sim, emu), f"{np.sum(sim != emu)} values differ"


def test_build_without_vendor_tool_is_a_clear_error(tmp_path):
    """`build` on an HLS project runs vitis_hls (or vivado_hls); without either the C++ side
    raises TachyonError naming the tool and the alternatives (simulate, --backend verilog)."""
    import shutil
    if shutil.which("vitis_hls") or shutil.which("vivado_hls"):
        pytest.skip("a vendor HLS tool is installed")
    m = tachyon.convert_from_onnx_model(model("jet_mlp"), output_dir=str(tmp_path / "prj"), backend="vitis")
    m.write()
    with pytest.raises(tachyon.TachyonError, match=r"vitis_hls not found on PATH .*tachyon simulate"):
        m.build()
