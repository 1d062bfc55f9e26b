"""A heterogeneous-precision jet tagger trained by bench/train_hgq_jets.py (few epochs) and
written as an HGQ proxy model: the emulator and the Verilog RTL simulation must equal the
script's own numpy fixed-point evaluation bit for bit."""
import importlib.util
import os
import shutil

import h5py
import numpy as np
import pytest

import tachyon
from conftest import ROOT

pytest.importorskip("torch")


def load_script():
    spec = importlib.util.spec_from_file_location("train_hgq_jets", os.path.join(ROOT, "bench", "train_hgq_jets.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_fixed_reference_by_hand():
    """The script's reference quantizer on hand-computed cases."""
    mod = load_script()
    k, B, I = np.array([1, 0, 1, 0]), np.array([4, 3, 0, 2]), np.array([2, 1, 0, -1])
    x = np.array([1.3, 1.9, 5.0, 0.2])
    # ap_fixed<4,2> RND: 1.3 * 4 = 5.2 -> 5 -> 1.25; ap_ufixed<3,1>: 1.9 * 4 = 7.6 -> 8 wraps to 0;
    # pruned -> 0; ap_ufixed<2,-1> (steps of 1/8, below 1/2): 0.2 * 8 = 1.6 -> 2 -> 0.25.
    assert np.array_equal(mod.fixed(x, k, B, I, "RND"), [1.25, 0.0, 0.0, 0.25])
    # TRN: 5 -> 1.25; 7 -> 1.75; 0; 1 -> 0.125.
    assert np.array_equal(mod.fixed(x, k, B, I, "TRN"), [1.25, 1.75, 0.0, 0.125])
    # The fitted type holds the values: -1.5 and 0.75 on a grid of 1/4 need sign + 1 + 2 bits.
    kf, Bf, If = mod.fit_type(np.array([[-1.5, 0.0], [0.75, 0.0]]), np.array([2.0, 3.0]))
    assert (kf.tolist(), Bf.tolist(), If.tolist()) == ([1, 0], [4, 0], [2, 0])


def test_hgq_jets_bit_exact(tmp_path):
    mod = load_script()
    npz = os.path.join(ROOT, "tests", "data", "jets_hlf", "jsc_openml_test1000.npz")
    s = mod.run(npz, str(tmp_path), beta=1e-4, epochs=30, seed=1, log=None)
    assert s["pruned"] > 0.1 and s["ebops"] > 0
    h5 = str(tmp_path / "hgq_jets.h5")
    with h5py.File(h5) as f:
        bits = f["model_weights/h_dense_relu_quantizer/bits:0"][()]
        assert bits.shape == (1, 64) and len(np.unique(bits)) > 1  # heterogeneous: ElementQuant
        assert len(np.unique(f["model_weights/h_quantize_quantizer/bits:0"][()])) > 1
    x = np.load(str(tmp_path / "hgq_jets.inputs.npy"))
    ref = np.load(str(tmp_path / "hgq_jets.ref.npy"))
    m = tachyon.convert_from_keras_model(h5, output_dir=str(tmp_path / "rtl"), backend="verilog", clock_period=5)
    y = m.predict(x)
    assert np.array_equal(y, ref), f"{np.sum(y != ref)} values differ"
    if shutil.which("verilator") or shutil.which("iverilog"):
        m.write()
        assert np.array_equal(m.simulate(x[:200]), ref[:200])
