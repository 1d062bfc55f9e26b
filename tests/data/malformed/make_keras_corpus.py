#!/usr/bin/python3
"""Writes the hostile inputs of the Keras fuzz targets (tests/fuzz/keras_fuzz.h), one folder
per target (tests/data/malformed/keras_json, keras_h5, keras_zip), replayed by
tests/unit/fuzz_corpus/corpus_test.cc against each folder's EXPECTED file. Inputs the fuzzers
found are added as found_* and kept when this script is rerun (it rewrites only its own files
and their EXPECTED lines).

    /usr/bin/python3 tests/data/malformed/make_keras_corpus.py
"""
import io
import json
import os
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
SEEDS = os.path.join(os.path.dirname(HERE), "fuzz_seeds")


def layer(cls, name, inputs, **cfg):
    return {"class_name": cls, "name": name, "config": dict(cfg, name=name),
            "inbound_nodes": [[[i, 0, 0, {}] for i in inputs]] if inputs else []}


def functional(layers, ins, outs):
    return json.dumps({"class_name": "Functional", "config": {
        "name": "m", "layers": layers, "input_layers": [[n, 0, 0] for n in ins],
        "output_layers": [[n, 0, 0] for n in outs]}})


def dense_model(**dense_cfg):
    return functional([layer("InputLayer", "x", [], batch_input_shape=[None, 4]),
                       layer("Dense", "d", ["x"], **dict({"units": 2}, **dense_cfg))], ["x"], ["d"])


# One Dense layer, as a full-model .h5 description whose weights can be spoiled.
def dense_h5(kernel="data model_weights/d/d/kernel:0 f32 4 2", bias="data model_weights/d/d/bias:0 f32 2",
             extra=""):
    return (dense_model() + "\n%%\nattr / layer_names strings x d\ngroup model_weights/x\n"
            "attr model_weights/x weight_names numbers 0\ngroup model_weights/d\n"
            "attr model_weights/d weight_names strings d/kernel:0 d/bias:0\n" + kernel + "\n" + bias + "\n" + extra)


CORPUS = {
    "keras_json": {
        "cycle.json": (functional([layer("InputLayer", "x", [], batch_input_shape=[None, 4]),
                                   layer("Dense", "a", ["b"], units=4), layer("Dense", "b", ["a"], units=4)],
                                  ["x"], ["b"]), "the layers' inbound_nodes form a cycle (layers involved: a, b)"),
        "unknown_layer.json": (functional([layer("InputLayer", "x", [], batch_input_shape=[None, 4]),
                                           layer("Lambda", "l", ["x"])], ["x"], ["l"]),
                               "node 'l' (Lambda): error: unsupported layer class 'Lambda'"),
        "missing_io.json": (json.dumps({"class_name": "Functional", "config": {"layers": []}}),
                            "a Functional model without input_layers / output_layers"),
        "unknown_ref.json": (functional([layer("InputLayer", "x", [], batch_input_shape=[None, 4]),
                                         layer("Dense", "d", ["nowhere"], units=2)], ["x"], ["d"]),
                             "inbound node 'nowhere' is not a layer of the model"),
        "huge_input.json": (functional([layer("InputLayer", "x", [], batch_input_shape=[None, 100000, 100000, 100000]),
                                        layer("Flatten", "f", ["x"])], ["x"], ["f"]), "the input is too large"),
        "huge_units.json": (dense_model(units=1 << 40), "would hold more than 67108864 elements"),
        "float_units.json": (dense_model(units=1e300), "config 'units' has an unexpected value 1e+300"),
        "huge_quantizer_bits.json": (dense_model(kernel_quantizer="quantized_bits(99999999999999999999, 0)"),
                                     "'bits' = 1e+20 is not an integer between -1024 and 1024"),
        "quantizer_class_number.json": (dense_model(activation={"class_name": 5}),
                                        "activation {\"class_name\":5} is not understood"),
        "reshape_overflow.json": (functional([layer("InputLayer", "x", [], batch_input_shape=[None, 4]),
                                              layer("Reshape", "r", ["x"], target_shape=[2147483648] * 3 + [-1])],
                                             ["x"], ["r"]),
                               "cannot reshape [4] into [2147483648,2147483648,2147483648,-1]"),
    },
    "keras_h5": {
        "wrong_shape.txt": (dense_h5(kernel="data model_weights/d/d/kernel:0 f32 3 2"),
                            "shape mismatch: weight 'kernel' in fuzz.h5 has shape [3, 2], expected [4, 2]"),
        "missing_dataset.txt": (dense_h5(bias=""), "fuzz.h5: dataset 'model_weights/d/d/bias:0': missing"),
        "string_dataset.txt": (dense_h5(bias="data model_weights/d/d/bias:0 str 2"), "not a numeric dataset"),
        "huge_dataset.txt": (dense_h5(kernel="data model_weights/d/d/kernel:0 f32 100000 100000"),
                             "dataset 'model_weights/d/d/kernel:0': more than 67108864 elements"),
        "config_numbers.txt": (dense_h5(extra="config numbers"), "attribute 'model_config' of '/': expected strings"),
        "no_config.txt": (dense_h5(extra="config none"), "fuzz.h5: an HDF5 file without a 'model_config' attribute"),
        "huge_attribute.txt": (dense_h5(extra="latest").replace(
            "attr model_weights/d weight_names strings d/kernel:0 d/bias:0",
            "attr model_weights/d weight_names numbers 1048576"),
            "attribute 'weight_names' of 'model_weights/d': invalid size"),
        "softlink_loop.txt": (dense_h5(kernel="softlink model_weights/d/d/kernel:0 /model_weights/d/d/kernel:0"),
                              "dataset 'model_weights/d/d/kernel:0': missing"),
        "keras3_no_weights.txt": (dense_model() + "\n%%\nkeras3 noweights\n",
                                  "fuzz.keras: missing weights: the archive has no model.weights.h5"),
        "keras3_broken_config.txt": (dense_model()[:40] + "\n%%\nkeras3\n",
                                     "fuzz.keras:config.json: broken JSON"),
        "keras3_weights_not_hdf5.txt": (dense_model() + "\n%%\nkeras3 noweights\nmember model.weights.h5 not hdf5\n",
                                        "fuzz.keras:model.weights.h5: not an HDF5 file"),
    },
}


def keras_zip_corpus():
    seed = open(os.path.join(SEEDS, "keras_zip", "chain.keras"), "rb").read()
    out = {"truncated.keras": (seed[:len(seed) // 2], "fuzz.keras: not a readable zip archive")}
    # A stored member with one byte changed: the CRC check fails.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr(zipfile.ZipInfo("config.json", (2024, 1, 1, 0, 0, 0)), dense_model())
    data = bytearray(buf.getvalue())
    data[data.index(b'"Functional"') + 1] ^= 0x20
    out["crc_mismatch.keras"] = (bytes(data), "archive member 'config.json' cannot be read")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("metadata.json", (2024, 1, 1, 0, 0, 0)), "{}")
    out["no_config.keras"] = (buf.getvalue(), "fuzz.keras: not a Keras archive (no config.json member)")
    return out


def external_weights():
    """keras_files/: a Dense model whose weights file keeps the kernel's data in an external
    raw file (/etc/hostname), which the reader must refuse (tests/unit/frontends/keras_hdf5_errors_test.cc)."""
    import h5py
    d = os.path.join(HERE, "keras_files")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "external_data.json"), "w") as f:
        f.write(dense_model())
    with h5py.File(os.path.join(d, "external_data_weights.h5"), "w") as f:
        f.attrs["layer_names"] = [b"x", b"d"]
        f.create_group("x").attrs["weight_names"] = []
        g = f.create_group("d")
        g.attrs["weight_names"] = [b"d/kernel:0", b"d/bias:0"]
        g.create_dataset("d/kernel:0", shape=(4, 2), dtype="<f4", external=[("/etc/hostname", 0, 32)])
        g.create_dataset("d/bias:0", data=[0.5, -0.5], dtype="<f4")


def main():
    external_weights()
    CORPUS["keras_zip"] = keras_zip_corpus()
    for target, files in CORPUS.items():
        d = os.path.join(HERE, target)
        os.makedirs(d, exist_ok=True)
        exp = os.path.join(d, "EXPECTED")
        kept = []
        if os.path.exists(exp):
            kept = [l for l in open(exp).read().splitlines()[1:] if l.split("\t")[0] not in files]
        lines = ["# <file><TAB><text the error message must contain> (tests/unit/fuzz_corpus/corpus_test.cc)"]
        for name, (data, message) in files.items():
            if data is None:
                continue
            with open(os.path.join(d, name), "wb") as f:
                f.write(data.encode() if isinstance(data, str) else data)
            lines.append(f"{name}\t{message}")
        with open(exp, "w") as f:
            f.write("\n".join(lines + kept) + "\n")


main()
