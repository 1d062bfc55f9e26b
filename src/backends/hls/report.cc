// `tachyon build` / `tachyon report` for HLS projects: runs the vendor tool when it is on
// PATH and reads its synthesis report (csynth.xml, with pugixml).
#include <fmt/format.h>
#include <pugixml.hpp>

#include <filesystem>
#include <sstream>

#include "backends/hls/hls_internal.h"
#include "tachyon/backends/manifest.h"
#include "tachyon/support/error.h"
#include "tachyon/support/output_dir.h"

namespace fs = std::filesystem;

namespace tachyon::backends::hls {

namespace {

// A number when the text is one (integers as integers), else the text ("undef", ...).
nlohmann::json number_or_text(const std::string& s) {
  if (s.empty()) return s;
  char* end = nullptr;
  long long i = std::strtoll(s.c_str(), &end, 10);
  if (*end == 0) return i;
  double d = std::strtod(s.c_str(), &end);
  if (*end == 0) return d;
  return s;
}

// The trimmed text of `parent`'s child element `tag`, or nullopt when there is none.
std::optional<std::string> child_text(const pugi::xml_node& parent, const char* tag) {
  pugi::xml_node n = parent.child(tag);
  if (!n) return std::nullopt;
  std::string v = n.child_value();
  size_t s = v.find_first_not_of(" \t\r\n"), t = v.find_last_not_of(" \t\r\n");
  return s == std::string::npos ? std::string() : v.substr(s, t - s + 1);
}

void put(nlohmann::json& j, const std::string& key, const pugi::xml_node& parent, const char* tag) {
  if (auto v = child_text(parent, tag)) j[key] = number_or_text(*v);
}

nlohmann::json resources(const pugi::xml_node& section) {
  nlohmann::json r = nlohmann::json::object();
  put(r, "LUT", section, "LUT");
  put(r, "FF", section, "FF");
  put(r, "BRAM_18K", section, "BRAM_18K");
  put(r, "URAM", section, "URAM");
  if (section.child("DSP"))
    put(r, "DSP", section, "DSP");
  else
    put(r, "DSP", section, "DSP48E");  // Vivado HLS
  return r;
}

std::string text_of(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// The csynth.xml files below dir (the project's first, then any other solution).
std::vector<fs::path> find_reports(const fs::path& dir, const std::string& project) {
  std::vector<fs::path> out;
  for (const char* name : {"{}_csynth.xml", "csynth.xml"}) {
    fs::path p = dir / (project + "_prj") / "solution1" / "syn" / "report" / fmt::format(fmt::runtime(name), project);
    if (fs::exists(p)) out.push_back(p);
  }
  if (!out.empty()) return out;
  std::error_code ec;
  std::vector<fs::path> all;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it.depth() > 5) it.disable_recursion_pending();
    if (it->is_regular_file() && it->path().filename() == "csynth.xml") all.push_back(it->path());
  }
  std::sort(all.begin(), all.end());
  return all;
}

std::string project_name_of(const std::string& dir) {
  nlohmann::json m = read_manifest(dir, {}, {"project_name"});
  if (!m["project_name"].is_string()) fail("{}/tachyon_project.json: \"project_name\" is not a string", dir);
  return m["project_name"].get<std::string>();
}

}  // namespace

nlohmann::json parse_csynth_xml(const std::string& xml, const std::string& source) {
  pugi::xml_document doc;
  pugi::xml_parse_result ok = doc.load_buffer(xml.data(), xml.size());
  if (!ok) fail("{}: not an XML file ({} at byte {})", source, ok.description(), ok.offset);
  pugi::xml_node prof = doc.child("profile");
  pugi::xml_node pe = prof.child("PerformanceEstimates");
  if (!pe) fail("{}: not a Vitis/Vivado HLS synthesis report (no <profile> with <PerformanceEstimates>)", source);
  nlohmann::json j;
  j["source"] = source;
  if (pugi::xml_node ua = prof.child("UserAssignments")) {
    put(j, "top", ua, "TopModelName");
    put(j, "part", ua, "Part");
    put(j, "clock_period_ns", ua, "TargetClockPeriod");
  }
  put(j, "tool_version", prof.child("ReportVersion"), "Version");
  put(j, "estimated_clock_ns", pe.child("SummaryOfTimingAnalysis"), "EstimatedClockPeriod");
  if (pugi::xml_node l = pe.child("SummaryOfOverallLatency")) {
    put(j, "latency_min", l, "Best-caseLatency");
    put(j, "latency_max", l, "Worst-caseLatency");
    put(j, "interval_min", l, "Interval-min");
    put(j, "interval_max", l, "Interval-max");
  }
  if (pugi::xml_node ae = prof.child("AreaEstimates")) {
    if (pugi::xml_node r = ae.child("Resources")) j["resources"] = resources(r);
    if (pugi::xml_node av = ae.child("AvailableResources")) j["available"] = resources(av);
  }
  return j;
}

std::string format_report(const nlohmann::json& r) {
  std::string s;
  auto row = [&](const std::string& k, const std::string& v) { s += fmt::format("  {:<22} {}\n", k, v); };
  s += fmt::format("HLS synthesis report: {}\n", r.value("source", std::string("?")));
  if (r.contains("top")) row("top function", text_of(r["top"]));
  if (r.contains("part")) row("part", text_of(r["part"]));
  if (r.contains("clock_period_ns")) row("target clock (ns)", text_of(r["clock_period_ns"]));
  if (r.contains("estimated_clock_ns")) row("estimated clock (ns)", text_of(r["estimated_clock_ns"]));
  if (r.contains("latency_min") || r.contains("latency_max"))
    row("latency (cycles)", fmt::format("{} .. {}", text_of(r.value("latency_min", nlohmann::json("?"))),
                                        text_of(r.value("latency_max", nlohmann::json("?")))));
  if (r.contains("interval_min") || r.contains("interval_max"))
    row("interval II (cycles)", fmt::format("{} .. {}", text_of(r.value("interval_min", nlohmann::json("?"))),
                                            text_of(r.value("interval_max", nlohmann::json("?")))));
  if (r.contains("resources")) {
    s += fmt::format("  {:<10} {:>12} {:>12} {:>8}\n", "resource", "used", "available", "%");
    for (const char* k : {"LUT", "FF", "DSP", "BRAM_18K", "URAM"}) {
      if (!r["resources"].contains(k)) continue;
      const nlohmann::json& u = r["resources"][k];
      nlohmann::json a = r.contains("available") && r["available"].contains(k) ? r["available"][k] : nlohmann::json();
      std::string pct;
      if (u.is_number() && a.is_number() && a.get<double>() > 0)
        pct = fmt::format("{:.1f}", 100.0 * u.get<double>() / a.get<double>());
      s += fmt::format("  {:<10} {:>12} {:>12} {:>8}\n", k, text_of(u), a.is_null() ? "" : text_of(a), pct);
    }
  }
  return s;
}

nlohmann::json HlsBackend::report(const std::string& dir, std::string& text) const {
  std::string project = project_name_of(dir);
  std::vector<fs::path> reports = find_reports(dir, project);
  if (reports.empty())
    fail("{}: no HLS synthesis report found (expected {}_prj/solution1/syn/report/{}_csynth.xml); run "
         "`tachyon build {}` with vitis_hls or vivado_hls on PATH first",
         dir, project, project, dir);
  nlohmann::json j = parse_csynth_xml(read_file(reports.front()), reports.front().string());
  j["backend"] = "hls";
  j["project_name"] = project;
  text = format_report(j);
  return j;
}

nlohmann::json HlsBackend::build(const std::string& dir, std::string& text) const {
  std::string project = project_name_of(dir);
  std::vector<std::string> cmd;
  std::string tool;
  if (!find_on_path("vitis_hls").empty()) {
    tool = "vitis_hls";
    cmd = {"vitis_hls", "-f", "build_prj.tcl", "reset=1 csim=0 synth=1 cosim=0 export=0"};
  } else if (!find_on_path("vivado_hls").empty()) {
    tool = "vivado_hls";
    cmd = {"vivado_hls", "-f", "vivado_hls_build.tcl", "csim=0 synth=1 cosim=0 export=0"};
  } else {
    fail("vitis_hls not found on PATH (nor vivado_hls): HLS synthesis needs the AMD/Xilinx tools; source their "
         "settings64.sh, or use `tachyon simulate {}` for the bit-exact C simulation, or convert with `--backend "
         "verilog` and use `tachyon report` on that Verilog project for open-source figures (yosys)",
         dir);
  }
  ProcessResult r = run_process(cmd, dir);
  write_file_atomic(fs::path(dir) / (tool + "_build.log"), r.output, true);
  if (r.exit_code != 0) {
    std::istringstream in(r.output);
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line)) lines.push_back(line);
    std::string tail;
    for (size_t i = lines.size() > 30 ? lines.size() - 30 : 0; i < lines.size(); ++i) tail += lines[i] + "\n";
    fail("{} failed (exit code {}; log in {}):\n{}", tool, r.exit_code, (fs::path(dir) / (tool + "_build.log")).string(),
         tail);
  }
  return report(dir, text);
}

}  // namespace tachyon::backends::hls
