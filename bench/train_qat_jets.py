#!/usr/bin/env python3
"""Quantization-aware training of a small jet tagger (16-64-32-32-5) and its QONNX export.

    train_qat_jets.py JETS_NPZ OUT_DIR [--wbits 4] [--abits 6] [--epochs 100] [--seed 0]

JETS_NPZ is a jets_hlf file (keys X_standardized, y). The first 800 jets train, the last 200
test (1000 jets only: the accuracy is a rough figure, +-3 points). Weights are quantized per
tensor to WBITS signed narrow-range integers, hidden activations to ABITS unsigned
integers after the ReLU, the input to 8 signed bits; every scale is a power of two (straight-
through rounding in the forward pass). The exported model (OUT_DIR/qat_jets.onnx) uses
QONNX Quant nodes exactly like the zoo's qonnx_mlp models, so it imports as fixed-point
types with no loss; OUT_DIR/qat_jets.inputs.npy holds the 1000 standardized jets.
"""
import argparse
import math
import os

import numpy as np
import onnx
from onnx import TensorProto, helper
import torch

p = argparse.ArgumentParser()
p.add_argument("npz")
p.add_argument("out")
p.add_argument("--wbits", type=int, default=4)
p.add_argument("--abits", type=int, default=6)
p.add_argument("--epochs", type=int, default=100)
p.add_argument("--seed", type=int, default=0)
a = p.parse_args()
torch.manual_seed(a.seed)
d = np.load(a.npz)
X = d["X_standardized"].astype(np.float32)
y = d["y"].astype(np.int64)
xtr, ytr, xte, yte = map(torch.tensor, (X[:800], y[:800], X[800:], y[800:]))
SIZES = [16, 64, 32, 32, 5]
IN_BITS, IN_SCALE = 8, 2.0 ** -4  # [-8, 8) in steps of 1/16
A_SCALE = 2.0 ** -3               # hidden activations: [0, 2^abits / 8)


def ste_round(v):
    return v + (torch.round(v) - v).detach()


def quant(v, scale, lo, hi):
    return torch.clamp(ste_round(v / scale), lo, hi) * scale


def po2_scale(w, bits):
    m = float(w.abs().max().detach()) or 1.0
    return 2.0 ** math.ceil(math.log2(m / (2 ** (bits - 1) - 1)))


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.ModuleList(torch.nn.Linear(i, o) for i, o in zip(SIZES[:-1], SIZES[1:]))

    def forward(self, x):
        qmax_w = 2 ** (a.wbits - 1) - 1
        h = quant(x, IN_SCALE, -(2 ** (IN_BITS - 1)), 2 ** (IN_BITS - 1) - 1)
        s_in = IN_SCALE
        for k, f in enumerate(self.fc):
            sw = po2_scale(f.weight, a.wbits)
            w = quant(f.weight, sw, -qmax_w, qmax_w)
            b = quant(f.bias, sw * s_in, -(2 ** 15), 2 ** 15 - 1)
            h = h @ w.t() + b
            if k < len(self.fc) - 1:
                h = quant(torch.relu(h), A_SCALE, 0, 2 ** a.abits - 1)
                s_in = A_SCALE
        return h


net = Net()
opt = torch.optim.Adam(net.parameters(), lr=3e-3)
for ep in range(a.epochs):
    net.train()
    perm = torch.randperm(800)
    for i in range(0, 800, 100):
        idx = perm[i:i + 100]
        loss = torch.nn.functional.cross_entropy(net(xtr[idx]), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
net.eval()
with torch.no_grad():
    acc_tr = float((net(xtr).argmax(1) == ytr).float().mean())
    acc_te = float((net(xte).argmax(1) == yte).float().mean())
print(f"QAT jet tagger {SIZES}, weights {a.wbits} bits, activations {a.abits} bits: "
      f"train accuracy {acc_tr:.3f} (800 jets), test accuracy {acc_te:.3f} (200 jets)")

# QONNX export: Quant(x, scale, zero_point, bitwidth) nodes, MatMul + Add, Relu.
nodes, inits = [], []


def const(name, arr):
    inits.append(helper.make_tensor(name, TensorProto.FLOAT, list(np.shape(arr)), np.asarray(arr, np.float32).ravel().tolist()))
    return name


def quant_node(src, dst, scale, bits, signed, narrow):
    nodes.append(helper.make_node("Quant", [src, const(dst + "_s", scale), "z0", const(dst + "_b", float(bits))], [dst],
                                  domain="qonnx.custom_op.general", signed=int(signed), narrow=int(narrow),
                                  rounding_mode="ROUND"))


const("z0", 0.0)
quant_node("input", "qin", IN_SCALE, IN_BITS, True, False)
h, s_in = "qin", IN_SCALE
with torch.no_grad():
    for k, f in enumerate(net.fc):
        sw = po2_scale(f.weight, a.wbits)
        quant_node(const(f"W{k}", f.weight.t().numpy()), f"qw{k}", sw, a.wbits, True, True)
        nodes.append(helper.make_node("MatMul", [h, f"qw{k}"], [f"mm{k}"]))
        quant_node(const(f"B{k}", f.bias.numpy()), f"qb{k}", sw * s_in, 16, True, False)
        nodes.append(helper.make_node("Add", [f"mm{k}", f"qb{k}"], [f"add{k}"]))
        if k < len(net.fc) - 1:
            nodes.append(helper.make_node("Relu", [f"add{k}"], [f"relu{k}"]))
            quant_node(f"relu{k}", f"qa{k}", A_SCALE, a.abits, False, False)
            h, s_in = f"qa{k}", A_SCALE
        else:
            nodes.append(helper.make_node("Identity", [f"add{k}"], ["output"]))
graph = helper.make_graph(nodes, "qat_jets", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [None, 16])],
                          [helper.make_tensor_value_info("output", TensorProto.FLOAT, [None, 5])], inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid("qonnx.custom_op.general", 1)])
os.makedirs(a.out, exist_ok=True)
onnx.save(model, os.path.join(a.out, "qat_jets.onnx"))
np.save(os.path.join(a.out, "qat_jets.inputs.npy"), X)
np.save(os.path.join(a.out, "qat_jets.labels.npy"), y)
print(f"wrote {a.out}/qat_jets.onnx")
