"""Tachyon: compile trained ML models into bit-exact FPGA firmware, and emulate it.

The workflow hls4ml users know, on numpy arrays::

    import tachyon
    cfg = tachyon.config_from_onnx_model("model.onnx", granularity="name")
    cfg["LayerName"]["fc1"]["ReuseFactor"] = 4
    m = tachyon.convert_from_onnx_model("model.onnx", hls_config=cfg, output_dir="prj", backend="vitis")
    m.compile()            # validates; no C++ compilation needed
    y = m.predict(x)       # bit-exact
    t = m.trace(x)         # dict layer name -> outputs
    m.write(); m.build()

Errors are raised as ``tachyon.TachyonError`` with the same messages as the command line.
"""
from __future__ import annotations

import copy
import io
import json
import os
import tempfile
from typing import Any, Dict, Optional, Sequence

import numpy as np

from . import _tachyon
from ._tachyon import TachyonError

__all__ = [
    "TachyonError",
    "HLSModel",
    "config_from_onnx_model",
    "config_from_pytorch_model",
    "convert_from_onnx_model",
    "convert_from_pytorch_model",
    "load_config",
]

__version__ = "0.1.0"

_BACKENDS = {"vitis": "hls", "vivado": "hls", "hls": "hls", "vitishls": "hls", "vivadohls": "hls",
             "verilog": "verilog", "rtl": "verilog"}


def _backend(name: str) -> str:
    key = name.lower()
    if key not in _BACKENDS:
        raise TachyonError(f"unknown backend '{name}': choose one of vitis, vivado, verilog")
    return _BACKENDS[key]


def config_from_onnx_model(model: str, granularity: str = "model", default_precision: Optional[str] = None,
                           default_reuse_factor: Optional[int] = None) -> Dict[str, Any]:
    """A complete configuration template for the model (every key with its default)."""
    cfg = json.loads(_tachyon.config_template(os.fspath(model), None, os.path.basename(str(model)), granularity))
    _apply_defaults(cfg, default_precision, default_reuse_factor)
    return cfg


def _apply_defaults(cfg, precision, reuse):
    model = cfg.setdefault("Model", {})
    if precision is not None:
        model["Precision"] = precision if not isinstance(model.get("Precision"), dict) else {
            **model["Precision"], "default": precision}
    if reuse is not None:
        model["ReuseFactor"] = int(reuse)


def load_config(path: str) -> Dict[str, Any]:
    """Reads a YAML or JSON configuration file into a dict."""
    return json.loads(_tachyon.load_config(os.fspath(path)))


class HLSModel:
    """A converted model: emulate it bit-exactly, write its firmware project, build it."""

    def __init__(self, source: str, onnx_bytes: Optional[bytes], hls_config: Optional[Dict[str, Any]],
                 output_dir: str, backend: str, project_name: str, part: str, clock_period: float,
                 name: str):
        self._source = source
        self._onnx_bytes = onnx_bytes
        self.config = copy.deepcopy(hls_config) if hls_config else {}
        self.output_dir = output_dir
        self.backend = _backend(backend)
        self.project_name = project_name
        self.part = part
        self.clock_period = float(clock_period)
        self._name = name
        self._model = None

    def compile(self, print_ir_after_all: bool = False) -> "HLSModel":
        """Runs the compiler passes with the current config (validating it). No C++ build."""
        self._model = _tachyon.compile(self._source, self._onnx_bytes, self._name,
                                       json.dumps(self.config), print_ir_after_all)
        return self

    def _compiled(self):
        if self._model is None:
            self.compile()
        return self._model

    def _inputs(self, x) -> list:
        xs = list(x) if isinstance(x, (list, tuple)) else [x]
        return [np.ascontiguousarray(np.asarray(a, dtype=np.float64)) for a in xs]

    def predict(self, x, threads: int = 0):
        """Bit-exact outputs of the firmware (float64), batch first, in the model's own layout."""
        outs = self._compiled().predict(self._inputs(x), threads, False)
        return outs[0] if len(outs) == 1 else outs

    def trace(self, x, threads: int = 0) -> Dict[str, np.ndarray]:
        """Every layer's output: dict layer name -> array (batch first, channels-last inside)."""
        return self._compiled().trace(self._inputs(x), threads)

    def overflow_stats(self, x, threads: int = 0) -> str:
        """Runs x and returns the per-layer overflow table (wrapped / saturated conversions)."""
        m = self._compiled()
        m.predict(self._inputs(x), threads, True)
        return m.stats_table()

    def inspect(self) -> str:
        """The typed IR: every layer's op, shapes, precisions, reuse factor."""
        return self._compiled().inspect()

    def write(self, force: bool = False, dsp: bool = False) -> str:
        """Writes the firmware project into output_dir (completely or not at all)."""
        self._compiled().write(self.backend, self.output_dir, self.project_name, self.part, self.clock_period,
                               force, dsp)
        return self.output_dir

    def build(self, **kwargs) -> Dict[str, Any]:
        """Synthesizes the written project (vendor tool for HLS, Yosys for Verilog); returns the report."""
        if not os.path.exists(os.path.join(self.output_dir, "tachyon_project.json")):
            self.write(**kwargs)
        js, text = _tachyon.build_project(self.output_dir)
        print(text, end="")
        return json.loads(js)

    def simulate(self, x) -> np.ndarray:
        """Runs the written project's simulation (HLS C simulation or RTL simulation) on x."""
        with tempfile.TemporaryDirectory() as tmp:
            xin = os.path.join(tmp, "in.npy")
            xout = os.path.join(tmp, "out.npy")
            np.save(xin, np.asarray(x, dtype=np.float64))
            _tachyon.simulate_project(self.output_dir, xin, xout)
            return np.load(xout)


def convert_from_onnx_model(model: str, hls_config: Optional[Dict[str, Any]] = None, output_dir: str = "my-hls-test",
                            backend: str = "vitis", project_name: str = "myproject",
                            part: str = "xcvu9p-flga2104-2L-e", clock_period: float = 5.0,
                            io_type: str = "io_parallel") -> HLSModel:
    """Converts an ONNX / QONNX model file. Call .compile() (or just .predict()) next."""
    cfg = copy.deepcopy(hls_config) if hls_config else {}
    if io_type != "io_parallel":
        cfg.setdefault("Model", {})["IOType"] = io_type
    return HLSModel(os.fspath(model), None, cfg, output_dir, backend, project_name, part, clock_period,
                    os.path.basename(str(model)))


def _export_torch(module, input_shape: Sequence[int]) -> bytes:
    import torch
    shape = tuple(input_shape)
    if len(shape) == 0 or shape[0] not in (None, 1):
        shape = (1,) + shape
    shape = tuple(1 if d is None else int(d) for d in shape)
    buf = io.BytesIO()
    was_training = module.training
    module.eval()
    try:
        torch.onnx.export(module, torch.zeros(shape), buf, input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, opset_version=13)
    finally:
        module.train(was_training)
    return buf.getvalue()


def config_from_pytorch_model(module, input_shape: Sequence[int], granularity: str = "model",
                              default_precision: Optional[str] = None,
                              default_reuse_factor: Optional[int] = None) -> Dict[str, Any]:
    """Configuration template for a torch.nn.Module (exported through ONNX in memory)."""
    data = _export_torch(module, input_shape)
    cfg = json.loads(_tachyon.config_template("", data, type(module).__name__, granularity))
    _apply_defaults(cfg, default_precision, default_reuse_factor)
    return cfg


def convert_from_pytorch_model(module, input_shape: Sequence[int], hls_config: Optional[Dict[str, Any]] = None,
                               output_dir: str = "my-hls-test", backend: str = "vitis",
                               project_name: str = "myproject", part: str = "xcvu9p-flga2104-2L-e",
                               clock_period: float = 5.0) -> HLSModel:
    """Converts a torch.nn.Module: exported to ONNX in memory with torch.onnx, then as an ONNX model.
    input_shape excludes or includes the batch dimension (None or 1 first)."""
    data = _export_torch(module, input_shape)
    return HLSModel("", data, hls_config, output_dir, backend, project_name, part, clock_period,
                    type(module).__name__)
