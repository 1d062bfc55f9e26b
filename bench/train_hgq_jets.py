#!/usr/bin/env python3
"""Heterogeneous-precision training of a jet tagger (16-64-32-32-5) and its export as an HGQ
proxy model (Keras 2 .h5 with FixedPointQuantizer layers).

    train_hgq_jets.py JETS_NPZ OUT_DIR [--beta 5e-5] [--epochs 400] [--seed 0]

A stand-in for a tagger trained with HGQ: every weight, every bias and every activation
element (each input feature, each neuron's output) has its own fractional bit count f, a float
trained with the rest and rounded in the forward pass. Values are quantized as
round(v * 2^f) / 2^f (inputs, weights, biases) or floor(v * 2^f) / 2^f (neuron outputs, the
TRN mode of the exported quantizers) with a straight-through gradient for v. The gradient for
f comes from a surrogate of the quantization error e = q(v) - v: its size scales like 2^-f, so
de/df = -ln 2 * e. Integer bits are not trained: they come from the range of the quantized
values on the training jets, so that nothing overflows there. A weight that rounds to 0 is
pruned (0 bits).

The loss is cross entropy + beta * EBOPs, EBOPs being a differentiable resource estimate: the
sum over every multiplication of (weight magnitude bits) x (bits of the activation it
multiplies), plus the bits of each bias. Larger beta, fewer bits and more pruned weights.
Beta ramps up linearly over the first half of the epochs.

Data: JETS_NPZ is a jets_hlf file (keys X_standardized, y); the first 800 jets train, the
last 200 test (the same split as bench/train_qat_jets.py; 1000 jets: +-3 points).

Output, in OUT_DIR:
  hgq_jets.h5          the proxy model: InputLayer -> FixedPointQuantizer (RND, WRAP) ->
                       [Dense -> FixedPointQuantizer (TRN, WRAP) -> Activation(relu) ->
                       FixedPointQuantizer (TRN, WRAP)] x 3 -> Dense -> FixedPointQuantizer
                       (TRN, WRAP); per-element keep_negative / bits / integers (int8, with the
                       batch axis), kernels and biases stored as their quantized values.
  hgq_jets.inputs.npy  the 1000 standardized jets (float32, (1000, 16)).
  hgq_jets.ref.npy     the proxy model's output on them, computed here in numpy with exact
                       fixed-point arithmetic: what the firmware must produce bit for bit.
"""
import argparse
import json
import math
import os

import h5py
import numpy as np
import torch

SIZES = [16, 64, 32, 32, 5]
LN2 = math.log(2.0)
F_MIN, F_MAX = -8.0, 12.0  # range of every trained fractional bit count


def ste(v, q):
    """The value q with the gradient of v."""
    return v + (q - v).detach()


def quantize(v, f, mode):
    """v quantized to f (float, trainable) fractional bits: mode 'RND' rounds, 'TRN' floors.
    Gradient: 1 for v; -ln2 * (q - v) for f (the error's surrogate, scaling like 2^-f)."""
    fi = torch.round(f).detach()
    s = torch.exp2(fi)
    q = (torch.floor(v.detach() * s + 0.5) if mode == "RND" else torch.floor(v.detach() * s)) / s
    e = q - v.detach()
    return v + e * torch.exp2(-(f - f.detach()))


def mag_bits(q, f):
    """Magnitude bits of values q with f (integer-valued) fractional bits, per element:
    bits of |q| * 2^f as an integer, 0 for q = 0."""
    m = torch.abs(q) * torch.exp2(f)
    return torch.where(m > 0, torch.floor(torch.log2(torch.clamp(m, min=1.0))) + 1, torch.zeros_like(m))


def surrogate_bits(bits, f):
    """bits (detached) with a gradient of 1 for f (HGQ's EBOPs surrogate); 0 stays 0."""
    return torch.where(bits > 0, bits + (f - f.detach()), bits)


class HgqNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.ModuleList(torch.nn.Linear(i, o) for i, o in zip(SIZES[:-1], SIZES[1:]))
        self.fw = torch.nn.ParameterList(torch.nn.Parameter(torch.full((o, i), 6.0)) for i, o in zip(SIZES[:-1], SIZES[1:]))
        self.fb = torch.nn.ParameterList(torch.nn.Parameter(torch.full((o,), 6.0)) for o in SIZES[1:])
        # Activation f: the input features, then each layer's outputs (after the ReLU for the
        # hidden layers; the pre-activation quantizer uses the same f).
        self.fa = torch.nn.ParameterList(torch.nn.Parameter(torch.full((n,), 6.0)) for n in SIZES)

    def clamp_bits(self):
        with torch.no_grad():
            for p in list(self.fw) + list(self.fb) + list(self.fa):
                p.clamp_(F_MIN, F_MAX)

    def qparams(self, k):
        f = self.fc[k]
        return quantize(f.weight, self.fw[k], "RND"), quantize(f.bias, self.fb[k], "RND")

    def forward(self, x):
        """Logits and the EBOPs estimate (differentiable in every f)."""
        h = quantize(x, self.fa[0], "RND")
        fa = torch.round(self.fa[0]).detach()
        ebops = 0.0
        for k in range(len(self.fc)):
            # Bits of each input element: sign (if any negative in the batch) + magnitude.
            sign = (h.detach() < 0).any(0).float()
            abits = surrogate_bits(mag_bits(h.detach().abs().max(0).values, fa), self.fa[k]) + sign
            w, b = self.qparams(k)
            wbits = surrogate_bits(mag_bits(w.detach(), torch.round(self.fw[k]).detach()), self.fw[k])
            bbits = surrogate_bits(mag_bits(b.detach(), torch.round(self.fb[k]).detach()), self.fb[k])
            ebops = ebops + (wbits * abits[None, :]).sum() + bbits.sum()
            h = h @ w.t() + b
            if k < len(self.fc) - 1:
                h = torch.relu(h)
            h = quantize(h, self.fa[k + 1], "TRN")
            fa = torch.round(self.fa[k + 1]).detach()
        return h, ebops


def train(X, y, beta=5e-5, epochs=400, seed=0, log=print):
    """Trains on X[:800], y[:800]; returns the network."""
    torch.manual_seed(seed)
    xtr, ytr = torch.tensor(X[:800]), torch.tensor(y[:800])
    net = HgqNet()
    bits = list(net.fw) + list(net.fb) + list(net.fa)
    opt = torch.optim.Adam([{"params": list(net.fc.parameters()), "lr": 3e-3},
                            {"params": bits, "lr": 2e-2}])
    for ep in range(epochs):
        b = beta * min(1.0, ep / max(1, epochs // 2))
        perm = torch.randperm(800)
        for i in range(0, 800, 100):
            idx = perm[i:i + 100]
            logits, ebops = net(xtr[idx])
            loss = torch.nn.functional.cross_entropy(logits, ytr[idx]) + b * ebops
            opt.zero_grad()
            loss.backward()
            opt.step()
            net.clamp_bits()
        if log and (ep + 1) % max(1, epochs // 5) == 0:
            with torch.no_grad():
                logits, ebops = net(xtr)
                acc = float((logits.argmax(1) == ytr).float().mean())
            log(f"  epoch {ep + 1}: train accuracy {acc:.3f}, EBOPs {float(ebops):.0f}")
    return net


# ---- exact fixed-point export ------------------------------------------------------------

def fixed(x, k, B, I, rnd):
    """ap_fixed<B, I> (ap_ufixed where k = 0) per element, rounding RND or TRN, WRAP; B = 0
    gives 0. x, k, B, I broadcast; float64 is exact for these widths."""
    f = (B - I).astype(np.float64)
    s = np.exp2(f)
    v = np.floor(x * s + 0.5) if rnd == "RND" else np.floor(x * s)
    lo = np.where(k != 0, -np.exp2(B - 1.0), 0.0)
    v = np.mod(v - lo, np.exp2(B.astype(np.float64))) + lo
    return np.where(B == 0, 0.0, v / s)


def fit_type(v, f):
    """Per column of v (already on the grid of f fractional bits): the smallest (k, B, I) that
    holds every value. Returns int arrays."""
    lo, hi = v.min(0), v.max(0)
    k = (lo < 0).astype(np.int64)
    ulp = np.exp2(-f.astype(np.float64))
    # magnitude integer bits m: -2^m <= lo (signed) and hi <= 2^m - ulp
    m_hi = np.where(hi > 0, np.ceil(np.log2(np.maximum(hi + ulp, 1e-300))), -np.inf)
    m_lo = np.where(lo < 0, np.ceil(np.log2(np.maximum(-lo, 1e-300))), -np.inf)
    m = np.maximum(m_hi, m_lo)
    B = np.where(np.isfinite(m), k + m + f, 0).astype(np.int64)
    I = np.where(B > 0, k + m, 0).astype(np.int64)
    k = np.where(B > 0, k, 0)
    return k, np.maximum(B, 0), I


def export(net, X):
    """Quantized parameters, per-element quantizer types (k, B, I) fitted on X[:800], and the
    exact fixed-point outputs for all of X. Returns (layers, ref) where layers is a list of
    dicts (kernel (in, out), bias, quantizers) in model order."""
    def fint(p):
        return np.round(p.detach().numpy().astype(np.float64))

    def q(v, f):
        return np.floor(v * np.exp2(f) + 0.5) / np.exp2(f)

    x = X.astype(np.float64)
    f_in = fint(net.fa[0])
    h = q(x, f_in)
    kin = fit_type(h[:800], f_in)
    h = fixed(x, *kin, "RND")
    out = {"input": kin, "dense": []}
    for k, fc in enumerate(net.fc):
        W = q(fc.weight.detach().numpy().astype(np.float64), fint(net.fw[k])).T
        b = q(fc.bias.detach().numpy().astype(np.float64), fint(net.fb[k]))
        acc = h @ W + b
        f = fint(net.fa[k + 1])
        pre = np.floor(acc * np.exp2(f)) / np.exp2(f)
        t_pre = fit_type(pre[:800], f)
        h = fixed(acc, *t_pre, "TRN")
        d = {"kernel": W, "bias": b, "pre": t_pre, "wf": fint(net.fw[k]).T, "bf": fint(net.fb[k])}
        if k < len(net.fc) - 1:
            h = np.maximum(h, 0)
            t_post = fit_type(h[:800], f)
            h = fixed(h, *t_post, "TRN")
            d["post"] = t_post
        out["dense"].append(d)
    return out, h


def type_name(k, B, I, modes=""):
    """The covering fixed type of per-element (k, B, I), in the proxy overrides' notation."""
    live = B > 0
    if not live.any():
        return "fixed<0,0>"
    sign = bool((k[live] != 0).any())
    # In a signed covering type an unsigned element needs one more integer bit (the sign).
    i = int((I + (1 - k) * int(sign))[live].max())
    f = int((B - I)[live].max())
    return f"{'fixed' if sign else 'ufixed'}<{i + f},{i}{modes}>"


def value_type(v):
    """Covering fixed type of a set of dyadic values (weights, biases)."""
    v = np.asarray(v, np.float64).ravel()
    nz = v[v != 0]
    if nz.size == 0:
        return "fixed<0,0>"
    f = 0
    while np.any(np.floor(nz * 2.0 ** f) != nz * 2.0 ** f):
        f += 1
    while f > -30 and np.all(np.floor(nz * 2.0 ** (f - 1)) == nz * 2.0 ** (f - 1)):
        f -= 1
    i = int(np.ceil(np.log2(max(np.max(np.abs(nz)) + 2.0 ** -f, 1e-300)))) + 1
    return f"fixed<{i + f},{i}>"


def ebops_of(layers, inputs_t):
    """EBOPs of the exported model: sum over nonzero weights of weight magnitude bits x input
    element bits, plus the bias bits."""
    total = 0
    t_in = inputs_t
    for d in layers["dense"]:
        W, wf = d["kernel"], d["wf"]
        wb = np.where(W != 0, np.floor(np.log2(np.maximum(np.abs(W) * np.exp2(wf), 1))) + 1, 0)
        total += float((wb * t_in[1][:, None]).sum())
        bb = np.where(d["bias"] != 0, np.floor(np.log2(np.maximum(np.abs(d["bias"]) * np.exp2(d["bf"]), 1))) + 1, 0)
        total += float(bb.sum())
        t_in = d.get("post", d["pre"])
    return total


def write_proxy_h5(path, layers):
    """The HGQ proxy model in the Keras 2 (2.13) .h5 layout."""
    cfg_layers, weights, names = [], {}, []

    def add(name, cls, inbound, config, w=None):
        c = {"class_name": cls, "config": dict({"name": name, "trainable": cls != "FixedPointQuantizer",
                                                "dtype": "float32"}, **config),
             "name": name, "inbound_nodes": [[[inbound, 0, 0, {}]]] if inbound else []}
        cfg_layers.append(c)
        names.append(name)
        weights[name] = w or []
        return name

    def fpq(name, inbound, t, rnd, overrides):
        k, B, I = (np.asarray(a, np.int8)[None, :] for a in t)
        overrides[name] = {"result_t": type_name(*t, f",{rnd},WRAP")}
        return add(name, "FixedPointQuantizer", inbound,
                   {"RND": rnd, "SAT": "WRAP", "shape": [1, len(t[0])], "overrides": {"layers": overrides},
                    "fusible": True},
                   [("keep_negative:0", k), ("bits:0", B), ("integers:0", I)])

    inp = add("input_1", "InputLayer", None, {"batch_input_shape": [None, SIZES[0]], "sparse": False,
                                               "ragged": False})
    cfg_layers[0]["config"].pop("trainable")
    prev = fpq("h_quantize_quantizer", inp, layers["input"], "RND",
               {"input_1": {"result_t": type_name(*layers["input"], ",RND,WRAP")}})
    for k, d in enumerate(layers["dense"]):
        dn = "h_dense" if k == 0 else f"h_dense_{k}"
        add(dn, "Dense", prev, {"units": int(d["kernel"].shape[1]), "activation": "linear", "use_bias": True,
                                "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform",
                                                       "config": {"seed": None}, "registered_name": None},
                                "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros",
                                                     "config": {}, "registered_name": None},
                                "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
                                "kernel_constraint": None, "bias_constraint": None},
            [(f"{dn}/kernel:0", d["kernel"].astype(np.float32)), (f"{dn}/bias:0", d["bias"].astype(np.float32))])
        rt = type_name(*d["pre"], ",TRN,WRAP")
        prev = fpq(dn + "_quantizer", dn, d["pre"], "TRN",
                   {dn: {"_accum_multiplicity": float(d["kernel"].shape[0]), "weight_t": value_type(d["kernel"]),
                         "bias_t": value_type(d["bias"]), "result_t": rt}})
        if "post" in d:
            an = dn + "_relu"
            add(an, "Activation", prev, {"activation": "relu"})
            prev = fpq(an + "_quantizer", an, d["post"], "TRN",
                       {an: {"result_t": type_name(*d["post"], ",TRN,WRAP")}})
    model_config = {"class_name": "Functional",
                    "config": {"name": "model", "trainable": True, "layers": cfg_layers,
                               "input_layers": [[inp, 0, 0]], "output_layers": [[prev, 0, 0]]}}
    with h5py.File(path, "w") as f:
        f.attrs["backend"] = "tensorflow"
        f.attrs["keras_version"] = "2.13.1"
        f.attrs["model_config"] = json.dumps(model_config)
        g = f.create_group("model_weights")
        g.attrs["backend"] = "tensorflow"
        g.attrs["keras_version"] = "2.13.1"
        g.attrs["layer_names"] = np.array([n.encode() for n in names])
        for n in names:
            lg = g.create_group(n)
            lg.attrs["weight_names"] = np.array([w[0].encode() for w in weights[n]])
            for wn, arr in weights[n]:
                lg.create_dataset(wn, data=arr)
        g.create_group("top_level_model_weights").attrs["weight_names"] = np.array([], dtype=np.float64)


def summary(layers, y_ref, y):
    """Figures of the exported model: fixed-point accuracy, pruned fraction, mean bits, EBOPs."""
    W = np.concatenate([d["kernel"].ravel() for d in layers["dense"]])
    wf = np.concatenate([d["wf"].ravel() for d in layers["dense"]])
    wb = np.where(W != 0, np.floor(np.log2(np.maximum(np.abs(W) * np.exp2(wf), 1))) + 1, 0)
    acts = [layers["input"]] + [d.get("post", d["pre"]) for d in layers["dense"]]
    ab = np.concatenate([t[1] for t in acts])
    pred = y_ref.argmax(1)
    return {"train_acc": float((pred[:800] == y[:800]).mean()), "test_acc": float((pred[800:] == y[800:]).mean()),
            "pruned": float((W == 0).mean()), "weight_bits_mean": float(wb[W != 0].mean()) if (W != 0).any() else 0.0,
            "weight_bits_hist": np.bincount(wb.astype(np.int64)).tolist(),
            "act_bits_mean": float(ab[ab > 0].mean()) if (ab > 0).any() else 0.0,
            "act_pruned": int((ab == 0).sum()), "act_bits_max": int(ab.max()),
            "ebops": ebops_of(layers, layers["input"])}


def run(npz, out, beta=5e-5, epochs=400, seed=0, log=print):
    """Trains, exports OUT/hgq_jets.{h5,inputs.npy,ref.npy}; returns the summary figures."""
    d = np.load(npz)
    X = d["X_standardized"].astype(np.float32)
    y = d["y"].astype(np.int64)
    net = train(X, y, beta, epochs, seed, log)
    layers, ref = export(net, X)
    os.makedirs(out, exist_ok=True)
    write_proxy_h5(os.path.join(out, "hgq_jets.h5"), layers)
    np.save(os.path.join(out, "hgq_jets.inputs.npy"), X)
    np.save(os.path.join(out, "hgq_jets.ref.npy"), ref)
    return summary(layers, ref, y)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("npz")
    p.add_argument("out")
    p.add_argument("--beta", type=float, default=5e-5)
    p.add_argument("--epochs", type=int, default=400)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    s = run(a.npz, a.out, a.beta, a.epochs, a.seed)
    print(f"HGQ-style jet tagger {SIZES}, beta {a.beta:g}: fixed-point accuracy train {s['train_acc']:.3f} "
          f"(800 jets), test {s['test_acc']:.3f} (200 jets)")
    print(f"  weights: {100 * s['pruned']:.1f} % pruned, mean {s['weight_bits_mean']:.2f} magnitude bits "
          f"over the rest; histogram of bits (0, 1, ...): {s['weight_bits_hist']}")
    print(f"  activations: mean {s['act_bits_mean']:.2f} bits, max {s['act_bits_max']}, {s['act_pruned']} pruned "
          f"elements; EBOPs {s['ebops']:.0f}")


if __name__ == "__main__":
    main()
