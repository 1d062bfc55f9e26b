// Resource / latency report of a Verilog project: Yosys `synth_xilinx -family xcup`, its
// `stat` cell counts and `ltp -noff` longest path, the pipeline latency from the manifest and
// the timing model's clock estimate. Cached in DIR/reports (stamp = design + script).
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "tachyon/backends/verilog.h"
#include "tachyon/backends/verilog/project.h"
#include "tachyon/support/error.h"
#include "tachyon/support/output_dir.h"

namespace tachyon::backends::verilog {

namespace fs = std::filesystem;

namespace {

// Cell counts of module `top` in Yosys `stat` output.
std::map<std::string, int64_t> parse_stat(const std::string& text, const std::string& top) {
  std::map<std::string, int64_t> cells;
  std::istringstream in(text);
  std::string line;
  bool in_top = false;
  const std::regex header(R"(^=== (\S+) ===\s*$)");
  const std::regex cell(R"(^\s+([A-Za-z_$][A-Za-z0-9_$]*)\s+(\d+)\s*$)");
  std::smatch mt;
  while (std::getline(in, line)) {
    if (std::regex_match(line, mt, header)) {
      in_top = mt[1].str() == top || mt[1].str() == "\\" + top;
      continue;
    }
    if (line.find("design hierarchy") != std::string::npos) in_top = false;
    if (in_top && std::regex_match(line, mt, cell)) cells[mt[1].str()] += std::stoll(mt[2].str());
  }
  return cells;
}

int64_t parse_ltp(const std::string& text) {
  std::smatch m;
  const std::regex re(R"(length=(\d+))");
  if (std::regex_search(text, m, re)) return std::stoll(m[1].str());
  return -1;
}

nlohmann::json resources_of(const std::map<std::string, int64_t>& cells) {
  int64_t lut = 0, ff = 0, carry4 = 0, carry8 = 0, dsp = 0, bram18 = 0, bram36 = 0, srl = 0, lutram = 0, muxf = 0, other = 0;
  for (const auto& [name, n] : cells) {
    if (std::regex_match(name, std::regex(R"(LUT[1-6])")))
      lut += n;
    else if (name.rfind("FD", 0) == 0)
      ff += n;
    else if (name == "CARRY4")
      carry4 += n;
    else if (name.rfind("CARRY", 0) == 0)
      carry8 += n;
    else if (name.rfind("DSP", 0) == 0)
      dsp += n;
    else if (name.rfind("RAMB18", 0) == 0)
      bram18 += n;
    else if (name.rfind("RAMB36", 0) == 0)
      bram36 += n;
    else if (name.rfind("SRL", 0) == 0)
      srl += n;
    else if (name.rfind("RAM", 0) == 0)
      lutram += n;
    else if (name.rfind("MUXF", 0) == 0)
      muxf += n;
    else if (name != "IBUF" && name != "OBUF" && name != "BUFG" && name != "INV")
      other += n;
  }
  // Yosys 0.23 maps carry chains to CARRY4 cells even for UltraScale+; two of them make one
  // CARRY8 of the device.
  int64_t carry = carry8 + (carry4 + 1) / 2;
  return {{"LUT", lut},       {"FF", ff},         {"CARRY8", carry}, {"CARRY4_cells", carry4}, {"DSP", dsp},
          {"BRAM18", bram18},
          {"BRAM36", bram36}, {"BRAM_36K_equivalent", static_cast<double>(bram36) + 0.5 * static_cast<double>(bram18)},
          {"SRL", srl},       {"LUTRAM", lutram}, {"MUXF", muxf},    {"other_cells", other}};
}

std::string text_table(const nlohmann::json& j) {
  const auto& r = j.at("resources");
  std::string t;
  t += fmt::format("Verilog project '{}' (top {}), Yosys flow: {}\n", j.value("project", ""), j.value("top", ""), j.value("flow", ""));
  t += "  (synth_plain.ys in the project is the unmodified synth_xilinx -abc9 flow, for a cross-check)\n";
  t += fmt::format("  {:<28} {:>10}\n", "resource", "count");
  for (const char* k : {"LUT", "FF", "CARRY8", "DSP", "BRAM18", "BRAM36", "SRL", "LUTRAM", "MUXF"})
    t += fmt::format("  {:<28} {:>10}\n", k, r.at(k).get<int64_t>());
  const auto& lat = j.at("latency");
  t += fmt::format("  {:<28} {:>10}\n", "latency (cycles)", lat.at("cycles").get<int64_t>());
  t += fmt::format("  {:<28} {:>10.3f}\n", "latency (ns)", lat.at("ns").get<double>());
  t += fmt::format("  {:<28} {:>10}\n", "interval (cycles)", lat.value("interval_cycles", 1));
  const auto& tm = j.at("timing");
  t += fmt::format("  {:<28} {:>10.3f}\n", "clock period (ns)", tm.at("clock_period_ns").get<double>());
  t += fmt::format("  {:<28} {:>10.3f}\n", "worst stage, model (ns)", tm.at("model_max_stage_delay_ns").get<double>());
  t += fmt::format("  {:<28} {:>10.0f}\n", "est. Fmax, model (MHz)", tm.at("model_fmax_mhz").get<double>());
  t += fmt::format("  {:<28} {:>10}\n", "longest path (cells, ltp)", tm.at("ltp_cells").get<int64_t>());
  if (j.contains("layers") && !j["layers"].empty()) {
    t += fmt::format("  {:<20} {:<10} {:>8} {:>11} {:>6}   (arithmetic: {})\n", "layer", "op", "adders", "adder bits", "depth",
                     j.value("arithmetic", ""));
    for (const auto& l : j["layers"])
      if (l.value("adders", 0) > 0)
        t += fmt::format("  {:<20} {:<10} {:>8} {:>11} {:>6}\n", l.value("name", ""), l.value("op", ""), l.value("adders", 0),
                         l.value("adder_bits", int64_t{0}), l.value("adder_depth", 0));
  }
  return t;
}

}  // namespace

nlohmann::json synth_report(const std::string& dir_s, std::string& text) {
  fs::path dir(dir_s);
  nlohmann::json m = read_manifest(dir_s);
  std::string top = m.at("top").get<std::string>();
  fs::path design = dir / m.at("design_file").get<std::string>();
  fs::path script = dir / m.value("yosys_script", "synth.ys");
  if (!fs::exists(script)) fail("{}: missing Yosys script {}", dir_s, script.string());
  fs::path reports = dir / "reports";
  fs::create_directories(reports);
  std::string stamp = fingerprint({read_file(design), read_file(script)});
  fs::path report_file = reports / "report.json";
  if (fs::exists(report_file)) {
    try {
      nlohmann::json old = nlohmann::json::parse(read_file(report_file));
      if (old.value("stamp", "") == stamp) {
        text = text_table(old);
        return old;
      }
    } catch (const std::exception&) {
      // stale or broken: redo
    }
  }
  if (!have_program("yosys")) fail("report: 'yosys' is not installed");
  fs::path log = reports / "yosys.log";
  int rc = run_process({"yosys", "-s", script.filename().string()}, fs::absolute(dir).string(), fs::absolute(log).string())
               .exit_code;
  fs::path stat_file = reports / "yosys_stat.txt", ltp_file = reports / "yosys_ltp.txt";
  if (rc != 0 || !fs::exists(stat_file))
    fail("report: Yosys failed on {} (exit {}); see {}:\n{}", design.string(), rc, log.string(), tail_of(log.string()));
  std::map<std::string, int64_t> cells = parse_stat(read_file(stat_file), top);
  if (cells.empty()) fail("report: no cells of module '{}' in {}", top, stat_file.string());
  int64_t ltp = fs::exists(ltp_file) ? parse_ltp(read_file(ltp_file)) : -1;
  std::string version;
  {
    fs::path vlog = reports / "yosys_version.txt";
    run_process({"yosys", "-V"}, {}, fs::absolute(vlog).string());
    version = tail_of(vlog.string(), 1);
    while (!version.empty() && (version.back() == '\n' || version.back() == '\r')) version.pop_back();
  }
  int64_t latency = m.at("latency_cycles").get<int64_t>();
  double period = m.at("clock_period_ns").get<double>();
  const auto& tmj = m.at("timing_model");
  nlohmann::json j = {
      {"backend", "verilog"},
      {"project", m.value("project_name", "")},
      {"top", top},
      {"tool", version},
      {"flow", fmt::format("synth_xilinx -family xcup -flatten{} (adder trees kept as two-input adders, see synth.ys)",
                           m.value("synth_dsp", m.value("dsp", false)) ? "" : " -nodsp")},
      {"dsp", m.value("dsp", false)},
      {"resources", resources_of(cells)},
      {"cells", cells},
      {"latency", {{"cycles", latency}, {"ns", static_cast<double>(latency) * period}, {"interval_cycles", m.value("interval_cycles", 1)}}},
      {"timing",
       {{"clock_period_ns", period},
        {"model_max_stage_delay_ns", tmj.value("max_stage_delay_ns", 0.0)},
        {"model_fmax_mhz", tmj.value("estimated_fmax_mhz", 0.0)},
        {"ltp_cells", ltp},
        {"note", "Fmax is the timing model's estimate (no place and route); ltp_cells = longest combinational path "
                 "between registers in cells (LUTs, CARRY8s, muxes) of the Yosys netlist"}}},
      {"stamp", stamp},
  };
  // Per-layer arithmetic figures of the manifest, beside the synthesis figures.
  j["arithmetic"] = m.value("arithmetic", "");
  j["layers"] = nlohmann::json::array();
  if (m.contains("layers"))
    for (const auto& l : m["layers"])
      j["layers"].push_back({{"name", l.value("name", "")},
                             {"op", l.value("op", "")},
                             {"adders", l.value("adders", 0)},
                             {"adder_bits", l.value("adder_bits", int64_t{0})},
                             {"adder_depth", l.value("adder_depth", 0)}});
  write_file_atomic(report_file, j.dump(2) + "\n", true);
  text = text_table(j);
  write_file_atomic(reports / "report.txt", text, true);
  return j;
}

}  // namespace tachyon::backends::verilog
