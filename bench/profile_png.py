"""Draws `tachyon profile --json` documents as PNG box-plot rows (the README pictures).

    /usr/bin/python3 bench/profile_png.py before.json after.json -o docs/images/jet_profile.png

One panel per JSON, one row per conversion point: the grey band is the configured type's
range (resolution 2^-F up to its largest magnitude), the box the 25..75th percentile
magnitudes of the values, the whiskers the smallest and largest non-zero magnitudes seen in
the sample; red rows overflowed.
"""
import argparse
import json
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def panel(ax, doc, title):
    rows = [e for e in doc["entries"] if e["count"]]
    for i, e in enumerate(rows):
        y = len(rows) - 1 - i
        if e["type_max"] is not None and e["type_max"] > 0:
            tmax = max(abs(e["type_min"] or 0), e["type_max"])
            ulp = tmax / 2 ** 16
            t = e["type"]
            if "<" in t:  # the resolution 2^-F from the type string
                inner = t[t.index("<") + 1:t.index(">")].split(",")
                w = int(inner[0])
                ib = int(inner[1]) if len(inner) > 1 and inner[1].strip().lstrip("-").isdigit() else w
                ulp = 2.0 ** -(w - ib)
            ax.barh(y, math.log2(tmax) - math.log2(ulp), left=math.log2(ulp), color="#e4e4e4", height=0.8)
        pc = [abs(v) for v in e["pct"] if v is not None]
        mags = sorted(abs(v) for v in (e["min"], e["max"]) if v is not None)
        top = max(mags) if mags else 0
        if top <= 0:
            continue
        q = sorted(v for v in pc if v > 0) or [top]
        q1, q3 = q[0], q[-1]
        if len(q) >= 3:
            q1, q3 = q[len(q) // 4], q[(3 * len(q)) // 4]
        bad = e["wrapped"] + e["saturated"] > 0 or (
            e["type_max"] is not None and (e["max"] > e["type_max"] or e["min"] < e["type_min"]))
        col = "#d62728" if bad else "#1f77b4"
        med = e["abs_median"] if e["abs_median"] > 0 else q1
        ax.plot([math.log2(q1 / 4), math.log2(top)], [y, y], color=col, lw=1)
        ax.barh(y, max(0.05, math.log2(q3) - math.log2(q1)), left=math.log2(q1), color=col, alpha=0.5, height=0.5)
        ax.plot([math.log2(med)] * 2, [y - 0.25, y + 0.25], color="black", lw=1)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([f"{e['layer']} {e['what']}" for e in reversed(rows)], fontsize=7)
    ax.set_xlim(-20, 12)
    ax.set_xlabel("log2 |value|")
    ax.set_title(title, fontsize=9)
    ax.grid(axis="x", color="#ddd")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("json", nargs="+")
    ap.add_argument("--titles", nargs="*")
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args()
    docs = [json.load(open(p)) for p in a.json]
    titles = a.titles or a.json
    n = max(len(d["entries"]) for d in docs)
    fig, axes = plt.subplots(1, len(docs), figsize=(6 * len(docs), 1.0 + 0.18 * n), squeeze=False)
    for ax, d, t in zip(axes[0], docs, titles):
        panel(ax, d, t)
    fig.tight_layout()
    fig.savefig(a.output, dpi=110)


if __name__ == "__main__":
    main()
