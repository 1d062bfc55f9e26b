#!/usr/bin/env bash
# Constant multiplications of the Verilog backend, before and after the whole-layer CMVM:
# for each model, converts to RTL at a 5 ns clock with --arithmetic mcm (sub-expressions
# shared within one input's column: the previous scheme) and --arithmetic cmvm (shared across
# the whole weight matrix), checks both RTL simulations against the emulator bit for bit on
# the model's 1000 inputs, and synthesizes each design with Yosys 0.23 in two flows:
#
#   ours   the project's synth.ys: synth_xilinx -family xcup -flatten -nodsp, with the adder
#          trees kept as two-input adders on carry chains (maccmap -unmap; `tachyon report`);
#   abc9   synth.ys with -abc9 added to its mapping step (the LUT count should not depend on
#          the LUT mapper: within a few % of `ours`);
#   plain  an unmodified `synth_xilinx -family xcup -flatten -nodsp -abc9` of the same RTL
#          (the project's synth_plain.ys), as an independent check of the LUT count.
#
# Per Dense layer it prints adders, adder bits (each adder's width minus the low bits it
# passes through) and adder depth from the project manifests; per model LUT / FF / CARRY8
# and latency for both arithmetics and both flows.
#
#   bench/cmvm_reports.sh [BUILD_DIR] [OUT_DIR] [SPEC...]
#
# SPEC is a zoo model name (tests/data/models), optionally NAME@BITS to convert with every
# bits of weight (config written here: weights and biases ap_fixed<BITS,1>, data
# ap_fixed<BITS+4,5>, accumulators ap_fixed<2*BITS+8,10> that hold every product exactly), or `qat` for a 4-bit-weight / 6-bit-activation tagger trained here
# (bench/train_qat_jets.py on tests/data/jets_hlf, needs /usr/bin/python3 with torch and onnx),
# or `hgq` / `hgq@BETA` for a tagger with per-weight and per-activation bit widths trained here
# like HGQ does and written as an HGQ proxy model (bench/train_hgq_jets.py, default beta 5e-5;
# needs torch and h5py); its RTL and emulator outputs are also checked against the script's
# own numpy fixed-point reference.
# Defaults: qonnx_mlp_w8a8 qonnx_mlp_w4a6 jet_mlp_linear_out@8 qat. FLOWS="ours abc9 plain" picks
# the flows. Yosys takes minutes per design.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
OUT=${2:-/tmp/tachyon_cmvm_reports}
shift $(( $# > 2 ? 2 : $# )) || true
SPECS=("$@")
[ ${#SPECS[@]} -eq 0 ] && SPECS=(qonnx_mlp_w8a8 qonnx_mlp_w4a6 jet_mlp_linear_out@8 qat)
FLOWS=${FLOWS:-ours plain}
T=$BUILD/tachyon
M=$ROOT/tests/data/models
PY=/usr/bin/python3
[ -x "$T" ] || { echo "no tachyon executable at $T (build it first)" >&2; exit 1; }
mkdir -p "$OUT"

for spec in "${SPECS[@]}"; do
  name=${spec/@/_w}
  cfg=()
  if [ "${spec%@*}" = hgq ]; then
    beta=5e-5
    [ "$spec" != hgq ] && beta=${spec#*@}
    name=hgq_b$beta
    [ -f "$OUT/$name/hgq_jets.h5" ] || $PY "$ROOT/bench/train_hgq_jets.py" "$ROOT/tests/data/jets_hlf/jsc_openml_test1000.npz" "$OUT/$name" --beta "$beta"
    model=$OUT/$name/hgq_jets.h5
    inputs=$OUT/$name/hgq_jets.inputs.npy
  elif [ "$spec" = qat ]; then
    [ -f "$OUT/qat/qat_jets.onnx" ] || $PY "$ROOT/bench/train_qat_jets.py" "$ROOT/tests/data/jets_hlf/jsc_openml_test1000.npz" "$OUT/qat"
    model=$OUT/qat/qat_jets.onnx
    inputs=$OUT/qat/qat_jets.inputs.npy
  else
    base=${spec%@*}
    model=$M/$base.onnx
    inputs=$M/$base.inputs.npy
    if [ "$spec" != "$base" ]; then
      bits=${spec#*@}
      cat > "$OUT/$name.yaml" <<EOF
Model:
  Precision: {default: 'ap_fixed<$((bits + 4)),5>', weight: 'ap_fixed<$bits,1>', bias: 'ap_fixed<$bits,1>',
              accum: 'ap_fixed<$((2 * bits + 8)),10>'}
EOF
      cfg=(-c "$OUT/$name.yaml")
    fi
  fi
  "$T" predict "$model" "${cfg[@]}" -i "$inputs" -o "$OUT/$name.emulator.npy" -q
  if [ "${spec%@*}" = hgq ]; then
    "$T" compare "$OUT/$name.emulator.npy" "$OUT/$name/hgq_jets.ref.npy" --require-equal > /dev/null
    for p in 5 10; do
      "$T" convert "$model" --backend verilog --clock-period $p -o "$OUT/$name.clock$p" --force > /dev/null
    done
  fi
  for arith in mcm cmvm; do
    dir=$OUT/$name.$arith
    echo "== $name, --arithmetic $arith"
    "$T" convert "$model" "${cfg[@]}" --backend verilog --clock-period 5 --arithmetic "$arith" -o "$dir" --force
    "$T" simulate "$dir" -i "$inputs" -o "$OUT/$name.$arith.rtl.npy"
    "$T" compare "$OUT/$name.$arith.rtl.npy" "$OUT/$name.emulator.npy" --require-equal
    for flow in $FLOWS; do
      start=$(date +%s)
      if [ "$flow" = ours ]; then
        "$T" report "$dir" --json "$dir/ours.json" > /dev/null
      elif [ "$flow" = abc9 ]; then
        # The project's synth.ys with -abc9 in its mapping step: the same LUTs within a few %
        # says the count does not hinge on the LUT mapper.
        mkdir -p "$dir/reports"
        sed -e 's/-run map_memory:/-abc9 -run map_memory:/' -e 's#reports/yosys_#reports/abc9_#g' "$dir/synth.ys" > "$dir/synth_abc9.ys"
        (cd "$dir" && yosys -q -l reports/abc9.log synth_abc9.ys > /dev/null)
      else
        mkdir -p "$dir/reports"
        (cd "$dir" && yosys -q -l reports/plain.log synth_plain.ys > /dev/null)
      fi
      echo "   Yosys ($flow): $(( $(date +%s) - start )) s"
    done
  done
done

echo
$PY - "$OUT" "$FLOWS" "${SPECS[@]}" <<'PYEOF'
import json, os, re, sys
out, flows, specs = sys.argv[1], sys.argv[2].split(), sys.argv[3:]

def dirname(spec):
    base, _, arg = spec.partition("@")
    if base == "hgq": return "hgq_b" + (arg or "5e-5")
    return spec.replace("@", "_w")

def plain_stat(path):
    # Cell counts of the top module from a Yosys `stat` report.
    cells, lut, ff, carry = {}, 0, 0, 0
    for line in open(path):
        m = re.match(r"\s+(\S+)\s+(\d+)\s*$", line)
        if m: cells[m.group(1)] = int(m.group(2))
    lut = sum(v for k, v in cells.items() if re.fullmatch(r"LUT[1-6]", k))
    ff = sum(v for k, v in cells.items() if k in ("FDRE", "FDSE", "FDCE", "FDPE"))
    carry = cells.get("CARRY8", 0) + (cells.get("CARRY4", 0) + 1) // 2
    return {"LUT": lut, "FF": ff, "CARRY8": carry}

def figures(d, flow):
    if flow == "ours":
        p = os.path.join(d, "ours.json")
        return json.load(open(p))["resources"] if os.path.exists(p) else None
    p = os.path.join(d, "reports", "abc9_stat.txt" if flow == "abc9" else "plain_stat.txt")
    return plain_stat(p) if os.path.exists(p) else None

print("Per Dense/Conv layer (manifest figures; adder bits = width minus passed-through low bits):")
print(f"{'model':<24}{'layer':<14}{'adders mcm':>11}{'cmvm':>7}{'bits mcm':>10}{'cmvm':>8}{'depth mcm':>10}{'cmvm':>6}")
for spec in specs:
    name = dirname(spec)
    ms = {a: json.load(open(f"{out}/{name}.{a}/tachyon_project.json")) for a in ("mcm", "cmvm")}
    for lm, lc in zip(ms["mcm"]["layers"], ms["cmvm"]["layers"]):
        if lm.get("op") not in ("Dense", "Conv"): continue
        print(f"{name:<24}{lm['name']:<14}{lm['adders']:>11}{lc['adders']:>7}{lm['adder_bits']:>10}{lc['adder_bits']:>8}"
              f"{lm['adder_depth']:>10}{lc['adder_depth']:>6}")
print()
print("Whole models (clock 5 ns; RTL bit-identical to the emulator on 1000 inputs for both arithmetics):")
hdr = f"{'model':<24}{'arith':<6}{'adders':>8}{'adder bits':>11}{'cycles':>7}{'ns':>6}"
for f in flows: hdr += f"{'LUT ' + f:>12}{'FF ' + f:>10}{'CARRY8 ' + f:>13}"
print(hdr)
for spec in specs:
    name = dirname(spec)
    for a in ("mcm", "cmvm"):
        d = f"{out}/{name}.{a}"
        m = json.load(open(f"{d}/tachyon_project.json"))
        adders = sum(l["adders"] for l in m["layers"]); bits = sum(l["adder_bits"] for l in m["layers"])
        row = f"{name:<24}{a:<6}{adders:>8}{bits:>11}{m['latency_cycles']:>7}{m['latency_ns']:>6.0f}"
        for f in flows:
            r = figures(d, f)
            row += f"{r['LUT']:>12}{r['FF']:>10}{r['CARRY8']:>13}" if r else f"{'-':>12}{'-':>10}{'-':>13}"
        print(row)
hgq = [dirname(s) for s in specs if s.partition("@")[0] == "hgq"]
if hgq:
    print()
    print("HGQ-style taggers, latency of `tachyon convert --backend verilog` (default arithmetic) per clock period:")
    for name in hgq:
        lat = [json.load(open(f"{out}/{name}.clock{p}/tachyon_project.json")) for p in (5, 10)]
        print(f"{name:<24}" + "".join(f"{m['clock_period_ns']:>5.0f} ns clock: {m['latency_cycles']} cycles "
                                      f"({m['latency_ns']:.0f} ns)   " for m in lat))
print()
print("Flows: ours = synth.ys (synth_xilinx -family xcup -flatten -nodsp, every adder of the RTL kept as")
print("one carry-chain adder); abc9 = synth.ys with -abc9 in its mapping step; plain = synth_plain.ys")
print("(synth_xilinx -family xcup -flatten -nodsp -abc9).")
PYEOF
