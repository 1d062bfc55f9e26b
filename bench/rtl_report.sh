# Sourced by bench/verilog_reports.sh and bench/tree_reports.sh.
#
#   rtl_report TACHYON OUT NAME MODEL INPUTS CONFIG [CONVERT_OPTION...]
#
# Converts MODEL (with CONFIG unless it is empty) to RTL at a CLOCK ns clock (environment,
# default 5) in OUT/NAME, checks
# that its RTL simulation of INPUTS equals the emulator bit for bit (OUT/NAME.rtl.npy,
# OUT/NAME.emulator.npy), then runs `tachyon report` (Yosys) into OUT/NAME.report.json.
rtl_report() {
  local t=$1 out=$2 name=$3 model=$4 inputs=$5 config=$6
  shift 6
  local cfg=()
  [ -n "$config" ] && cfg=(-c "$config")
  local dir=$out/$name
  echo "== $name"
  "$t" convert "$model" "${cfg[@]}" --backend verilog --clock-period "${CLOCK:-5}" "$@" -o "$dir" --force
  "$t" predict "$model" "${cfg[@]}" -i "$inputs" -o "$out/$name.emulator.npy" -q
  "$t" simulate "$dir" -i "$inputs" -o "$out/$name.rtl.npy"
  "$t" compare "$out/$name.rtl.npy" "$out/$name.emulator.npy" --require-equal
  local start
  start=$(date +%s)
  "$t" report "$dir" --json "$out/$name.report.json"
  echo "(Yosys: $(( $(date +%s) - start )) s)"
}
