#!/usr/bin/python3
"""Emulator speed on segmentation-sized images: a channels-first ONNX model Resize (nearest,
x2) -> Conv 3x3 (3 -> 8 channels) -> Relu on 128x128x3 inputs (256x256x3 after the Resize),
emulated at the default configuration, and the same through PyTorch float32 for reference.

    PYTHONPATH=build/python /usr/bin/python3 bench/onnx_resize_conv.py [--images 4] [--threads 0]

Figures are for information (they depend on the machine and its load); nothing is asserted.
"""
import argparse
import os
import tempfile
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import tachyon


def build(path, rng):
    w = rng.normal(0, 0.3, (8, 3, 3, 3)).astype(np.float32)
    b = rng.normal(0, 0.1, 8).astype(np.float32)
    nodes = [helper.make_node("Resize", ["x", "", "sc"], ["u"], mode="nearest"),
             helper.make_node("Conv", ["u", "w", "b"], ["c"], pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c"], ["y"])]
    g = helper.make_graph(nodes, "resize_conv", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, 128, 128])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                          [numpy_helper.from_array(np.array([1, 1, 2, 2], np.float32), "sc"),
                           numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)
    return w, b


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--images", type=int, default=4)
    ap.add_argument("--threads", type=int, default=0)
    a = ap.parse_args()
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (a.images, 3, 128, 128))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "resize_conv.onnx")
        w, b = build(path, rng)
        m = tachyon.convert_from_onnx_model(path).compile()
        m.predict(x[:1], threads=a.threads)  # warm-up (tables, buffers)
        t0 = time.perf_counter()
        y = m.predict(x, threads=a.threads)
        dt = time.perf_counter() - t0
    print(f"tachyon emulator: {a.images} images 128x128x3 -> 256x256x8 in {dt:.3f} s "
          f"({dt / a.images * 1e3:.1f} ms/image, threads={a.threads or 'all'})")
    try:
        import torch
        F = torch.nn.functional
        X = torch.from_numpy(x.astype(np.float32))
        t0 = time.perf_counter()
        ref = F.relu(F.conv2d(F.interpolate(X, scale_factor=2, mode="nearest"), torch.from_numpy(w),
                              torch.from_numpy(b), padding=1)).numpy()
        dt = time.perf_counter() - t0
        print(f"torch float32:    {dt:.3f} s; max |tachyon - torch| = {np.max(np.abs(y - ref)):.4g} "
              "(default ap_fixed<16,6>)")
    except ImportError:
        pass


if __name__ == "__main__":
    main()
