#!/usr/bin/python3
"""Independent Python model of the vendor ap_fixed / ap_int semantics, and a seeded
generator of random test vectors from it (same JSONL schema as the golden vectors).

The golden vectors (tests/data/golden/ap_fixed) stop at 128-bit types; this model covers
the rest of the supported range (W up to 1024, results up to 2048 bits) with exact Python
integers.  `--check DIR` verifies the model against every golden vector (it must report 0
mismatches); `--out DIR` writes the random vectors for gen_golden_tests.py.

Usage: ap_model.py --out DIR [--seed N] [--scale K]  |  ap_model.py --check GOLDEN_DIR
"""
import argparse
import gzip
import json
import math
import os
import random
import struct
from fractions import Fraction

QS = ["AP_TRN", "AP_TRN_ZERO", "AP_RND", "AP_RND_ZERO", "AP_RND_MIN_INF", "AP_RND_INF", "AP_RND_CONV"]
OS = ["AP_WRAP", "AP_SAT", "AP_SAT_ZERO", "AP_SAT_SYM"]


def raw(v):
    """Signed (or unsigned) integer of a value descriptor's bits."""
    r, w = int(v["bits"], 16), v["W"]
    return r - (1 << w) if v["S"] and r >> (w - 1) else r


def frac_bits(t):
    return t["W"] - t.get("I", t["W"])


def convert(x, fs, t):
    """Quantize then overflow the exact value x * 2^-fs into fixed type t; returns raw bits."""
    w, s, q, o, n = t["W"], t["S"], t["Q"], t["O"], t["N"]
    d = fs - frac_bits(t)
    if d <= 0:
        f, r, half, sticky = x << -d, 0, False, False
    else:
        f = x >> d
        r = x - (f << d)
        half = (r >> (d - 1)) & 1 == 1
        sticky = r & ((1 << (d - 1)) - 1) != 0
    neg = x < 0
    inc = {"AP_TRN": False, "AP_TRN_ZERO": neg and r != 0, "AP_RND": half,
           "AP_RND_ZERO": half and (sticky or neg), "AP_RND_MIN_INF": half and sticky,
           "AP_RND_INF": half and (sticky or not neg), "AP_RND_CONV": half and (sticky or f & 1 == 1)}[q]
    v = f + (1 if inc else 0)
    kmin, kmax = (-(1 << (w - 1)), (1 << (w - 1)) - 1) if s else (0, (1 << w) - 1)
    mask = (1 << w) - 1
    if o == "AP_SAT_SYM" and s and v == kmin and w > 1:
        v = -kmax
    if kmin <= v <= kmax:
        return v & mask
    pos = v > kmax
    if o == "AP_SAT":
        return (kmax if pos else kmin) & mask
    if o == "AP_SAT_ZERO":
        return 0
    if o == "AP_SAT_SYM":
        if not s:
            return (kmax if pos else kmin) & mask
        if w == 1:  # vendor quirk: negative overflow gives the minimum
            return 0 if pos else 1
        return (kmax if pos else -kmax) & mask
    res = v & mask  # AP_WRAP
    if n and s:
        sign = 0 if pos else 1
        res = (res & ~(1 << (w - 1))) | (sign << (w - 1))
        for k in range(1, n):
            if w - 1 - k >= 0:
                res = (res & ~(1 << (w - 1 - k))) | ((1 - sign) << (w - 1 - k))
    elif n:
        for k in range(n):
            if w - 1 - k >= 0:
                res |= 1 << (w - 1 - k)
    return res


def decode_double(bits):
    s, e, m = bits >> 63, (bits >> 52) & 0x7FF, bits & ((1 << 52) - 1)
    if e == 0x7FF:
        m, ex = 1, 1024
    elif e == 0:
        ex = -1074
    else:
        m, ex = m | (1 << 52), e - 1075
    return (-m if s else m), -ex


def compare(a, b):
    """Vendor comparison results {lt,le,gt,ge,eq,ne} of two fixed value descriptors."""
    xa, xb = raw(a), raw(b)
    fa, fb = frac_bits(a), frac_bits(b)
    wa, wb = a["W"], b["W"]
    if fa < fb:
        xa, wa = xa << (fb - fa), wa + fb - fa + 1
    elif fb < fa:
        xb, wb = xb << (fa - fb), wb + fa - fb
    m = {"lt": xa < xb, "le": xa <= xb, "gt": xa > xb, "ge": xa >= xb, "eq": xa == xb, "ne": xa != xb}
    if a["S"] != b["S"]:
        ws, wu = (wa, wb) if a["S"] else (wb, wa)
        if not (wa < 32 and wb < 32) and wu >= ws:
            mod = 1 << (max(wa, wb) + 1)
            ya, yb = xa % mod, xb % mod
            m.update({"lt": ya < yb, "le": ya <= yb, "gt": ya > yb, "ge": ya >= yb})
        mod = 1 << (64 if wa == wb and wa <= 64 else max(wa, wb, 32))
        m.update({"eq": xa % mod == xb % mod, "ne": xa % mod != xb % mod})
    return m


def float_bits_quirk(v):
    """to_float(): nearest-even 24-bit significand, biased exponent kept modulo 256."""
    if v == 0:
        return 0
    neg, v = v < 0, abs(v)
    e = v.numerator.bit_length() - v.denominator.bit_length()
    while Fraction(2) ** e > v:
        e -= 1
    while Fraction(2) ** (e + 1) <= v:
        e += 1
    m = v / Fraction(2) ** (e - 23)
    f = m.numerator // m.denominator
    rem = m - f
    if rem > Fraction(1, 2) or (rem == Fraction(1, 2) and f & 1):
        f += 1
    if f >> 24:
        f, e = f >> 1, e + 1
    return (int(neg) << 31) | (((e + 127) & 0xFF) << 23) | (f & 0x7FFFFF)


def to_int(a, w, s):
    """ap_int<w>/ap_uint<w> from fixed a: toward zero, vendor I == 0 quirk, wrap."""
    x, f = raw(a), frac_bits(a)
    if a["S"] and a["I"] == 0 and x < 0:
        q = -1
    elif f >= 0:
        q = x >> f
        if x < 0 and x & ((1 << f) - 1):
            q += 1
    else:
        q = x << -f
    q &= (1 << w) - 1
    return q - (1 << w) if s and q >> (w - 1) else q


def decimal(bits, t):
    v = Fraction(raw(dict(t, bits=hex(bits)))) * Fraction(2) ** (t.get("I", t["W"]) - t["W"])
    if v.denominator == 1:
        return str(v.numerator)
    neg, v = v < 0, abs(v)
    ip = v.numerator // v.denominator
    fr, digits = v - ip, ""
    while fr:
        fr *= 10
        dg = fr.numerator // fr.denominator
        digits += str(dg)
        fr -= dg
    return ("-" if neg else "") + str(ip) + "." + digits


def result_type(a, b, op):
    fa, fb, sa, sb = frac_bits(a), frac_bits(b), a["S"], b["S"]
    if op in ("mul", "mul_assign"):
        w, i, s = a["W"] + b["W"], a["I"] + b["I"], sa or sb
    else:
        i = max(a["I"] + (sb and not sa), b["I"] + (sa and not sb)) + 1
        w, s = i + max(fa, fb), (sa or sb) if op in ("add", "add_assign") else True
    return {"kind": "fixed", "W": w, "I": i, "S": s, "Q": "AP_TRN", "O": "AP_WRAP", "N": 0}


def exact(op, a, b):
    """Exact (x, fraction bits) of a op b."""
    xa, xb, fa, fb = raw(a), raw(b), frac_bits(a), frac_bits(b)
    if op in ("mul", "mul_assign"):
        return xa * xb, fa + fb
    f = max(fa, fb)
    ya, yb = xa << (f - fa), xb << (f - fb)
    return (ya + yb if op in ("add", "add_assign") else ya - yb), f


# ---- random vectors --------------------------------------------------------------------

class Gen:
    def __init__(self, seed, scale):
        self.r = random.Random(seed)
        self.scale = scale
        self.out = {k: [] for k in ["cast_double", "cast_fixed", "arith", "assign", "cmp", "to_double", "to_int", "shift"]}

    def width(self):
        r = self.r
        return r.choice([r.randint(1, 16), r.randint(1, 70), r.randint(60, 140), r.randint(1, 300), r.randint(1, 1024)])

    def ftype(self, w=None):
        r = self.r
        w = w or self.width()
        i = w + r.randint(-40, 40) if r.random() < 0.8 else r.randint(-70, w + 70)
        o = r.choice(OS)
        return {"kind": "fixed", "W": w, "I": i, "S": r.random() < 0.5, "Q": r.choice(QS), "O": o,
                "N": r.choice([0, 1, 2, 3]) if o == "AP_WRAP" else 0}

    def value(self, t, bits=None):
        r, w = self.r, t["W"]
        if bits is None:
            c = r.random()
            if c < 0.2:
                bits = r.choice([0, 1, (1 << w) - 1, 1 << (w - 1), (1 << (w - 1)) - 1])
            elif c < 0.4:
                bits = r.getrandbits(min(w, r.randint(1, 8)))
            else:
                bits = r.getrandbits(w)
        bits &= (1 << w) - 1
        return dict(t, bits="0x%0*x" % ((w + 3) // 4, bits), value=decimal(bits, t))

    def res(self, t, bits):
        return {"bits": "0x%0*x" % ((t["W"] + 3) // 4, bits), "value": decimal(bits, t)}

    def add(self, f, rec):
        rec["id"] = "model.%s.%d" % (f, len(self.out[f]))
        self.out[f].append(rec)

    def run(self):
        r, n = self.r, self.scale
        for _ in range(40 * n):
            t = self.ftype()
            for _ in range(12):
                c = r.random()
                if c < 0.3:
                    d = r.uniform(-1, 1) * 2.0 ** r.randint(-80, 1000)
                elif c < 0.45:
                    d = r.choice([0.0, -0.0, math.inf, -math.inf, 5e-324, 1e308, -1e300, 0.1, -0.3])
                else:
                    lsb = Fraction(2) ** (t["I"] - t["W"])
                    k = r.randint(-(1 << min(t["W"], 52)), 1 << min(t["W"], 52))
                    try:
                        d = float((k + Fraction(r.choice([0, 1, 1, 2]), 4)) * lsb)
                    except OverflowError:
                        d = 1.5
                b = struct.unpack("<Q", struct.pack("<d", d))[0]
                x, fs = decode_double(b)
                self.add("cast_double", dict({"op": "cast", "from": {"kind": "double", "bits": "0x%016x" % b}, "to": t},
                                             **self.res(t, convert(x, fs, t))))
        for _ in range(40 * n):
            s, t = self.ftype(), self.ftype()
            for _ in range(10):
                a = self.value(s)
                self.add("cast_fixed", dict({"op": "cast", "from": a, "to": t},
                                            **self.res(t, convert(raw(a), frac_bits(a), t))))
        for _ in range(30 * n):
            ta, tb = self.ftype(), self.ftype()
            for _ in range(6):
                a, b = self.value(ta), self.value(tb)
                for op in ("add", "sub", "mul"):
                    rt = result_type(a, b, op)
                    x, fs = exact(op, a, b)
                    self.add("arith", dict({"op": op, "a": a, "b": b, "result_type": rt}, **self.res(rt, convert(x, fs, rt))))
                rt = {"kind": "fixed", "W": ta["W"] + 1, "I": ta["I"] + 1, "S": True, "Q": "AP_TRN", "O": "AP_WRAP", "N": 0}
                self.add("arith", dict({"op": "neg", "a": a, "result_type": rt},
                                       **self.res(rt, convert(-raw(a), frac_bits(a), rt))))
        for _ in range(30 * n):
            tacc, tb = self.ftype(), self.ftype()
            for _ in range(5):
                acc, b = self.value(tacc), self.value(tb)
                for op in ("add_assign", "sub_assign", "mul_assign"):
                    x, fs = exact(op, acc, b)
                    self.add("assign", dict({"op": op, "acc": acc, "b": b, "result_type": tacc},
                                            **self.res(tacc, convert(x, fs, tacc))))
        for _ in range(30 * n):
            ta, tb = self.ftype(), self.ftype()
            for _ in range(6):
                a = self.value(ta)
                if r.random() < 0.3:  # b close to a
                    fa, fb = frac_bits(ta), frac_bits(tb)
                    k = (raw(a) << max(0, fb - fa)) >> max(0, fa - fb)
                    b = self.value(tb, k + r.choice([-1, 0, 0, 1]))
                else:
                    b = self.value(tb)
                self.add("cmp", {"op": "cmp", "a": a, "b": b, "result": compare(a, b)})
        for _ in range(20 * n):
            t = self.ftype()
            for _ in range(6):
                a = self.value(t)
                v = Fraction(raw(a)) * Fraction(2) ** (t["I"] - t["W"])
                try:
                    d = float(v)  # correctly rounded
                except OverflowError:
                    continue
                if math.isinf(d):
                    continue
                db = struct.unpack("<Q", struct.pack("<d", d))[0]
                self.add("to_double", {"op": "to_double", "a": a, "result": {"kind": "double", "bits": "0x%016x" % db},
                                       "float_bits": "0x%08x" % float_bits_quirk(v)})
        for _ in range(20 * n):
            t = self.ftype()
            t["I"] = max(t["I"], r.randint(0, 3))
            ti = {"kind": "int", "W": r.choice([1, 2, 7, 8, 16, 31, 32, 33, 63, 64, 65, 100, 128, 200, 1024]),
                  "S": r.random() < 0.5}
            for _ in range(6):
                a = self.value(t)
                q = to_int(a, ti["W"], ti["S"])
                self.add("to_int", {"op": "to_apint", "a": a, "to": ti, "bits": "0x%0*x" % ((ti["W"] + 3) // 4, q % (1 << ti["W"])),
                                    "value": str(q), "to_int": to_int(a, 32, True), "to_int64": to_int(a, 64, True)})
        for _ in range(20 * n):
            t = self.ftype()
            for _ in range(6):
                a = self.value(t)
                k = r.randint(-t["W"] - 70, t["W"] + 70)
                x = raw(a)
                for op in ("shl", "shr"):
                    kk = k if op == "shl" else -k
                    y = x << kk if kk >= 0 else x >> -kk
                    self.add("shift", dict({"op": op, "a": a, "shift": k, "result_type": t},
                                           **self.res(t, y & ((1 << t["W"]) - 1))))

    def write(self, folder):
        os.makedirs(folder, exist_ok=True)
        for f, recs in self.out.items():
            with gzip.open(os.path.join(folder, f + ".jsonl.gz"), "wt") as fh:
                for rec in recs:
                    fh.write(json.dumps(rec) + "\n")


def check(folder):
    """Compare the model with every golden vector; returns the number of mismatches."""
    bad = total = 0
    for name in ["cast_double", "cast_fixed", "arith", "assign", "cmp", "to_double", "to_int", "shift"]:
        with gzip.open(os.path.join(folder, name + ".jsonl.gz"), "rt") as fh:
            for line in fh:
                rec, ok = json.loads(line), True
                op = rec["op"]
                if op == "cast":
                    src = rec["from"]
                    x, fs = decode_double(int(src["bits"], 16)) if src["kind"] == "double" else (raw(src), frac_bits(src))
                    ok = convert(x, fs, rec["to"]) == int(rec["bits"], 16)
                elif op in ("add", "sub", "mul"):
                    ok = convert(*exact(op, rec["a"], rec["b"]), rec["result_type"]) == int(rec["bits"], 16)
                    ok = ok and result_type(rec["a"], rec["b"], op) == rec["result_type"]
                elif op == "neg":
                    ok = convert(-raw(rec["a"]), frac_bits(rec["a"]), rec["result_type"]) == int(rec["bits"], 16)
                elif op in ("add_assign", "sub_assign", "mul_assign", "mac"):
                    b = rec["b"]
                    if op == "mac":
                        pt = result_type(rec["a"], b, "mul")
                        x, fs = exact("mul", rec["a"], b)
                        b = dict(pt, bits=hex(x % (1 << pt["W"])))
                    x, fs = exact("add" if op == "mac" else op, rec["acc"], b)
                    ok = convert(x, fs, rec["result_type"]) == int(rec["bits"], 16)
                elif op == "cmp":
                    ok = compare(rec["a"], rec["b"]) == rec["result"]
                elif op == "to_double":
                    v = Fraction(raw(rec["a"])) * Fraction(2) ** (rec["a"]["I"] - rec["a"]["W"])
                    ok = float_bits_quirk(v) == int(rec["float_bits"], 16) and \
                        struct.unpack("<Q", struct.pack("<d", float(v)))[0] == int(rec["result"]["bits"], 16)
                elif op == "to_apint":
                    to = rec["to"]
                    ok = to_int(rec["a"], to["W"], to["S"]) % (1 << to["W"]) == int(rec["bits"], 16) and \
                        to_int(rec["a"], 32, True) == rec["to_int"] and to_int(rec["a"], 64, True) == rec["to_int64"]
                elif op in ("shl", "shr"):
                    k = rec["shift"] if op == "shl" else -rec["shift"]
                    x = raw(rec["a"])
                    ok = ((x << k) if k >= 0 else (x >> -k)) % (1 << rec["a"]["W"]) == int(rec["bits"], 16)
                total += 1
                if not ok:
                    bad += 1
                    if bad <= 10:
                        print("model mismatch:", rec["id"])
    print("%d golden vectors checked, %d mismatches" % (total, bad))
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", help="write random vectors here")
    ap.add_argument("--seed", type=int, default=20240611)
    ap.add_argument("--scale", type=int, default=10, help="number of types per op / 10")
    ap.add_argument("--check", help="verify the model against the golden vectors in this folder")
    args = ap.parse_args()
    if args.check:
        raise SystemExit(1 if check(args.check) else 0)
    if not args.out:
        ap.error("--out or --check is required")
    g = Gen(args.seed, args.scale)
    g.run()
    g.write(args.out)


if __name__ == "__main__":
    main()
