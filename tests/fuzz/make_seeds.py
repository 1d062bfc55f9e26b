#!/usr/bin/python3
"""Writes valid exporter-style ONNX files (tests/fuzz/seeds) that seed the ONNX loader fuzzer
(scripts/fuzz.sh) with the paths real exporters take: opset 6 (PyTorch 0.3), a Keras export
with a batch of 1, a QONNX channels-last graph, Resize / Upsample and the element-wise ops
the importer decomposes. Deterministic: rerunning gives identical files.

    /usr/bin/python3 tests/fuzz/make_seeds.py
"""
import os
import random

import onnx
from onnx import TensorProto, helper

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds")


def floats(name, dims, seed=0, values=None):
    n = 1
    for d in dims:
        n *= d
    rnd = random.Random(seed)
    return helper.make_tensor(name, TensorProto.FLOAT, dims, values or [rnd.uniform(-1, 1) for _ in range(n)])


def vi(name, dims):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, dims)


def save(nodes, inputs, inits, name, opset=13, domains=()):
    g = helper.make_graph(nodes, "g", inputs, [vi("y", None)], inits)
    ops = [helper.make_opsetid("", opset)] + [helper.make_opsetid(d, 1) for d in domains]
    m = helper.make_model(g, opset_imports=ops, producer_name="tachyon-fuzz-seeds")
    m.ir_version = 3 if opset < 7 else 8
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(m.SerializeToString())


def main():
    os.makedirs(HERE, exist_ok=True)
    n = helper.make_node
    save([n("Gemm", ["x", "W", "b"], ["g"], transB=1, broadcast=1),
          n("BatchNormalization", ["g", "s", "s", "s", "s"], ["bn"], is_test=1, consumed_inputs=[0, 0, 0, 1, 1]),
          n("Unsqueeze", ["bn"], ["u"], axes=[2]), n("Squeeze", ["u"], ["q"], axes=[2]),
          n("Add", ["q", "c"], ["a"], broadcast=1, axis=1), n("Dropout", ["a"], ["d"], is_test=1),
          n("Softmax", ["d"], ["y"], axis=1)],
         [vi("x", [1, 4]), vi("W", [3, 4])], [floats("W", [3, 4]), floats("b", [3], 1), floats("s", [3], values=[0.5, 1.0, 1.5]),
                                              floats("c", [3], 3)], "opset6_mlp.onnx", opset=6)
    save([n("Transpose", ["x"], ["t"], perm=[0, 3, 1, 2]), n("Conv", ["t", "K"], ["c"], pads=[1, 1, 1, 1]),
          n("Transpose", ["c"], ["tc"], perm=[0, 2, 3, 1]), n("Flatten", ["tc"], ["f"], axis=0),
          n("MatMul", ["f", "D"], ["m"]), n("Add", ["m", "e"], ["y"])],
         [vi("x", [1, 4, 4, 2])], [floats("K", [2, 2, 3, 3]), floats("D", [32, 3], 1), floats("e", [3], 2)],
         "keras_batch1.onnx", opset=9)
    cl, gen = "qonnx.custom_op.channels_last", "qonnx.custom_op.general"
    save([n("Quant", ["x", "qs", "qz", "qb"], ["xq"], domain=gen, signed=1, narrow=0, rounding_mode="ROUND"),
          n("Conv", ["xq", "K"], ["c"], domain=cl, kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
          n("BatchNormalization", ["c", "s", "s", "s", "s"], ["bn"], domain=cl),
          n("LeakyRelu", ["bn"], ["r"], alpha=0.1), n("MaxPool", ["r"], ["p"], domain=cl, kernel_shape=[2, 2], strides=[2, 2]),
          n("Resize", ["p", "", "sc"], ["u"], mode="nearest", coordinate_transformation_mode="asymmetric",
            nearest_mode="floor"),
          n("Concat", ["u", "r"], ["y"], axis=-1)],
         [vi("x", [1, 8, 8, 3])],
         [floats("qs", [], values=[0.125]), floats("qz", [], values=[0.0]), floats("qb", [], values=[8.0]),
          floats("K", [2, 3, 3, 3]), floats("s", [2], 1, values=[0.5, 1.5]), floats("sc", [4], values=[1, 2, 2, 1])],
         "qonnx_channels_last.onnx", domains=(cl, gen))
    save([n("Selu", ["x"], ["a"]), n("HardSwish", ["x"], ["b"]), n("Abs", ["x"], ["c"]), n("Neg", ["x"], ["d"]),
          n("Pow", ["x", "two"], ["e"]), n("Max", ["a", "b", "half"], ["f"]), n("Min", ["c", "d"], ["g"]),
          n("Mean", ["e", "f", "g"], ["h"]), n("Sum", ["h", "x"], ["y"])],
         [vi("x", ["N", 5])], [floats("two", [], values=[2.0]), floats("half", [], values=[-0.5])], "elementwise.onnx",
         opset=14)
    save([n("Softplus", ["x"], ["a"]), n("Softsign", ["x"], ["b"]), n("ThresholdedRelu", ["x"], ["c"], alpha=0.5),
          n("Div", ["x", "sqrt2"], ["xs"]), n("Erf", ["xs"], ["d"]), n("Add", ["d", "one"], ["d1"]),
          n("Mul", ["x", "d1"], ["xd"]), n("Mul", ["xd", "half"], ["gelu"]),
          n("Sum", ["a", "b", "c", "gelu"], ["y"])],
         [vi("x", ["N", 5])],
         [floats("sqrt2", [], values=[2 ** 0.5]), floats("one", [], values=[1.0]), floats("half", [], values=[0.5])],
         "table_functions.onnx", opset=14)
    save([n("Upsample", ["x", "sc"], ["u"], mode="nearest"), n("ReduceSum", ["u"], ["y"], axes=[2, 3], keepdims=1)],
         [vi("x", ["N", 2, 3, 3])], [floats("sc", [4], values=[1, 1, 2, 3])], "upsample_reducesum.onnx", opset=9)


if __name__ == "__main__":
    main()
