"""Trains the classic jet tagger (16-64-32-32-5, ReLU, Softmax) on the RAW jet features
(no standardisation, as a new user would) and exports it to ONNX, for the calibration tests.

Data: tests/data/jets_hlf/jsc_openml_test1000.npz (1,000 jets). Rows 0..499 train the model
and are the calibration half; rows 500..999 are held out. Writes, next to this script:
  jet_raw.onnx        the model (opset 13)
  jets_raw_a.npy      rows   0..499 of X (float32, raw features)   labels_a.npy (int64)
  jets_raw_b.npy      rows 500..999                                labels_b.npy
  float_b.npy         PyTorch's float32 outputs on jets_raw_b.npy (the float reference)
Run: /usr/bin/python3 tests/data/calib/train_jet_raw.py   (PyTorch 1.13, CPU, seconds)
"""
import os

import numpy as np
import torch

here = os.path.dirname(os.path.abspath(__file__))
d = np.load(os.path.join(here, "..", "jets_hlf", "jsc_openml_test1000.npz"))
x = d["X"].astype(np.float32)
y = d["y"].astype(np.int64)
xa, ya, xb, yb = x[:500], y[:500], x[500:], y[500:]

torch.manual_seed(20261206)
model = torch.nn.Sequential(
    torch.nn.Linear(16, 64), torch.nn.ReLU(),
    torch.nn.Linear(64, 32), torch.nn.ReLU(),
    torch.nn.Linear(32, 32), torch.nn.ReLU(),
    torch.nn.Linear(32, 5), torch.nn.Softmax(dim=1))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
xt, yt = torch.from_numpy(xa), torch.from_numpy(ya)
logits_model = model[:-1]
for epoch in range(3000):
    opt.zero_grad()
    loss = torch.nn.functional.cross_entropy(logits_model(xt), yt)
    loss.backward()
    opt.step()
model.eval()
with torch.no_grad():
    acc_a = (model(xt).argmax(1).numpy() == ya).mean()
    fb = model(torch.from_numpy(xb)).numpy()
    acc_b = (fb.argmax(1) == yb).mean()
print(f"float accuracy: train half {acc_a:.3f}, held-out half {acc_b:.3f}")
torch.onnx.export(model, torch.zeros(1, 16), os.path.join(here, "jet_raw.onnx"), input_names=["input"],
                  output_names=["output"], dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
                  opset_version=13)
np.save(os.path.join(here, "jets_raw_a.npy"), xa)
np.save(os.path.join(here, "jets_raw_b.npy"), xb)
np.save(os.path.join(here, "labels_a.npy"), ya)
np.save(os.path.join(here, "labels_b.npy"), yb)
np.save(os.path.join(here, "float_b.npy"), fb)
