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

Tree ensembles (scikit-learn, XGBoost) convert the same way and give the same HLSModel::

    cfg = tachyon.config_from_sklearn(clf, granularity="name")
    cfg["LayerName"]["x"]["Precision"] = "ap_fixed<24,10,AP_RND_CONV,AP_SAT>"
    cfg["LayerName"]["bdt"]["Precision"]["score"] = "ap_fixed<18,8,AP_RND_CONV,AP_SAT>"
    m = tachyon.convert_from_sklearn(clf, hls_config=cfg, output_dir="bdt_prj")
    raw = m.predict(x)         # raw scores (margins), bit-exact; m.predict_proba(x) applies the link

Keras / QKeras / HGQ files (``.h5``, ``.json`` + ``_weights.h5``, ``.keras``) the same way::

    cfg = tachyon.config_from_keras_model("model.h5", granularity="name")  # quantizer types shown
    m = tachyon.convert_from_keras_model("model.h5", hls_config=cfg, output_dir="prj")

Errors are raised as ``tachyon.TachyonError`` with the same messages as the command line.
"""
from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import tempfile
from typing import Any, Dict, Iterator, Optional, Sequence, Tuple

import numpy as np

from . import _tachyon
from ._tachyon import TachyonError
from .calibrate import calibrate_config, profile  # noqa: E402,F401  (docs/calibration.md)

__all__ = [
    "TachyonError",
    "HLSModel",
    "config_from_onnx_model",
    "config_from_pytorch_model",
    "convert_from_onnx_model",
    "config_from_keras_model",
    "convert_from_keras_model",
    "convert_from_pytorch_model",
    "config_from_sklearn",
    "config_from_xgboost",
    "config_from_trees",
    "convert_from_sklearn",
    "convert_from_xgboost",
    "load_config",
]

__version__ = _tachyon.__version__


def _backend(name: str) -> str:
    # The alias table lives in the C++ registry (src/backends/registry.cc).
    return _tachyon.backend_name(name)


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


@contextlib.contextmanager
def _model_path(source: str, model_file: Optional[Tuple[str, str]]) -> Iterator[str]:
    """The path the C++ side loads: `source`, or model_file = (file name, text) written to a
    temporary folder that is removed afterwards (tree models converted from Python objects)."""
    if model_file is None:
        yield source
        return
    fname, text = model_file
    with tempfile.TemporaryDirectory(prefix="tachyon-") as tmp:
        path = os.path.join(tmp, fname)
        with open(path, "w") as f:
            f.write(text)
        yield path


class HLSModel:
    """A converted model: emulate it bit-exactly, write its firmware project, build it.

    ``predict`` returns the firmware's outputs exactly (float64 values of the fixed-point
    results). For a tree ensemble these are the **raw scores** (margins), shape
    (n_samples, n_outputs), never probabilities: see ``predict_proba`` and ``tree_info``.
    """

    def __init__(self, source: str, onnx_bytes: Optional[bytes], hls_config: Optional[Dict[str, Any]],
                 output_dir: str, backend: str, project_name: str, part: str, clock_period: float,
                 name: str, model_file: Optional[Tuple[str, str]] = None,
                 tree_info: Optional[Dict[str, Any]] = None, weights: Optional[str] = None):
        self._source = source
        self._weights = os.fspath(weights) if weights else ""
        self._onnx_bytes = onnx_bytes
        self._model_file = model_file
        # Tree ensembles: {"model", "post_transform", "n_outputs", "n_trees", "classes"}; None otherwise.
        self.tree_info = copy.deepcopy(tree_info)
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
        with _model_path(self._source, self._model_file) as path:
            self._model = _tachyon.compile(path, self._onnx_bytes, self._name, json.dumps(self.config),
                                           print_ir_after_all, self._weights)
        return self

    def _compiled(self):
        if self._model is None:
            self.compile()
        return self._model

    def _inputs(self, x) -> list:
        xs = list(x) if isinstance(x, (list, tuple)) else [x]
        return [np.ascontiguousarray(np.asarray(a, dtype=np.float64)) for a in xs]

    def predict(self, x, threads: int = 0):
        """Bit-exact outputs of the firmware (float64), batch first, in the model's own layout.

        Tree ensembles: the raw scores (margins) of the firmware, shape (n_samples, n_outputs):
        gradient boosting (scikit-learn GB/HistGB, XGBoost) gives decision_function /
        output_margin (binary: one score, class 1 when > 0; multi-class: one per class, argmax);
        random forests and decision-tree classifiers give the class probabilities (the
        average), regressors the prediction. ``predict_proba`` applies the library's link.
        NaN inputs of a tree ensemble raise TachyonError (the firmware has no missing values).
        """
        outs = self._compiled().predict(self._inputs(x), threads, False)
        return outs[0] if len(outs) == 1 else outs

    def predict_proba(self, x, threads: int = 0) -> np.ndarray:
        """Tree-ensemble classifiers: the class probabilities computed in float from the
        bit-exact raw scores with the library's link (``tree_info["post_transform"]``:
        logistic -> sigmoid, binary gives (n, 2) columns [1 - p, p]; softmax; none -> the
        scores themselves, e.g. random forests). Post-processing only: not in the firmware."""
        from . import trees
        if not self.tree_info:
            raise TachyonError("predict_proba: only for tree-ensemble classifiers (this model is not a tree ensemble)")
        if not self.tree_info.get("classifier"):
            raise TachyonError(f"predict_proba: {self.tree_info.get('model', 'the model')} is a regressor; "
                               "use predict() (raw scores)")
        raw = np.asarray(self.predict(x, threads), dtype=np.float64)
        return trees.predict_proba(raw, self.tree_info["post_transform"])

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


def config_from_keras_model(model: str, granularity: str = "model", default_precision: Optional[str] = None,
                            default_reuse_factor: Optional[int] = None, weights: Optional[str] = None) -> Dict[str, Any]:
    """Configuration template of a Keras / QKeras / HGQ model file: a full model ``.h5``, a Keras 3
    ``.keras`` archive, or a model ``.json`` whose weights are ``NAME_weights.h5`` beside it (or
    ``weights``). Quantizer precisions appear as the layers' precisions."""
    cfg = json.loads(_tachyon.config_template(os.fspath(model), None, os.path.basename(str(model)), granularity,
                                              os.fspath(weights) if weights else ""))
    _apply_defaults(cfg, default_precision, default_reuse_factor)
    return cfg


def convert_from_keras_model(model: str, hls_config: Optional[Dict[str, Any]] = None,
                             output_dir: str = "my-hls-test", backend: str = "vitis",
                             project_name: str = "myproject", part: str = "xcvu9p-flga2104-2L-e",
                             clock_period: float = 5.0, io_type: str = "io_parallel",
                             weights: Optional[str] = None) -> HLSModel:
    """Converts a Keras / QKeras / HGQ model file (see config_from_keras_model); the same HLSModel
    as the ONNX path."""
    cfg = copy.deepcopy(hls_config) if hls_config else {}
    if io_type != "io_parallel":
        cfg.setdefault("Model", {})["IOType"] = io_type
    return HLSModel(os.fspath(model), None, cfg, output_dir, backend, project_name, part, clock_period,
                    os.path.basename(str(model)), weights=weights)


def _export_torch(module, input_shape: Sequence[int]) -> bytes:
    import torch
    # As hls4ml >= 1.0: the shape of one sample, without the batch dimension ((1, 8, 8) is one
    # channel of 8x8). A leading None (the hls4ml 0.x spelling) stands for the batch.
    shape = tuple(input_shape)
    if len(shape) > 0 and shape[0] is None:
        shape = shape[1:]
    if any(d is None for d in shape):
        raise ValueError(f"input_shape {tuple(input_shape)}: only a leading None (the batch) may be None")
    shape = (1,) + tuple(int(d) for d in shape)
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
    input_shape is the shape of one sample, without the batch dimension, as in hls4ml >= 1.0
    (a leading None, hls4ml 0.x's batch, is also accepted)."""
    data = _export_torch(module, input_shape)
    return HLSModel("", data, hls_config, output_dir, backend, project_name, part, clock_period,
                    type(module).__name__)


# ---------------------------------------------------------------------------------------
# Tree ensembles (docs/trees.md). Models are written in a format the C++ frontends read
# (Tachyon tree JSON for scikit-learn, XGBoost's own JSON), kept in memory and given to the
# compiler through a temporary file that exists only during each call.

_XGB_LOGISTIC = ("binary:logistic", "reg:logistic")
_XGB_SOFTMAX = ("multi:softprob", "multi:softmax")


def _sklearn_source(model) -> Tuple[Tuple[str, str], Dict[str, Any]]:
    from . import trees
    name = type(model).__name__
    if type(model).__module__.startswith("xgboost"):
        raise TypeError(f"{name} is an XGBoost model: use tachyon.convert_from_xgboost")
    if name not in trees.SUPPORTED:
        raise TypeError(f"{name} is not a supported tree model; supported scikit-learn estimators: "
                        f"{', '.join(trees.SUPPORTED)}")
    try:
        doc = trees.to_tree_dict(model)
    except trees.NotFittedError as e:
        raise TachyonError(f"{name} is not fitted: call fit() before converting it ({e})") from None
    except ValueError as e:
        raise TachyonError(f"{name}: {e}") from None
    text = json.dumps(doc, allow_nan=False, separators=(",", ":"))
    info = {"model": name, "source": "sklearn", "post_transform": doc["post_transform"],
            "objective": doc.get("objective", ""), "n_features": doc["n_features"], "n_outputs": doc["n_outputs"],
            "n_trees": len(doc["trees"]), "classifier": "classes" in doc, "classes": doc.get("classes")}
    return (name + ".json", text), info


def _xgboost_text(booster_or_path) -> Tuple[str, str]:
    """(file name, XGBoost JSON text) of a Booster, an XGBModel or a saved .json file."""
    if isinstance(booster_or_path, (str, os.PathLike)):
        path = os.fspath(booster_or_path)
        if not path.endswith(".json"):
            raise TachyonError(f"{path}: XGBoost models are read from XGBoost JSON (save_model('model.json')); "
                               "UBJSON and the old binary format are not supported")
        try:
            with open(path) as f:
                return os.path.basename(path), f.read()
        except OSError as e:
            raise TachyonError(f"{path}: {e.strerror or e}") from None
    mod = type(booster_or_path).__module__
    if not mod.startswith("xgboost"):
        raise TypeError(f"{type(booster_or_path).__name__} is not an XGBoost Booster, XGBModel or .json path")
    booster = booster_or_path
    if hasattr(booster, "get_booster"):
        try:
            booster = booster.get_booster()
        except Exception as e:  # xgboost raises NotFittedError (a ValueError) / XGBoostError
            raise TachyonError(f"{type(booster_or_path).__name__} is not fitted: call fit() before converting it "
                               f"({e})") from None
    with tempfile.TemporaryDirectory(prefix="tachyon-") as tmp:
        path = os.path.join(tmp, "model.json")
        booster.save_model(path)
        with open(path) as f:
            return "xgboost_model.json", f.read()


def _xgboost_source(booster_or_path) -> Tuple[Tuple[str, str], Dict[str, Any]]:
    fname, text = _xgboost_text(booster_or_path)
    info: Dict[str, Any] = {"model": "xgboost", "source": "xgboost", "post_transform": "none", "objective": "",
                            "classes": None}
    try:
        learner = json.loads(text)["learner"]
        obj = learner["objective"]["name"]
        n_class = int(learner["learner_model_param"].get("num_class", "0"))
        info["objective"] = obj
        info["n_features"] = int(learner["learner_model_param"]["num_feature"])
        info["n_outputs"] = max(1, n_class)
        info["post_transform"] = "logistic" if obj in _XGB_LOGISTIC else "softmax" if obj in _XGB_SOFTMAX else "none"
        info["classifier"] = obj.startswith(("binary:", "multi:"))
        if info["classifier"]:
            info["classes"] = [str(c) for c in range(max(2, n_class))]
    except (KeyError, TypeError, ValueError):
        pass  # the C++ frontend reports what is wrong with the file
    return (fname, text), info


def _tree_source(model) -> Tuple[Tuple[str, str], Dict[str, Any]]:
    if isinstance(model, (str, os.PathLike)) or type(model).__module__.startswith("xgboost"):
        return _xgboost_source(model)
    return _sklearn_source(model)


def _tree_model(source, hls_config, output_dir, backend, project_name, part, clock_period) -> HLSModel:
    model_file, info = source
    return HLSModel("", None, hls_config, output_dir, backend, project_name, part, clock_period,
                    os.path.splitext(model_file[0])[0], model_file=model_file, tree_info=info)


def _tree_config(source, granularity, default_precision, default_reuse_factor) -> Dict[str, Any]:
    model_file, _ = source
    with _model_path("", model_file) as path:
        cfg = json.loads(_tachyon.config_template(path, None, os.path.splitext(model_file[0])[0], granularity))
    _apply_defaults(cfg, default_precision, default_reuse_factor)
    return cfg


def config_from_sklearn(model, granularity: str = "model", default_precision: Optional[str] = None,
                        default_reuse_factor: Optional[int] = None) -> Dict[str, Any]:
    """Configuration template for a fitted scikit-learn tree ensemble. The graph has input
    ``x`` (n_features) and one TreeEnsemble layer ``bdt`` with precisions ``threshold``
    (``auto``: the input type, recommended), ``score`` (leaves and sums) and ``result``
    (the output). Set the input precision from the features' range, and score/result to
    e.g. ap_fixed<18,8,AP_RND_CONV,AP_SAT> (docs/trees.md, "Choosing precisions")."""
    return _tree_config(_sklearn_source(model), granularity, default_precision, default_reuse_factor)


def config_from_xgboost(booster_or_path, granularity: str = "model", default_precision: Optional[str] = None,
                        default_reuse_factor: Optional[int] = None) -> Dict[str, Any]:
    """Configuration template for an XGBoost Booster / XGBClassifier / XGBRegressor or a
    saved XGBoost .json file (same keys as config_from_sklearn)."""
    return _tree_config(_xgboost_source(booster_or_path), granularity, default_precision, default_reuse_factor)


def config_from_trees(model, granularity: str = "model", default_precision: Optional[str] = None,
                      default_reuse_factor: Optional[int] = None) -> Dict[str, Any]:
    """config_from_sklearn or config_from_xgboost, chosen from the model's type (a path is
    read as XGBoost JSON; other tree files: config_from_onnx_model(path) reads every format)."""
    return _tree_config(_tree_source(model), granularity, default_precision, default_reuse_factor)


def convert_from_sklearn(model, hls_config: Optional[Dict[str, Any]] = None, output_dir: str = "my-hls-test",
                         backend: str = "vitis", project_name: str = "myproject",
                         part: str = "xcvu9p-flga2104-2L-e", clock_period: float = 5.0) -> HLSModel:
    """Converts a fitted scikit-learn tree ensemble: DecisionTree, RandomForest, ExtraTrees,
    GradientBoosting and HistGradientBoosting classifiers and regressors (numerical splits).

    The fitted arrays are read by tachyon.trees (the learning rate and the initial
    prediction folded in) and kept in memory. ``predict`` gives the raw scores:
    decision_function for GB/HistGB classifiers, predict_proba for RF/DT classifiers,
    predict for regressors (up to the fixed-point rounding; see docs/trees.md).
    Raises TypeError for an unsupported estimator and TachyonError for an unfitted one."""
    return _tree_model(_sklearn_source(model), hls_config, output_dir, backend, project_name, part, clock_period)


def convert_from_xgboost(booster_or_path, hls_config: Optional[Dict[str, Any]] = None,
                         output_dir: str = "my-hls-test", backend: str = "vitis", project_name: str = "myproject",
                         part: str = "xcvu9p-flga2104-2L-e", clock_period: float = 5.0) -> HLSModel:
    """Converts an XGBoost model: a Booster, an XGBClassifier / XGBRegressor, or a file saved
    with save_model("model.json"). ``predict`` gives the margins (output_margin=True) of
    every tree in the model (truncate early-stopped models first: booster[:best_iteration+1])."""
    return _tree_model(_xgboost_source(booster_or_path), hls_config, output_dir, backend, project_name, part,
                       clock_period)
