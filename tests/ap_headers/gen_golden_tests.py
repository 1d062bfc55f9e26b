#!/usr/bin/python3
"""Generate C++ tests of hls/include/ap_*.h from golden ap_fixed vectors (or ap_model.py's).

The vectors (tests/data/golden/ap_fixed/*.jsonl.gz) choose their types at run time, so the
test is generated: records are grouped by (op, type signature), each group becomes one
function that instantiates exactly those types and runs a table of cases through a
golden::run_* template (tests/ap_headers/golden_support.h).  Groups are spread over
--tus translation units so they compile in parallel.

Usage: gen_golden_tests.py --data DIR --out DIR [--tus N] [--label NAME]
Writes DIR/golden_tu_<k>.cc for k < N and DIR/golden_all.cc (calls every group).
"""
import argparse
import gzip
import json
import os
import sys

FILES = ["cast_double", "cast_fixed", "arith", "assign", "cmp", "to_double", "to_int", "shift"]


def cpp_type(t):
    u = "" if t["S"] else "u"
    if t["kind"] == "int":
        return "ap_%sint<%d>" % (u, t["W"])
    return "ap_%sfixed<%d, %d, %s, %s, %d>" % (u, t["W"], t["I"], t["Q"], t["O"], t["N"])


def hx(v):
    return v["bits"][2:] if isinstance(v, dict) else v[2:]


def cstr(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def case_of(r):
    """(group key, runner call template, data strings) for one record."""
    op = r["op"]
    if op == "cast" and r["from"]["kind"] == "double":
        return (("cast_double", cpp_type(r["to"])), [hx(r["from"]), hx(r["bits"]), r["value"]])
    if op == "cast":
        return (("cast_fixed", cpp_type(r["from"]), cpp_type(r["to"])), [hx(r["from"]), hx(r["bits"]), r["value"]])
    if op in ("add", "sub", "mul"):
        return ((op, cpp_type(r["a"]), cpp_type(r["b"]), cpp_type(r["result_type"])),
                [hx(r["a"]), hx(r["b"]), hx(r["bits"]), r["value"]])
    if op == "neg":
        return (("neg", cpp_type(r["a"]), cpp_type(r["result_type"])), [hx(r["a"]), hx(r["bits"]), r["value"]])
    if op in ("add_assign", "sub_assign", "mul_assign"):
        if r["result_type"] != {k: r["acc"][k] for k in r["result_type"]}:
            raise ValueError("%s: result type differs from acc type" % r["id"])
        return ((op, cpp_type(r["acc"]), cpp_type(r["b"])), [hx(r["acc"]), hx(r["b"]), hx(r["bits"]), r["value"]])
    if op == "mac":
        return (("mac", cpp_type(r["acc"]), cpp_type(r["a"]), cpp_type(r["b"]), cpp_type(r["product_type"])),
                [hx(r["acc"]), hx(r["a"]), hx(r["b"]), hx(r["bits"]), r["value"]])
    if op == "cmp":
        res = r["result"]
        flags = "".join("1" if res[k] else "0" for k in ("lt", "le", "gt", "ge", "eq", "ne"))
        return (("cmp", cpp_type(r["a"]), cpp_type(r["b"])), [hx(r["a"]), hx(r["b"]), flags])
    if op == "to_double":
        return (("to_double", cpp_type(r["a"])), [hx(r["a"]), hx(r["result"]), r["float_bits"][2:]])
    if op == "to_apint":
        return (("to_apint", cpp_type(r["a"]), cpp_type(r["to"])),
                [hx(r["a"]), hx(r["bits"]), r["value"], str(r["to_int"]), str(r["to_int64"])])
    if op in ("shl", "shr"):
        if cpp_type(r["result_type"]) != cpp_type(r["a"]):
            raise ValueError("%s: shift result type differs from operand type" % r["id"])
        return ((op, cpp_type(r["a"])), [hx(r["a"]), str(r["shift"]), hx(r["bits"]), r["value"]])
    raise ValueError("%s: unknown op %s" % (r.get("id"), op))


def runner_call(key, data, ids, n):
    op = key[0]
    t = key[1:]
    if op == "cast_double":
        return "golden::run_cast_double<%s >(%s, %s, %d);" % (t[0], data, ids, n)
    if op == "cast_fixed":
        return "golden::run_cast_fixed<%s, %s >(%s, %s, %d);" % (t[0], t[1], data, ids, n)
    if op in ("add", "sub", "mul"):
        fn = {"add": "OpAdd", "sub": "OpSub", "mul": "OpMul"}[op]
        return 'golden::run_binary<golden::%s, %s, %s, %s >("%s", %s, %s, %d);' % (fn, t[0], t[1], t[2], op, data, ids, n)
    if op == "neg":
        return "golden::run_neg<%s, %s >(%s, %s, %d);" % (t[0], t[1], data, ids, n)
    if op in ("add_assign", "sub_assign", "mul_assign"):
        fn = {"add_assign": "OpAddAssign", "sub_assign": "OpSubAssign", "mul_assign": "OpMulAssign"}[op]
        return 'golden::run_assign<golden::%s, %s, %s >("%s", %s, %s, %d);' % (fn, t[0], t[1], op, data, ids, n)
    if op == "mac":
        return "golden::run_mac<%s, %s, %s, %s >(%s, %s, %d);" % (t[0], t[1], t[2], t[3], data, ids, n)
    if op == "cmp":
        return "golden::run_cmp<%s, %s >(%s, %s, %d);" % (t[0], t[1], data, ids, n)
    if op == "to_double":
        return "golden::run_to_double<%s >(%s, %s, %d);" % (t[0], data, ids, n)
    if op == "to_apint":
        return "golden::run_to_apint<%s, %s >(%s, %s, %d);" % (t[0], t[1], data, ids, n)
    if op in ("shl", "shr"):
        return "golden::run_shift<%s >(%s, %s, %s, %d);" % (t[0], "true" if op == "shl" else "false", data, ids, n)
    raise ValueError(op)


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, help="folder with the *.jsonl.gz golden vectors")
    ap.add_argument("--out", required=True, help="output folder for the generated sources")
    ap.add_argument("--tus", type=int, default=24, help="number of translation units")
    ap.add_argument("--label", default="golden", help="name of the vector set in the summary line")
    args = ap.parse_args()

    groups = {}  # key -> list of (global id, data strings)
    total = 0
    for name in FILES:
        path = os.path.join(args.data, name + ".jsonl.gz")
        with gzip.open(path, "rt") as f:
            for line in f:
                r = json.loads(line)
                key, data = case_of(r)
                groups.setdefault(key, []).append((total, data))
                total += 1
    if total == 0:
        sys.exit("no golden vectors found in " + args.data)

    # Spread the groups over the translation units: each group costs a fixed amount of
    # template instantiation plus a little per case (greedy, heaviest first).
    keys = sorted(groups, key=lambda k: (-(40 + len(groups[k])), k))
    load = [0] * args.tus
    tu_keys = [[] for _ in range(args.tus)]
    for k in keys:
        i = min(range(args.tus), key=lambda j: (load[j], j))
        tu_keys[i].append(k)
        load[i] += 40 + len(groups[k])

    os.makedirs(args.out, exist_ok=True)
    for i, ks in enumerate(tu_keys):
        out = ["// Generated by tests/ap_headers/gen_golden_tests.py from tests/data/golden/ap_fixed. Do not edit.",
               '#include "golden_support.h"', "", "namespace {"]
        for g, k in enumerate(sorted(ks)):
            cases = groups[k]
            out.append("const char* const d%d[] = {" % g)
            for _, data in cases:
                out.append("    " + ", ".join(cstr(s) for s in data) + ",")
            out.append("};")
            out.append("const int i%d[] = {%s};" % (g, ", ".join(str(c[0]) for c in cases)))
        out.append("}  // namespace")
        out.append("")
        out.append("void tachyon_golden_tu_%d() {" % i)
        for g, k in enumerate(sorted(ks)):
            out.append("  " + runner_call(k, "d%d" % g, "i%d" % g, len(groups[k])))
        out.append("}")
        write(os.path.join(args.out, "golden_tu_%d.cc" % i), "\n".join(out) + "\n")

    out = ["// Generated by tests/ap_headers/gen_golden_tests.py. Do not edit.", "#include <cstdio>", ""]
    out += ["void tachyon_golden_tu_%d();" % i for i in range(args.tus)]
    out.append("void tachyon_golden_run_all() {")
    out += ["  tachyon_golden_tu_%d();" % i for i in range(args.tus)]
    out.append('  std::printf("%d %s cases in %d groups\\n");' % (total, args.label, len(groups)))
    out.append("}")
    write(os.path.join(args.out, "golden_all.cc"), "\n".join(out) + "\n")


if __name__ == "__main__":
    main()
