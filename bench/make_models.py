#!/usr/bin/env python3
"""Writes the benchmark models into bench/models/ (ONNX opset 17, seeded random weights).

  mlp.onnx       MLP 784-512-256-10 (Gemm+Relu)
  lenet.onnx     LeNet-like CNN on 1x28x28
  wide_mlp.onnx  MLP 1024-4096-4096-1024 (Gemm+Relu)

Every model has one input "x" with a dynamic batch dim "N" and one output "y".
Weights are He-scaled normals (std = sqrt(2 / fan_in)), biases small normals; numpy seed 0.

Usage: python3 bench/make_models.py [--out DIR]
"""
import argparse
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
HERE = os.path.dirname(os.path.abspath(__file__))


def he(rng, shape, fan_in):
    return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)


def bias(rng, n):
    return (rng.standard_normal(n) * 0.01).astype(np.float32)


class Builder:
    def __init__(self, rng):
        self.rng = rng
        self.nodes = []
        self.inits = []
        self.count = 0

    def name(self, prefix):
        self.count += 1
        return f"{prefix}{self.count}"

    def init(self, name, array):
        self.inits.append(numpy_helper.from_array(array, name))
        return name

    def gemm(self, x, fan_in, fan_out, out=None):
        i = self.name("fc")
        w = self.init(f"{i}.weight", he(self.rng, (fan_out, fan_in), fan_in))
        b = self.init(f"{i}.bias", bias(self.rng, fan_out))
        y = out or f"{i}_out"
        self.nodes.append(helper.make_node("Gemm", [x, w, b], [y], name=i, transB=1))
        return y

    def relu(self, x):
        y = self.name("relu")
        self.nodes.append(helper.make_node("Relu", [x], [y], name=y))
        return y

    def conv(self, x, cin, cout, k):
        i = self.name("conv")
        fan_in = cin * k * k
        w = self.init(f"{i}.weight", he(self.rng, (cout, cin, k, k), fan_in))
        b = self.init(f"{i}.bias", bias(self.rng, cout))
        y = f"{i}_out"
        self.nodes.append(helper.make_node("Conv", [x, w, b], [y], name=i, kernel_shape=[k, k]))
        return y

    def maxpool(self, x, k):
        y = self.name("pool")
        self.nodes.append(helper.make_node("MaxPool", [x], [y], name=y, kernel_shape=[k, k], strides=[k, k]))
        return y

    def flatten(self, x):
        y = self.name("flatten")
        self.nodes.append(helper.make_node("Flatten", [x], [y], name=y, axis=1))
        return y

    def model(self, graph_name, in_dims, out_dims):
        x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", *in_dims])
        y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", *out_dims])
        graph = helper.make_graph(self.nodes, graph_name, [x], [y], initializer=self.inits)
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="bench/make_models.py")
        m.ir_version = 8
        onnx.checker.check_model(m, full_check=True)
        return m


def mlp(rng, widths, name):
    b = Builder(rng)
    h = "x"
    for i, (fan_in, fan_out) in enumerate(zip(widths, widths[1:])):
        last = i == len(widths) - 2
        h = b.gemm(h, fan_in, fan_out, out="y" if last else None)
        if not last:
            h = b.relu(h)
    return b.model(name, [widths[0]], [widths[-1]])


def lenet(rng):
    b = Builder(rng)
    h = b.maxpool(b.relu(b.conv("x", 1, 6, 5)), 2)     # 6x12x12
    h = b.maxpool(b.relu(b.conv(h, 6, 16, 5)), 2)      # 16x4x4
    h = b.flatten(h)                                   # 256
    h = b.relu(b.gemm(h, 256, 120))
    h = b.relu(b.gemm(h, 120, 84))
    b.gemm(h, 84, 10, out="y")
    return b.model("lenet", [1, 28, 28], [10])


MODELS = {
    "mlp": lambda rng: mlp(rng, [784, 512, 256, 10], "mlp"),
    "lenet": lenet,
    "wide_mlp": lambda rng: mlp(rng, [1024, 4096, 4096, 1024], "wide_mlp"),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(HERE, "models"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for seed, (name, make) in enumerate(MODELS.items()):
        model = make(np.random.default_rng(seed))
        path = os.path.join(args.out, f"{name}.onnx")
        onnx.save(model, path)
        print(f"wrote {path} ({os.path.getsize(path) / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
