"""Writes Keras model files with h5py (no TensorFlow) in the three layouts Tachyon reads, and
evaluates the same models independently in float64 numpy (the test reference).

A model is a list of layers: dict(name, cls, cfg, inputs=[names], weights=[(short name, array)]).
"""
import json
import re
import zipfile

import h5py
import numpy as np


def _k2_layer(l):
    return {"class_name": l["cls"], "name": l["name"], "config": dict(l["cfg"], name=l["name"]),
            "inbound_nodes": [[[i, 0, 0, {}] for i in l["inputs"]]] if l["inputs"] else []}


def k2_config(layers, outputs):
    inputs = [l["name"] for l in layers if l["cls"] == "InputLayer"]
    return {"class_name": "Functional", "keras_version": "2.13.1", "backend": "tensorflow",
            "config": {"name": "m", "layers": [_k2_layer(l) for l in layers],
                       "input_layers": [[n, 0, 0] for n in inputs],
                       "output_layers": [[n, 0, 0] for n in outputs]}}


def _write_k2_weights(group, layers):
    group.attrs["layer_names"] = np.array([l["name"].encode() for l in layers])
    for l in layers:
        g = group.create_group(l["name"])
        names = [f"{l['name']}/{w}:0" for w, _ in l.get("weights", [])]
        g.attrs["weight_names"] = np.array([n.encode() for n in names]) if names else np.zeros((0,))
        for n, (_, a) in zip(names, l.get("weights", [])):
            g.create_dataset(n, data=np.asarray(a, np.float32))


def write_k2_h5(path, layers, outputs):
    with h5py.File(path, "w") as f:
        f.attrs["model_config"] = json.dumps(k2_config(layers, outputs))
        f.attrs["keras_version"] = "2.13.1"
        _write_k2_weights(f.create_group("model_weights"), layers)


def write_json_weights(json_path, weights_path, layers, outputs):
    with open(json_path, "w") as f:
        json.dump(k2_config(layers, outputs), f)
    with h5py.File(weights_path, "w") as f:
        _write_k2_weights(f, layers)


def snake(cls):
    s = re.sub(r"\W+", "", cls)
    s = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", s)
    return re.sub("([a-z])([A-Z])", r"\1_\2", s).lower()


def write_keras3(path, layers, outputs, sequential=False):
    """Keras 3 archive: config.json with __keras_tensor__ call arguments (or a Sequential layer
    list for a chain); weights by object path."""
    k3 = []
    for l in layers:
        cfg = dict(l["cfg"], name=l["name"])
        if l["cls"] == "InputLayer":
            cfg = {"name": l["name"], "batch_shape": l["cfg"]["batch_input_shape"], "dtype": "float32"}
        tensors = [{"class_name": "__keras_tensor__", "config": {"shape": None, "dtype": "float32",
                                                                "keras_history": [i, 0, 0]}} for i in l["inputs"]]
        args = [tensors] if l["cls"] in ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum",
                                         "Concatenate") else tensors
        k3.append({"module": "keras.layers", "class_name": l["cls"], "config": cfg, "registered_name": None,
                   "name": l["name"], "inbound_nodes": [{"args": args, "kwargs": {}}] if l["inputs"] else []})
    inputs = [l["name"] for l in layers if l["cls"] == "InputLayer"]
    top = {"module": "keras.src.models.functional", "class_name": "Functional", "registered_name": "Functional",
           "config": {"name": "m", "layers": k3, "input_layers": [[n, 0, 0] for n in inputs],
                      "output_layers": [[n, 0, 0] for n in outputs]}}
    if sequential:
        seq = [{k: v for k, v in l.items() if k not in ("name", "inbound_nodes")} for l in k3]
        top = {"module": "keras", "class_name": "Sequential", "registered_name": None,
               "config": {"name": "seq", "layers": seq}}
    h5path = str(path) + ".weights.h5"
    used = {}
    with h5py.File(h5path, "w") as f:
        for l in layers:
            name = snake(l["cls"])
            if name in used:
                used[name] += 1
                name = f"{name}_{used[name]}"
            else:
                used[name] = 0
            g = f.create_group(f"layers/{name}/vars")
            for i, (_, a) in enumerate(l.get("weights", [])):
                g.create_dataset(str(i), data=np.asarray(a, np.float32))
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("metadata.json", json.dumps({"keras_version": "3.3.3"}))
        z.writestr("config.json", json.dumps(top))
        z.write(h5path, "model.weights.h5")


# ---- numpy reference ----
def _pad_same(n, k, s):
    o = -(-n // s)
    total = max((o - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def _windows(x, k, s, padding, value=0.0, d=None):
    """x (N, *spatial, C) -> patches (N, *out, *k, C); d: dilation per axis (default 1)."""
    sp = x.shape[1:-1]
    d = d or [1] * len(k)
    span = [dd * (kk - 1) + 1 for kk, dd in zip(k, d)]
    pads = [(0, 0)] + [(_pad_same(n, e, ss) if padding == "same" else (0, 0)) for n, e, ss in zip(sp, span, s)] + [(0, 0)]
    xp = np.pad(x, pads, constant_values=value)
    out = [(xp.shape[1 + i] - span[i]) // s[i] + 1 for i in range(len(k))]
    if len(k) == 1:
        return np.stack([xp[:, o * s[0]:o * s[0] + span[0]:d[0]] for o in range(out[0])], 1)
    rows = []
    for a in range(out[0]):
        rows.append(np.stack([xp[:, a * s[0]:a * s[0] + span[0]:d[0], b * s[1]:b * s[1] + span[1]:d[1]]
                              for b in range(out[1])], 1))
    return np.stack(rows, 1)


def _act(x, name):
    return {"linear": lambda v: v, "relu": lambda v: np.maximum(v, 0), "tanh": np.tanh,
            "sigmoid": lambda v: 1 / (1 + np.exp(-v)),
            "softmax": lambda v: np.exp(v - v.max(-1, keepdims=True)) / np.exp(v - v.max(-1, keepdims=True)).sum(-1, keepdims=True),
            "elu": lambda v: np.where(v > 0, v, np.exp(v) - 1)}[name](x)


def evaluate(layers, outputs, inputs):
    """float64 forward pass; inputs: dict name -> array (batch first)."""
    env = {}
    for l in layers:
        c, cfg = l["cls"], l["cfg"]
        w = dict(l.get("weights", []))
        xs = [env[i] for i in l["inputs"]]
        x = xs[0] if xs else None
        if c == "InputLayer":
            y = inputs[l["name"]].astype(np.float64)
        elif c == "Dense":
            y = _act(x @ w["kernel"] + w.get("bias", 0), cfg.get("activation", "linear"))
        elif c in ("Conv1D", "Conv2D", "DepthwiseConv2D", "SeparableConv2D"):
            nd = 1 if c == "Conv1D" else 2
            k, s = cfg["kernel_size"], cfg.get("strides", [1] * nd)
            p = _windows(x, k, s, cfg.get("padding", "valid"), d=cfg.get("dilation_rate"))
            if c in ("Conv1D", "Conv2D"):
                y = np.tensordot(p, w["kernel"], axes=(list(range(1 + nd, 2 + 2 * nd)), list(range(nd + 1))))
            else:
                dk = w["depthwise_kernel"]  # (kh, kw, C, M)
                y = np.einsum("nabijc,ijcm->nabcm", p, dk).reshape(p.shape[0], p.shape[1], p.shape[2], -1)
                if c == "SeparableConv2D":
                    y = y @ w["pointwise_kernel"][0, 0]
            y = _act(y + w.get("bias", 0), cfg.get("activation", "linear"))
        elif c in ("MaxPooling2D", "AveragePooling2D", "MaxPooling1D", "AveragePooling1D"):
            nd = 1 if c.endswith("1D") else 2
            k = cfg["pool_size"]
            s = cfg.get("strides") or k
            mx = c.startswith("Max")
            p = _windows(x, k, s, cfg.get("padding", "valid"), value=-np.inf if mx else np.nan)
            ax = tuple(range(1 + nd, 1 + 2 * nd))
            y = p.max(ax) if mx else np.nanmean(p, ax)
        elif c.startswith("GlobalAverage"):
            y = x.mean(tuple(range(1, x.ndim - 1)))
        elif c.startswith("GlobalMax"):
            y = x.max(tuple(range(1, x.ndim - 1)))
        elif c == "BatchNormalization":
            y = (x - w["moving_mean"]) / np.sqrt(w["moving_variance"] + cfg.get("epsilon", 1e-3)) * w["gamma"] + w["beta"]
        elif c == "Activation":
            y = _act(x, cfg["activation"])
        elif c == "ReLU":
            y = np.maximum(x, 0)
            if cfg.get("max_value") is not None:
                y = np.minimum(y, cfg["max_value"])
        elif c == "LeakyReLU":
            y = np.where(x > 0, x, cfg["alpha"] * x)
        elif c == "PReLU":
            y = np.where(x > 0, x, w["alpha"] * x)
        elif c == "ELU":
            y = np.where(x > 0, x, cfg.get("alpha", 1.0) * (np.exp(x) - 1))
        elif c == "Flatten":
            y = x.reshape(x.shape[0], -1)
        elif c == "Reshape":
            y = x.reshape((x.shape[0],) + tuple(cfg["target_shape"]))
        elif c == "Permute":
            y = np.transpose(x, [0] + list(cfg["dims"]))
        elif c == "Dropout":
            y = x
        elif c == "ZeroPadding2D":
            (a, b), (cc, d) = cfg["padding"]
            y = np.pad(x, ((0, 0), (a, b), (cc, d), (0, 0)))
        elif c == "ZeroPadding1D":
            a, b = cfg["padding"]
            y = np.pad(x, ((0, 0), (a, b), (0, 0)))
        elif c == "Softmax":
            y = _act(x, "softmax")
        elif c == "UpSampling2D":
            y = x.repeat(cfg["size"][0], 1).repeat(cfg["size"][1], 2)
        elif c == "UpSampling1D":
            y = x.repeat(cfg["size"], 1)
        elif c == "Add":
            y = sum(xs)
        elif c == "Subtract":
            y = xs[0] - xs[1]
        elif c == "Multiply":
            y = np.prod(xs, 0)
        elif c == "Average":
            y = sum(xs) / len(xs)
        elif c == "Maximum":
            y = np.max(xs, 0)
        elif c == "Minimum":
            y = np.min(xs, 0)
        elif c == "Concatenate":
            y = np.concatenate(xs, cfg.get("axis", -1))
        else:
            raise ValueError(c)
        env[l["name"]] = y
    return [env[o] for o in outputs]
