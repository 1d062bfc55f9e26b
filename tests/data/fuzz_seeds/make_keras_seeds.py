"""Writes the seeds of the Keras fuzz targets (tests/fuzz/keras_fuzz.h): keras_json (model
JSON), keras_h5 (descriptions of HDF5 files / .keras archives) and keras_zip (.keras archives).

Run with Debian's python3 (h5py, numpy); the files are committed:
    /usr/bin/python3 tests/data/fuzz_seeds/make_keras_seeds.py
Sources: the Keras models of tests/data/keras (their JSON and the layout of their HDF5
files) and a few small models written here in the Keras 3 layout.
"""
import glob
import json
import os
import sys
import tempfile

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
KERAS = os.path.join(ROOT, "tests", "data", "keras")
sys.path.insert(0, os.path.join(ROOT, "python", "tests"))
from keras_files import k2_config, write_keras3  # noqa: E402

TYPES = {"<f4": "f32", ">f4": "f32be", "<f8": "f64", "|i1": "i8", "<i8": "i64", "|u1": "u8"}


def put(target, name, data):
    d = os.path.join(HERE, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)


def attr_line(path, name, v):
    v = np.asarray(v)
    if v.dtype.kind in "SUO":
        items = [x.decode() if isinstance(x, bytes) else str(x) for x in v.reshape(-1)]
        return f"attr {path} {name} {'strings' if v.dtype.kind == 'S' else 'vstrings'} {' '.join(items)}"
    return f"attr {path} {name} numbers {v.size}"


def describe(f, skip=("model_config", "training_config")):
    """The object lines of an HDF5 file (groups, datasets, attributes)."""
    lines = [attr_line("/", k, v) for k, v in f.attrs.items() if k not in skip]

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            line = f"data {name} {TYPES.get(obj.dtype.str, 'f32')} {' '.join(map(str, obj.shape))}".rstrip()
            a = np.asarray(obj[()], np.float64).reshape(-1)
            if a.size and (a == a[0]).all():
                line += f" = {a[0]:g}"  # constant in the file (HGQ quantizer parameters)
            elif "moving_variance" in name or "gamma" in name:
                line += " = 1"
            lines.append(line)
        else:
            lines.append(f"group {name}")
        for k, v in obj.attrs.items():
            lines.append(attr_line(name, k, v))
    f.visititems(visit)
    return lines


def small_models():
    rng = np.random.default_rng(1)

    def r(*s):
        return (rng.integers(-8, 8, size=s) / 8).astype(np.float32)

    def L(name, cls, inputs, cfg=None, weights=None):
        return {"name": name, "cls": cls, "inputs": inputs, "cfg": cfg or {}, "weights": weights or []}
    branchy = [
        L("a", "InputLayer", [], {"batch_input_shape": [None, 6, 6, 2]}),
        L("c", "Conv2D", ["a"], {"filters": 3, "kernel_size": [3, 3], "padding": "same", "activation": "relu"},
          [("kernel", r(3, 3, 2, 3)), ("bias", r(3))]),
        L("bn", "BatchNormalization", ["c"], {}, [("gamma", np.abs(r(3)) + 1), ("beta", r(3)), ("moving_mean", r(3)),
                                                 ("moving_variance", np.abs(r(3)) + 1)]),
        L("p", "MaxPooling2D", ["bn"], {"pool_size": [2, 2]}),
        L("dw", "DepthwiseConv2D", ["p"], {"kernel_size": [2, 2], "padding": "valid"},
          [("depthwise_kernel", r(2, 2, 3, 1)), ("bias", r(3))]),
        L("g", "GlobalAveragePooling2D", ["dw"]),
        L("b", "InputLayer", [], {"batch_input_shape": [None, 3]}),
        L("add", "Add", ["g", "b"]),
        L("cat", "Concatenate", ["add", "b"], {"axis": -1}),
        L("q", "QDense", ["cat"], {"units": 4, "kernel_quantizer": "quantized_bits(6, 0, alpha=1)",
                                  "bias_quantizer": {"class_name": "quantized_bits", "config": {"bits": 8}}},
          [("kernel", r(6, 4)), ("bias", r(4))]),
        L("qa", "QActivation", ["q"], {"activation": "quantized_relu(5, 2)"}),
        L("sm", "Softmax", ["qa"]),
    ]
    chain = [
        L("x", "InputLayer", [], {"batch_input_shape": [None, 8, 2]}),
        L("c1", "Conv1D", ["x"], {"filters": 2, "kernel_size": [3], "strides": [2]}, [("kernel", r(3, 2, 2)),
                                                                                   ("bias", r(2))]),
        L("up", "UpSampling1D", ["c1"], {"size": 2}),
        L("zp", "ZeroPadding1D", ["up"], {"padding": [1, 1]}),
        L("fl", "Flatten", ["zp"]),
        L("pr", "PReLU", ["fl"], {}, [("alpha", np.abs(r(16)))]),
        L("rs", "Reshape", ["pr"], {"target_shape": [4, -1]}),
        L("pm", "Permute", ["rs"], {"dims": [2, 1]}),
        L("fl2", "Flatten", ["pm"]),
        L("fq", "FixedPointQuantizer", ["fl2"], {"RND": "RND", "SAT": "SAT"},
          [("keep_negative", np.ones((1, 16))), ("bits", np.full((1, 16), 6.0)), ("integers", np.full((1, 16), 2.0))]),
        L("d", "Dense", ["fq"], {"units": 3, "activation": "sigmoid"}, [("kernel", r(16, 3)), ("bias", r(3))]),
    ]
    return {"branchy": (branchy, ["sm"]), "chain": (chain, ["d"])}


def main():
    # keras_json: the model JSON files, the config of the full-model .h5 and of the small models.
    for p in sorted(glob.glob(os.path.join(KERAS, "*.json")) + glob.glob(os.path.join(KERAS, "*", "*.json"))):
        put("keras_json", os.path.basename(p), open(p).read())
    with h5py.File(os.path.join(KERAS, "hgq_mnist_homogeneous.h5")) as f:
        put("keras_json", "hgq_mnist_homogeneous.json", f.attrs["model_config"])
    with tempfile.TemporaryDirectory() as tmp:
        for name, (layers, outs) in small_models().items():
            put("keras_json", f"{name}_k2.json", json.dumps(k2_config(layers, outs)))
            for seq in ([False, True] if name == "chain" else [False]):
                path = os.path.join(tmp, f"{name}.keras")
                write_keras3(path, layers, outs, sequential=seq)
                tag = f"{name}{'_seq' if seq else ''}"
                put("keras_zip", f"{tag}.keras", open(path, "rb").read())
                import zipfile
                with zipfile.ZipFile(path) as z:
                    cfg = z.read("config.json").decode()
                put("keras_json", f"{tag}_k3.json", cfg)
                with h5py.File(path + ".weights.h5") as f:
                    put("keras_h5", f"{tag}_k3.txt", cfg + "\n%%\nkeras3\n" + "\n".join(describe(f)) + "\n")
    # keras_h5: the JSON + weights pairs as full-model files, and the full-model .h5.
    for p in sorted(glob.glob(os.path.join(KERAS, "*.json")) + glob.glob(os.path.join(KERAS, "*", "*.json"))):
        w = p[:-5] + "_weights.h5"
        if not os.path.exists(w):
            continue
        with h5py.File(w) as f:
            put("keras_h5", os.path.basename(p)[:-5] + ".txt", open(p).read() + "\n%%\n" + "\n".join(describe(f)) + "\n")
    with h5py.File(os.path.join(KERAS, "hgq_mnist_homogeneous.h5")) as f:
        put("keras_h5", "hgq_mnist_homogeneous.txt", f.attrs["model_config"] + "\n%%\n" + "\n".join(describe(f)) + "\n")


main()
