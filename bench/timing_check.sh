#!/usr/bin/env bash
# Cross-check of the Verilog backend's timing model against Yosys's own cell delays.
#
#   bench/timing_check.sh BUILD_DIR OUT_DIR NAME MODEL CLOCK_NS [CONFIG]
#
# Converts MODEL (with CONFIG if given) to RTL at a CLOCK_NS clock, synthesizes it with the
# unmodified `synth_xilinx -family xc7 -flatten -nodsp -abc9` and runs Yosys's static timing
# analysis (`sta`) on the netlist with the cells' specify delays (read from Yosys's own
# xilinx/cells_sim.v). Yosys holds delays only for the 7-series cells (LUT1-6, MUXF7/8,
# CARRY4, FDRE, ...; the UltraScale+ CARRY8 has none), and they exclude routing, so the
# figure is a cell-delay figure of a 7-series mapping of the same RTL, not an UltraScale+
# timing. The script prints, for the worst register-to-register path, the cell delay (after
# the launching register's clock-to-out), the cells on the path and the routed nets
# (every net into a LUT, MUXF7/8, carry-chain start or register; carry-chain links CI are
# dedicated wires), next to the model's worst stage from the generated myproject.v.
# Yosys takes minutes per design.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$1 OUT=$2 NAME=$3 MODEL=$4 CLOCK=$5 CONFIG=${6:-}
T=$BUILD/tachyon
cfg=()
[ -n "$CONFIG" ] && cfg=(-c "$CONFIG")
dir=$OUT/$NAME
mkdir -p "$OUT"
"$T" convert "$MODEL" "${cfg[@]}" --backend verilog --clock-period "$CLOCK" -o "$dir" --force > /dev/null
cat > "$dir/sta_xc7.ys" <<YS
read_verilog myproject.v
synth_xilinx -family xc7 -top myproject -flatten -nodsp -abc9
read_verilog -lib -specify +/xilinx/cells_sim.v
tee -q -o sta_xc7.txt sta
tee -q -o stat_xc7.txt stat
YS
start=$(date +%s)
(cd "$dir" && yosys -q -l sta_xc7.log sta_xc7.ys > /dev/null)
/usr/bin/python3 - "$dir" "$NAME" "$(( $(date +%s) - start ))" <<'PYEOF'
import re, sys
d, name, secs = sys.argv[1], sys.argv[2], sys.argv[3]
txt = open(f"{d}/sta_xc7.txt").read()
v = open(f"{d}/myproject.v").read()
total = int(re.search(r"Latest arrival time in '\S+' is (\d+)", txt).group(1))
cells = re.findall(r"^\s+(\d+) \S+ \((\w+)\.(\w+)(?:->(\w+))?\)", txt, re.M)
launch = next(int(t) for t, c, a, b in cells if c.startswith("FD") and a == "C")
logic = [(c, a) for t, c, a, b in cells if not c.startswith(("FD", "BUFG", "IBUF"))]
routed = sum(1 for c, a in logic if a != "CI") + 1  # + the net into the capturing register
lat = re.search(r"LATENCY = (\d+) cycles", v).group(1)
model = re.search(r"worst stage ([\d.]+) ns", v).group(1)
luts = sum(1 for c, a in logic if c.startswith("LUT"))
carry = sum(1 for c, a in logic if c.startswith("CARRY"))
muxf = sum(1 for c, a in logic if c.startswith("MUXF"))
print(f"{name}: {lat} cycles; model worst stage {model} ns; Yosys sta (7-series cells, no routing) "
      f"{(total - launch) / 1000:.2f} ns after clock-to-out on {len(logic)} cells "
      f"({luts} LUT, {carry} CARRY4, {muxf} MUXF) and {routed} routed nets (Yosys {secs} s)")
PYEOF
