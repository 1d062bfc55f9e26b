#!/usr/bin/env bash
# Pipeline latency of the Verilog backend per model and clock, with two-input adder trees
# (--adder-inputs 2) and with the default choice (--adder-inputs auto: ternary adders where
# they save cycles). Converts only (no simulation, no synthesis): cycles, worst stage of the
# timing model, pipeline register bits and adder bits from each project's manifest.
#
#   bench/latency_table.sh [BUILD_DIR] [OUT_DIR] [SPEC...]
#
# SPEC is MODEL_FILE[:CONFIG] (paths as given or relative to the repository root) or a zoo
# model name (tests/data/models/NAME.onnx). Clocks: CLOCKS (default "5 2.5").
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
OUT=${2:-/tmp/tachyon_latency_table}
shift $(( $# > 2 ? 2 : $# )) || true
SPECS=("$@")
[ ${#SPECS[@]} -eq 0 ] && SPECS=(qonnx_mlp_w4a6 qonnx_mlp_w8a8 jet_mlp mlp_activations cnn1d
  tests/data/keras/hgq_mnist_homogeneous.h5)
CLOCKS=${CLOCKS:-5 2.5}
T=$BUILD/tachyon
[ -x "$T" ] || { echo "no tachyon executable at $T (build it first)" >&2; exit 1; }
mkdir -p "$OUT"
printf '%-34s %6s %6s | %6s %8s %9s %11s | %6s %8s %9s %11s %s\n' model clock "" \
  cycles "worst ns" "reg bits" "adder bits" cycles "worst ns" "reg bits" "adder bits" "(sums)"
printf '%-34s %6s %6s | %-38s | %s\n' "" "" "" "--adder-inputs 2" "--adder-inputs auto"
for spec in "${SPECS[@]}"; do
  file=${spec%%:*}
  cfg=()
  resolve() { if [ -f "$1" ]; then echo "$1"; elif [ -f "$ROOT/$1" ]; then echo "$ROOT/$1"; else echo "$ROOT/tests/data/models/$1.onnx"; fi; }
  [ "$spec" != "$file" ] && cfg=(-c "$(resolve "${spec#*:}")")
  model=$(resolve "$file")
  name=$(basename "${model%.*}")
  for clock in $CLOCKS; do
    row=$(printf '%-34s %6s %6s |' "$name" "$clock" "ns")
    for a in 2 auto; do
      dir=$OUT/$name.$clock.$a
      "$T" convert "$model" "${cfg[@]}" --backend verilog --clock-period "$clock" --adder-inputs "$a" -o "$dir" --force > /dev/null
      row+=$(/usr/bin/python3 - "$dir/tachyon_project.json" "$a" <<'PYEOF'
import json, sys
m = json.load(open(sys.argv[1]))
bits = sum(l["adder_bits"] for l in m["layers"])
worst = max([s["time_ns"] for s in m["critical_path"]["steps"]] or [0])
extra = f" ({m['adder_inputs']}-input sums, {m['adder_depth_bound_inputs']}-input bound)" if sys.argv[2] == "auto" else " |"
print(f" {m['latency_cycles']:>6} {worst:>8.2f} {m['datapath']['pipeline_register_bits']:>9} {bits:>11}{extra}")
PYEOF
)
    done
    echo "$row"
  done
done
