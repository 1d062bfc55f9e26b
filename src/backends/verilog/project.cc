// Writes a Verilog project folder: design, testbench, harness, Yosys script, manifest.
#include <fmt/format.h>

#include <filesystem>
#include <map>
#include <memory>
#include <tuple>

#include "tachyon/backends/verilog.h"
#include "tachyon/backends/verilog/net.h"
#include "tachyon/backends/verilog/project.h"
#include "tachyon/backends/verilog/rtl.h"
#include "tachyon/backends/verilog/vast.h"
#include "tachyon/ir/verifier.h"
#include "tachyon/support/error.h"
#include "tachyon/support/output_dir.h"

namespace tachyon::backends::verilog {

namespace {

std::string top_name(const std::string& project) {
  std::string s = ir::sanitize_identifier(project);
  if (s.empty() || !std::isalpha(static_cast<unsigned char>(s[0]))) s = "top_" + s;
  if (vast::is_keyword(s)) s += "_top";
  return s;
}

nlohmann::json port_json(const PortLayout& p) {
  nlohmann::json j{{"name", p.name},           {"shape", p.shape},           {"user_shape", p.user_shape},
                   {"perm", p.perm},           {"type", p.type.str()},       {"width", p.type.width},
                   {"signed", p.type.is_signed}, {"elements", p.elements},    {"bit_offset", p.bit_offset}};
  if (!p.element_types.empty()) {
    // Per element: its type ("" = pruned, no bits) and bit offset; a code of `type` becomes
    // the element's by the fixed-point conversion to it.
    nlohmann::json types = nlohmann::json::array();
    for (const auto& t : p.element_types) types.push_back(t ? t->str() : std::string());
    j["element_types"] = types;
    j["element_offsets"] = p.element_offsets;
  }
  return j;
}

std::vector<std::string> bus_lines(const PortLayout& p) {
  if (p.element_types.empty())
    return {fmt::format("  {} {} {}: element e at bits [{} + {}*e +: {}]", p.name, ir::shape_str(p.shape), p.type.str(),
                        p.bit_offset, p.type.width, p.type.width)};
  std::vector<std::string> out{fmt::format("  {} {}: each element in its own type, already quantized (the conversion of a {}"
                                           " value to it; pruned elements have no bits):",
                                           p.name, ir::shape_str(p.shape), p.type.str())};
  for (size_t e = 0; e < p.element_types.size(); ++e) {
    const auto& t = p.element_types[e];
    out.push_back(t ? fmt::format("    element {}: {} at bits [{} +: {}]", e, t->str(), p.element_offsets[e], t->width)
                    : fmt::format("    element {}: pruned (constant 0)", e));
  }
  return out;
}

bool option_bool(const nlohmann::json& extra, const char* key, bool def) {
  if (!extra.is_object() || !extra.contains(key)) return def;
  const auto& v = extra[key];
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number_integer()) return v.get<int64_t>() != 0;
  fail("verilog backend: option \"{}\" must be true or false", key);
}

int option_int(const nlohmann::json& extra, const char* key, int def) {
  if (!extra.is_object() || !extra.contains(key)) return def;
  const auto& v = extra[key];
  if (!v.is_number_integer()) fail("verilog backend: option \"{}\" must be an integer", key);
  return static_cast<int>(v.get<int64_t>());
}

// Constant-multiplication scheme: "cmvm" (whole layer), "mcm" (per input) or "csd" (plain).
std::string arithmetic_of(const nlohmann::json& extra) {
  std::string a = "cmvm";
  if (extra.is_object() && extra.contains("arithmetic")) {
    if (!extra["arithmetic"].is_string()) fail("verilog backend: option \"arithmetic\" must be a string");
    a = extra["arithmetic"].get<std::string>();
  }
  if (!option_bool(extra, "mcm", true)) a = "csd";
  if (a != "cmvm" && a != "mcm" && a != "csd")
    fail("verilog backend: unknown arithmetic '{}': choose cmvm, mcm or csd", a);
  return a;
}

// A node that builds an adder (not a pure shift).
bool is_adder(const Dfg& d, const DfgNode& n) {
  return n.kind == DKind::Neg || n.kind == DKind::Add3 ||
         (n.kind == DKind::Add && !(d.is_const(n.args[1]) && d.node(n.args[1]).value.is_zero()));
}

// Adder bits of an adder node: its width minus the low bits one operand passes through
// (a + (b << s) and a - (b << s) copy a's low s bits; a negation has none). A ternary adder
// counts as two adders of the bits above its pass-through (rtl_emit prints it as a
// carry-save step and one adder: two LUTs per bit).
int64_t node_adder_bits(const DfgNode& n) {
  if (n.kind == DKind::Neg) return n.width;
  if (n.kind == DKind::Add3) {
    const int sh[3] = {n.sa, n.sb, n.sc};
    const bool neg[3] = {false, n.sub, n.sub_c};
    int p = 0;
    for (int i = 1; i < 3; ++i)
      if (sh[i] < sh[p]) p = i;
    int second = 1 << 30;
    for (int i = 0; i < 3; ++i)
      if (i != p) second = std::min(second, sh[i]);
    int pass = !neg[p] && second > sh[p] ? second : 0;
    return 2 * std::max(1, n.width - pass);
  }
  int pass = n.sa == 0 ? n.sb : (n.sub ? 0 : n.sa);
  return std::max(1, n.width - pass);
}

nlohmann::json critical_path_json(const ScheduleResult& s) {
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& p : s.critical_path) steps.push_back({{"node", p.node}, {"what", p.what}, {"time_ns", p.time_ns}});
  return {{"stage", s.worst_stage}, {"steps", steps}};
}

// Adder bits of every live adder of the datapath.
int64_t total_adder_bits(const Dfg& d) {
  std::vector<bool> live = d.live();
  int64_t bits = 0;
  for (size_t i = 0; i < d.size(); ++i) {
    const DfgNode& n = d.node(static_cast<DNode>(i));
    if (live[i] && is_adder(d, n)) bits += node_adder_bits(n);
  }
  return bits;
}

}  // namespace

Simulator parse_simulator(const std::string& s) {
  if (s.empty() || s == "auto") return Simulator::Auto;
  if (s == "verilator") return Simulator::Verilator;
  if (s == "icarus" || s == "iverilog") return Simulator::Icarus;
  fail("unknown RTL simulator '{}': choose verilator, icarus or auto", s);
}

void write_project(const ir::Graph& g, const BackendOptions& o) {
  ir::verify(g, ir::VerifyLevel::Typed);
  if (!(o.clock_period_ns > 0)) fail("verilog backend: clock period must be positive, got {}", o.clock_period_ns);
  bool dsp = option_bool(o.extra, "dsp", false);
  std::string arith = arithmetic_of(o.extra);
  bool share = arith != "csd";
  int depth_slack = option_int(o.extra, "depth_slack", 0);
  std::string adder_inputs = "auto";
  if (o.extra.is_object() && o.extra.contains("adder_inputs")) {
    const auto& v = o.extra["adder_inputs"];
    adder_inputs = v.is_number_integer() ? std::to_string(v.get<int64_t>()) : v.is_string() ? v.get<std::string>() : "?";
  }
  if (adder_inputs != "auto" && adder_inputs != "2" && adder_inputs != "3")
    fail("verilog backend: option \"adder_inputs\" must be auto, 2 or 3, got '{}'", adder_inputs);
  std::string sim = o.extra.is_object() && o.extra.contains("simulator") && o.extra["simulator"].is_string()
                        ? o.extra["simulator"].get<std::string>()
                        : std::string("auto");
  parse_simulator(sim);
  std::string top = top_name(o.project_name);

  TimingModel tm;
  tm.period_ns = o.clock_period_ns;
  // Sum structures tried: (operands per adder of the sums, inputs per adder of the CMVM depth
  // bound). Ternary sums have fewer levels; a binary bound lets the CMVM share more
  // sub-expressions (fewer adder bits) at the price of depth. The design kept is the one with
  // the fewest cycles at the clock, then the fewest adder bits, then register bits.
  std::vector<std::pair<int, int>> tries;
  if (adder_inputs != "3") tries.push_back({2, 2});
  if (adder_inputs != "2") tries.push_back({3, 2});
  if (adder_inputs != "2" && arith == "cmvm") tries.push_back({3, 3});  // the bound is the CMVM's
  struct Candidate {
    std::unique_ptr<Dfg> d;
    std::unique_ptr<NetEmitter> ne;
    ScheduleResult s;
    int64_t bits = 0;
    std::pair<int, int> sums;
  };
  Candidate best;
  for (const auto& t : tries) {
    Candidate c;
    c.sums = t;
    c.d = std::make_unique<Dfg>();
    c.d->set_adder_arity(t.first);
    c.ne = std::make_unique<NetEmitter>(g, *c.d, NetOptions{dsp, share, arith == "cmvm", depth_slack, t.second});
    c.ne->build();
    c.s = schedule(*c.d, tm);
    c.bits = total_adder_bits(*c.d);
    if (!best.d || std::tie(c.s.latency, c.bits, c.s.register_bits) < std::tie(best.s.latency, best.bits, best.s.register_bits))
      best = std::move(c);
  }
  Dfg& d = *best.d;
  const NetEmitter& ne = *best.ne;
  const ScheduleResult& s = best.s;
  const int sum_inputs = best.sums.first;
  int in_w = std::max(1, d.input_width()), out_w = std::max(1, output_bus_width(d));
  double fmax = 1000.0 / (std::max(s.max_stage_delay_ns, tm.lut_ns) + tm.overhead_ns);

  RtlOptions ro;
  ro.module_name = top;
  std::string model = g.name.empty() ? std::string("model") : g.name;
  std::string src = g.source_file.empty() ? std::string() : std::filesystem::path(g.source_file).filename().string();
  auto& h = ro.header;
  const int ii = initiation_interval(d);
  const bool synth_dsp = dsp || ii > 1;  // folded layers multiply signals: DSP48E2 blocks
  h.push_back(fmt::format("{}: {} datapath generated by Tachyon from model '{}'{}.", top, ii == 1 ? "fully pipelined" : "pipelined",
                          model, src.empty() ? "" : " (" + src + ")"));
  if (ii == 1) {
    h.push_back(fmt::format("LATENCY = {} cycles = {:.3g} ns at the requested {:.3g} ns clock; one new sample every clock.",
                            s.latency, s.latency * o.clock_period_ns, o.clock_period_ns));
    h.push_back(fmt::format("in_data is sampled at every rising edge; the result of the sample taken at edge k is on"));
    h.push_back(fmt::format("out_data right after edge k + {} (input and output are registered; no reset, no valid).", s.latency));
  } else {
    h.push_back(fmt::format("LATENCY = {} cycles = {:.3g} ns at the requested {:.3g} ns clock; INTERVAL = {} cycles (folded layers",
                            s.latency, s.latency * o.clock_period_ns, o.clock_period_ns, ii));
    h.push_back("share their multipliers over ReuseFactor phases): one new sample every INTERVAL clocks at most.");
    h.push_back("A sample is taken at a rising edge where in_valid and in_ready are high (in_ready is low for INTERVAL - 1");
    h.push_back(fmt::format("cycles after each one); its result is on out_data right after edge k + {}, where out_valid is high", s.latency));
    h.push_back("for one cycle. No reset: the control registers have power-up values.");
  }
  h.push_back("Buses: graph tensors in order, elements in internal channels-last row-major order, element 0 in the");
  h.push_back("least significant bits, each element the raw code of its fixed-point type (two's complement if signed).");
  h.push_back(fmt::format("in_data [{}:0]:", in_w - 1));
  for (const PortLayout& p : ne.inputs())
    for (std::string& l : bus_lines(p)) h.push_back(std::move(l));
  h.push_back(fmt::format("out_data [{}:0]:", out_w - 1));
  for (const PortLayout& p : ne.outputs())
    for (std::string& l : bus_lines(p)) h.push_back(std::move(l));
  h.push_back(fmt::format("Timing model: {:.3g} ns of logic per stage; worst stage {:.3g} ns (estimated Fmax {:.0f} MHz).",
                          tm.budget(), s.max_stage_delay_ns, fmax));
  {
    // Its critical path, a few steps per line (arrival time in ns after each node).
    std::string line = fmt::format("Critical path (stage {}):", s.worst_stage);
    for (size_t i = 0; i < s.critical_path.size(); ++i) {
      const auto& p = s.critical_path[i];
      std::string step = fmt::format(" {}{} ({} {:.2f})", i ? "-> " : "", p.node, p.what, p.time_ns);
      if (line.size() + step.size() > 110) {
        h.push_back(line);
        line = "  ";
      }
      line += step;
    }
    h.push_back(line);
  }
  h.push_back(fmt::format("Constant multiplications: {}.", dsp ? "DSP multipliers for weights with more than two CSD digits, shift-and-add otherwise"
                                                              : (arith == "cmvm"  ? "shift-and-add (CSD digits, sub-expressions shared across the whole weight matrix)"
                                                                 : arith == "mcm" ? "shift-and-add (CSD digits, sub-expressions shared per input)"
                                                                                  : "shift-and-add (plain CSD)")));
  h.push_back(sum_inputs == 3 ? "Sums: ternary adders (a carry-save step and one carry chain: one LUT level each)."
                                 : "Sums: trees of two-input adders.");
  h.push_back("Layers (accumulation: exact = no conversion can change a bit, any adder order; modular = AP_WRAP");
  h.push_back("accumulator, sum modulo 2^W; sequential = the literal acc = accum_t(acc + p) chain in order):");
  // Adders actually built per layer (live nodes after constant folding and dead-code removal).
  std::vector<bool> live = d.live();
  // Adder depth: adder levels on the longest path within the layer (node ids are topological).
  std::map<int, int> adders_of_group, depth_of_group, ternary_of_group;
  std::map<int, int64_t> bits_of_group;
  std::vector<int> adder_depth(d.size(), 0);
  for (size_t i = 0; i < d.size(); ++i) {
    const DfgNode& n = d.node(static_cast<DNode>(i));
    bool adder = is_adder(d, n);
    if (!live[i]) continue;
    int dep = 0;
    for (DNode a : n.args)
      if (d.node(a).group == n.group) dep = std::max(dep, adder_depth[static_cast<size_t>(a)]);
    adder_depth[i] = dep + (adder ? 1 : 0);
    depth_of_group[n.group] = std::max(depth_of_group[n.group], adder_depth[i]);
    if (adder) {
      adders_of_group[n.group] += n.kind == DKind::Add3 ? 2 : 1;
      if (n.kind == DKind::Add3) ++ternary_of_group[n.group];
      bits_of_group[n.group] += node_adder_bits(n);
    }
  }
  nlohmann::json layers = nlohmann::json::array();
  for (const LayerInfo& l : ne.layers()) {
    int adders = adders_of_group[l.group];
    std::string line = fmt::format("  {} ({})", l.name, l.op);
    const DotStats& st = l.dot;
    if (st.exact + st.modular + st.sequential > 0)
      line += fmt::format(": outputs exact {}, modular {}, sequential {}", st.exact, st.modular, st.sequential);
    if (adders) {
      line += fmt::format("; adders {} ({} adder bits, depth {}", adders, bits_of_group[l.group], depth_of_group[l.group]);
      if (ternary_of_group[l.group]) line += fmt::format("; {} ternary adders counted as two each", ternary_of_group[l.group]);
      line += ")";
    }
    if (st.csd_adders) line += fmt::format(" (one plain CSD tree per output: {})", st.csd_adders);
    if (st.dsp_products) line += fmt::format("; DSP products {}", st.dsp_products);
    if (l.roms) line += fmt::format("; ROM lookups {}", l.roms);
    if (l.multipliers) line += fmt::format("; multipliers {}", l.multipliers);
    if (l.reuse_factor > 1) line += fmt::format(" (folded: ReuseFactor {}, one sample every {} cycles)", l.reuse_factor, l.reuse_factor);
    h.push_back(line);
    layers.push_back({{"name", l.name},
                      {"op", l.op},
                      {"accumulation", {{"exact", st.exact}, {"modular", st.modular}, {"sequential", st.sequential}}},
                      {"adders", adders},
                      {"adder_bits", bits_of_group[l.group]},
                      {"adder_depth", depth_of_group[l.group]},
                      {"ternary_adders", ternary_of_group[l.group]},
                      {"cmvm_outputs", st.cmvm_outputs},
                      {"shared_subexpression_adders", st.mcm_adders},
                      {"plain_csd_adders", st.csd_adders},
                      {"dsp_products", st.dsp_products},
                      {"rom_lookups", l.roms},
                      {"multipliers", l.multipliers},
                      {"reuse_factor", l.reuse_factor}});
  }
  vast::File file = emit_rtl(d, s, ro);
  file.header = {fmt::format("Generated by Tachyon (Verilog backend) from model '{}'. Do not edit.", model)};
  std::string design = vast::print_file(file);

  nlohmann::json inputs = nlohmann::json::array(), outputs = nlohmann::json::array();
  for (const PortLayout& p : ne.inputs()) inputs.push_back(port_json(p));
  for (const PortLayout& p : ne.outputs()) outputs.push_back(port_json(p));
  int live_nodes = 0;
  for (bool b : live) live_nodes += b;
  nlohmann::json manifest = {
      {"backend", "verilog"},
      {"project_name", o.project_name},
      {"top", top},
      {"model", model},
      {"source_file", src},
      {"part", o.part},
      {"design_file", top + ".v"},
      {"testbench_file", "tb_" + top + ".v"},
      {"harness_file", "sim_main.cpp"},
      {"yosys_script", "synth.ys"},
      {"clock_period_ns", o.clock_period_ns},
      {"latency_cycles", s.latency},
      {"latency_ns", s.latency * o.clock_period_ns},
      {"pipeline_stages", s.last_stage + 1},
      {"interval_cycles", ii},
      {"dsp", dsp},
      {"synth_dsp", synth_dsp},
      {"mcm", share},
      {"arithmetic", arith},
      {"depth_slack", depth_slack},
      {"adder_inputs", sum_inputs},
      {"critical_path", critical_path_json(s)},
      {"adder_depth_bound_inputs", best.sums.second},
      {"simulator", sim},
      {"input_bus_width", in_w},
      {"output_bus_width", out_w},
      {"inputs", inputs},
      {"outputs", outputs},
      {"layers", layers},
      {"timing_model",
       {{"logic_per_stage_ns", tm.budget()},
        {"lut_ns", tm.lut_ns},
        {"carry8_ns", tm.carry8_ns},
        {"dsp_ns", tm.dsp_ns},
        {"rom_ns", tm.rom_ns},
        {"overhead_ns", tm.overhead_ns},
        {"max_stage_delay_ns", s.max_stage_delay_ns},
        {"estimated_fmax_mhz", fmax}}},
      {"datapath", {{"nodes", live_nodes}, {"pipeline_register_bits", s.register_bits}, {"roms", d.roms().size()}}},
  };

  StagedDir out(o.output_dir, o.force);
  out.write_file(top + ".v", design);
  out.write_file("tb_" + top + ".v", icarus_testbench(top, in_w, out_w, s.latency, ii));
  out.write_file("sim_main.cpp", verilator_harness(top, in_w, out_w, s.latency, ii));
  out.write_file("synth.ys", yosys_script(top, top + ".v", synth_dsp));
  out.write_file("synth_plain.ys", yosys_plain_script(top, top + ".v", synth_dsp));
  out.write_file("tachyon_project.json", manifest.dump(2) + "\n");
  out.commit();
}

}  // namespace tachyon::backends::verilog
