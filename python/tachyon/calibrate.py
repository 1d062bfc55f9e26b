"""Precision from data: profile a model on real inputs and calibrate its configuration
(docs/calibration.md). Both run the bit-exact emulator on the data.

    import tachyon
    prof = tachyon.profile("jet.onnx", x, html="profile.html")    # dict (the JSON document)
    print(prof["table"])
    cal = tachyon.calibrate_config("jet.onnx", x, min_agreement=0.99)
    cfg = cal["config"]                                            # an ordinary hls4ml-style config
    m = tachyon.convert_from_onnx_model("jet.onnx", hls_config=cfg)
"""
from __future__ import annotations

import json
from typing import Any, Dict, Optional, Sequence

import numpy as np

from . import _tachyon


def _inputs(x) -> list:
    if isinstance(x, (list, tuple)):
        return [np.asarray(a, dtype=np.float64) for a in x]
    return [np.asarray(x, dtype=np.float64)]


def profile(model: str, x, hls_config: Optional[Dict[str, Any]] = None, html: Optional[str] = None,
            json_path: Optional[str] = None, threads: int = 0) -> Dict[str, Any]:
    """Observed ranges of every value each layer converts, on the inputs x (one array, or a
    list with one array per model input). Returns the JSON document as a dict, with the
    terminal table under "table". Writes the HTML report / the JSON when given paths."""
    doc, table, page = _tachyon.profile(str(model), json.dumps(hls_config or {}), _inputs(x), threads)
    result = json.loads(doc)
    if html:
        with open(html, "w", encoding="utf-8") as f:
            f.write(page)
    if json_path:
        with open(json_path, "w", encoding="utf-8") as f:
            f.write(doc)
    result["table"] = table
    return result


def calibrate_config(model: str, x, hls_config: Optional[Dict[str, Any]] = None, granularity: str = "name",
                     min_agreement: float = 0.99, labels: Optional[Sequence[int]] = None,
                     max_accuracy_drop: float = 0.01, int_margin: int = 1, max_frac: int = 20,
                     threads: int = 0) -> Dict[str, Any]:
    """A configuration calibrated on the inputs x: integer bits from the observed ranges (plus
    int_margin), then the narrowest fractional bits and table sizes that keep argmax agreement
    with the wide-precision reference >= min_agreement (or, with labels, accuracy within
    max_accuracy_drop of the reference's). Returns a dict: "config" (the configuration),
    "metric_before", "metric_after", "cost_before", "cost_after", "knobs", "summary", ..."""
    lab = [] if labels is None else [int(v) for v in np.asarray(labels).ravel()]
    doc = _tachyon.calibrate(str(model), json.dumps(hls_config or {}), _inputs(x), granularity, float(min_agreement),
                             lab, float(max_accuracy_drop), int(int_margin), int(max_frac), threads)
    return json.loads(doc)
