"""Tree ensembles for Tachyon: write fitted scikit-learn models as Tachyon tree JSON.

Pure Python (numpy + json only; the compiled module is not needed), so it can also be used
on its own: ``python3 -c "import sys; sys.path.insert(0, 'python/tachyon'); import trees"``.

    from tachyon.trees import save_trees, predict_proba
    save_trees(model, "model.json")        # any supported fitted model
    # tachyon predict / the emulator return raw scores; predict_proba applies the
    # library's link (sigmoid, softmax or nothing) the same way the library does.

Supported: DecisionTreeClassifier/Regressor, RandomForestClassifier/Regressor,
ExtraTreesClassifier/Regressor, GradientBoostingClassifier/Regressor,
HistGradientBoostingClassifier/Regressor (numerical splits only). XGBoost models
(XGBClassifier, XGBRegressor, Booster) are written with XGBoost's own JSON (save_model),
which Tachyon reads directly. The format is documented in docs/trees.md.

Conventions (the firmware outputs raw scores):
- Gradient boosting: score_k = base_k + sum of the leaves of the trees of class k, where
  base is the model's initial raw prediction (log-odds prior, log class priors, mean...)
  and the learning rate is folded into the leaf values. Binary: one score, probability
  sigmoid(score). Multi-class: one score per class, probabilities softmax(scores).
- Random forests / decision tree classifiers: one score per class, the class fraction of
  the leaf divided by the number of trees: the scores ARE the probabilities (average).
  Regressors: leaf mean / number of trees; the score is the prediction.
- scikit-learn decides ``x <= threshold`` -> left ("compare": "<=").
"""
from __future__ import annotations

import json
import math
from typing import Any, Dict, List, Optional

import numpy as np

__all__ = ["save_trees", "to_tree_dict", "predict_raw", "predict_proba", "FORMAT", "VERSION", "SUPPORTED",
           "NotFittedError"]

FORMAT = "tachyon-trees"
VERSION = 1

# The scikit-learn estimators to_tree_dict reads.
SUPPORTED = ("DecisionTreeClassifier", "DecisionTreeRegressor", "ExtraTreeClassifier", "ExtraTreeRegressor",
             "RandomForestClassifier", "RandomForestRegressor", "ExtraTreesClassifier", "ExtraTreesRegressor",
             "GradientBoostingClassifier", "GradientBoostingRegressor", "HistGradientBoostingClassifier",
             "HistGradientBoostingRegressor")


class NotFittedError(ValueError):
    """The model has not been fitted."""


def _f(v) -> float:
    v = float(v)
    if not math.isfinite(v):
        raise ValueError(f"non-finite value {v} in the model")
    return v


def _sk_tree(tree, class_id: int, leaf_values: np.ndarray) -> Dict[str, Any]:
    """One sklearn Tree (tree_) with the given per-node leaf values."""
    left = tree.children_left
    right = tree.children_right
    is_leaf = left == -1
    return {
        "class_id": int(class_id),
        "feature": [(-1 if is_leaf[i] else int(tree.feature[i])) for i in range(tree.node_count)],
        "threshold": [(0.0 if is_leaf[i] else _f(tree.threshold[i])) for i in range(tree.node_count)],
        "left": [(-1 if is_leaf[i] else int(left[i])) for i in range(tree.node_count)],
        "right": [(-1 if is_leaf[i] else int(right[i])) for i in range(tree.node_count)],
        "value": [(_f(leaf_values[i]) if is_leaf[i] else 0.0) for i in range(tree.node_count)],
    }


def _class_fractions(tree) -> np.ndarray:
    """(n_nodes, n_classes) class fractions of a classifier tree (single output)."""
    v = np.asarray(tree.value, dtype=np.float64)
    if v.shape[1] != 1:
        raise ValueError("multi-output trees are not supported")
    v = v[:, 0, :]
    s = v.sum(axis=1, keepdims=True)
    s[s == 0] = 1.0
    return v / s


def _base(**kw) -> Dict[str, Any]:
    d = {"format": FORMAT, "version": VERSION, "source": "sklearn", "compare": "<="}
    d.update(kw)
    return d


def _forest(model, estimators, classifier: bool, name: str) -> Dict[str, Any]:
    n = len(estimators)
    trees: List[Dict[str, Any]] = []
    if classifier:
        n_classes = int(len(model.classes_))
        if np.ndim(model.classes_) != 1:
            raise ValueError("multi-output classifiers are not supported")
        for est in estimators:
            frac = _class_fractions(est.tree_) / n
            for k in range(n_classes):
                trees.append(_sk_tree(est.tree_, k, frac[:, k]))
        return _base(model=name, n_features=int(model.n_features_in_), n_outputs=n_classes,
                     post_transform="none", objective="average of class fractions",
                     base_score=[0.0] * n_classes, classes=[str(c) for c in model.classes_], trees=trees)
    for est in estimators:
        v = np.asarray(est.tree_.value, dtype=np.float64)
        if v.shape[1] != 1:
            raise ValueError("multi-output regressors are not supported")
        trees.append(_sk_tree(est.tree_, 0, v[:, 0, 0] / n))
    return _base(model=name, n_features=int(model.n_features_in_), n_outputs=1, post_transform="none",
                 objective="average", base_score=[0.0], trees=trees)


def _gb_base(model) -> List[float]:
    x0 = np.zeros((1, int(model.n_features_in_)), dtype=np.float32)
    try:
        raw = np.asarray(model._raw_predict_init(x0), dtype=np.float64).ravel()
    except AttributeError:  # pragma: no cover - other scikit-learn versions
        raw = np.asarray(model._raw_predict(x0), dtype=np.float64).ravel()
        for row in model.estimators_:
            for k, est in enumerate(row):
                raw[k] -= model.learning_rate * est.predict(x0)[0]
    return [_f(v) for v in raw]


def _gradient_boosting(model, classifier: bool, name: str) -> Dict[str, Any]:
    est = model.estimators_  # (n_estimators, K)
    K = est.shape[1]
    lr = float(model.learning_rate)
    trees = []
    for row in est:
        for k in range(K):
            t = row[k].tree_
            trees.append(_sk_tree(t, k, lr * np.asarray(t.value, dtype=np.float64)[:, 0, 0]))
    loss = str(getattr(model, "loss", ""))
    if classifier:
        if loss == "exponential":
            post = "none"  # probability sigmoid(2 * score)
        else:
            post = "logistic" if K == 1 else "softmax"
    else:
        post = "none"
    d = _base(model=name, n_features=int(model.n_features_in_), n_outputs=K, post_transform=post,
              objective=loss, base_score=_gb_base(model), trees=trees)
    if classifier:
        d["classes"] = [str(c) for c in model.classes_]
    return d


def _hist_gradient_boosting(model, classifier: bool, name: str) -> Dict[str, Any]:
    preds = model._predictors  # [iteration][k] TreePredictor
    K = len(preds[0]) if preds else 1
    trees = []
    for it in preds:
        for k, p in enumerate(it):
            nodes = p.nodes
            if "is_categorical" in nodes.dtype.names and np.any(nodes["is_categorical"]):
                raise ValueError("categorical splits are not supported")
            leaf = nodes["is_leaf"].astype(bool)
            n = len(nodes)
            trees.append({
                "class_id": int(k),
                "feature": [(-1 if leaf[i] else int(nodes["feature_idx"][i])) for i in range(n)],
                "threshold": [(0.0 if leaf[i] else _f(nodes["num_threshold"][i])) for i in range(n)],
                "left": [(-1 if leaf[i] else int(nodes["left"][i])) for i in range(n)],
                "right": [(-1 if leaf[i] else int(nodes["right"][i])) for i in range(n)],
                "value": [(_f(nodes["value"][i]) if leaf[i] else 0.0) for i in range(n)],
                "default_left": [bool(nodes["missing_go_to_left"][i]) for i in range(n)],
            })
    base = np.asarray(model._baseline_prediction, dtype=np.float64).ravel()
    if base.size == 1 and K > 1:
        base = np.repeat(base, K)
    loss = model.loss if isinstance(model.loss, str) else type(model.loss).__name__
    if classifier:
        post = "logistic" if K == 1 else "softmax"
    else:
        post = "none"  # poisson / gamma losses: prediction exp(score)
    d = _base(model=name, n_features=int(model.n_features_in_), n_outputs=K, post_transform=post,
              objective=str(loss), base_score=[_f(v) for v in base], trees=trees)
    if classifier:
        d["classes"] = [str(c) for c in model.classes_]
    return d


def to_tree_dict(model) -> Dict[str, Any]:
    """The Tachyon tree JSON document (a dict) for a fitted scikit-learn model."""
    name = type(model).__name__
    if name not in SUPPORTED:
        raise ValueError(f"{name} is not a supported tree model (see tachyon.trees docstring)")
    if not hasattr(model, "n_features_in_"):
        raise NotFittedError(f"{name}: the model is not fitted (no n_features_in_)")
    if name in ("DecisionTreeClassifier", "ExtraTreeClassifier"):
        return _forest(model, [model], True, name)
    if name in ("DecisionTreeRegressor", "ExtraTreeRegressor"):
        return _forest(model, [model], False, name)
    if name in ("RandomForestClassifier", "ExtraTreesClassifier"):
        return _forest(model, list(model.estimators_), True, name)
    if name in ("RandomForestRegressor", "ExtraTreesRegressor"):
        return _forest(model, list(model.estimators_), False, name)
    if name == "GradientBoostingClassifier":
        return _gradient_boosting(model, True, name)
    if name == "GradientBoostingRegressor":
        return _gradient_boosting(model, False, name)
    if name == "HistGradientBoostingClassifier":
        return _hist_gradient_boosting(model, True, name)
    if name == "HistGradientBoostingRegressor":
        return _hist_gradient_boosting(model, False, name)
    raise ValueError(f"{name} is not a supported tree model (see tachyon.trees docstring)")


def save_trees(model, path: str) -> Optional[Dict[str, Any]]:
    """Writes `model` to `path` in a format Tachyon reads.

    scikit-learn models: Tachyon tree JSON (returned as a dict too). XGBoost models and
    Boosters: XGBoost's own JSON via save_model (path should end in .json); returns None.
    """
    mod = type(model).__module__
    if mod.startswith("xgboost"):
        if not str(path).endswith(".json"):
            raise ValueError("XGBoost models are saved as XGBoost JSON: use a path ending in .json")
        model.save_model(str(path))
        return None
    doc = to_tree_dict(model)
    with open(path, "w") as f:
        json.dump(doc, f, allow_nan=False, separators=(",", ":"))
    return doc


def predict_raw(doc: Dict[str, Any], X) -> np.ndarray:
    """Float (double) reference evaluation of a Tachyon tree JSON document: raw scores,
    shape (n_samples, n_outputs). Inputs are used as given (no float32 rounding)."""
    X = np.asarray(X, dtype=np.float64)
    n_out = int(doc["n_outputs"])
    out = np.tile(np.asarray(doc.get("base_score", [0.0] * n_out), dtype=np.float64), (X.shape[0], 1))
    le = doc["compare"] == "<="
    for t in doc["trees"]:
        feat = np.asarray(t["feature"])
        thr = np.asarray(t["threshold"], dtype=np.float64)
        left = np.asarray(t["left"])
        right = np.asarray(t["right"])
        val = np.asarray(t["value"], dtype=np.float64)
        dl = np.asarray(t.get("default_left", [True] * len(feat)), dtype=bool)
        node = np.zeros(X.shape[0], dtype=np.int64)
        active = feat[node] >= 0
        while np.any(active):
            idx = np.nonzero(active)[0]
            nd = node[idx]
            x = X[idx, feat[nd]]
            go_left = np.where(np.isnan(x), dl[nd], (x <= thr[nd]) if le else (x < thr[nd]))
            node[idx] = np.where(go_left, left[nd], right[nd])
            active = feat[node] >= 0
        out[:, int(t.get("class_id", 0))] += val[node]
    return out


def predict_proba(raw, post_transform: str) -> np.ndarray:
    """Applies the library's link to raw scores: "logistic" -> sigmoid (binary: returns
    (n, 2) [1-p, p]), "softmax" -> softmax over outputs, "none"/"average" -> unchanged."""
    raw = np.asarray(raw, dtype=np.float64)
    if raw.ndim == 1:
        raw = raw[:, None]
    if post_transform == "logistic":
        p = 1.0 / (1.0 + np.exp(-raw))
        return np.hstack([1.0 - p, p]) if p.shape[1] == 1 else p
    if post_transform == "softmax":
        e = np.exp(raw - raw.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    if post_transform in ("none", "average"):
        return raw
    raise ValueError(f"unknown post_transform {post_transform!r}")
