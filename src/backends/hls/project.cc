// ProjectBuilder: names every array and type, collects the layers' code and writes the
// project's own files (the library is copied by write_project).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "backends/hls/hls_internal.h"
#include "tachyon/ir/verifier.h"
#include "tachyon/support/error.h"
#include "tachyon/support/strings.h"

namespace tachyon::backends::hls {

ProjectBuilder::ProjectBuilder(const ir::Graph& g, const BackendOptions& opts) : g_(g), opts_(opts) {
  g_.sort();
  ir::verify(g_, ir::VerifyLevel::Typed);
  if (opts_.project_name.empty()) fail("the project name is empty");
  if (ir::sanitize_identifier(opts_.project_name) != opts_.project_name)
    fail("project name '{}' is not a C identifier (use letters, digits and '_', not starting with a digit)",
         opts_.project_name);
  names_.claim(opts_.project_name);
  name_ports_and_values();
}

const FixedType& ProjectBuilder::value_type(ir::ValueId v, const ir::Node& n) const {
  const ir::Value& val = g_.value(v);
  if (!val.type)
    fail("{}value '{}' has no fixed-point type; the HLS backend needs a typed graph (run the pass pipeline)",
         node_prefix(g_, n), val.name);
  return *val.type;
}

const FixedType& ProjectBuilder::internal_type(const ir::Node& n, const std::string& key) const {
  auto it = n.config.types.find(key);
  if (it == n.config.types.end())
    fail("{}no '{}' type in the layer configuration (precision inference did not run?)", node_prefix(g_, n), key);
  return it->second;
}

void ProjectBuilder::name_ports_and_values() {
  if (g_.inputs.empty()) fail("the graph has no inputs");
  if (g_.outputs.empty()) fail("the graph has no outputs");
  // Ports first, so they keep their names.
  for (const ir::IoPort& p : g_.inputs) {
    const ir::Value& v = g_.value(p.value);
    if (!v.type) fail("graph input '{}' has no fixed-point type (run the pass pipeline)", p.name);
    std::string arr = names_.claim(p.name.empty() ? v.name : p.name);
    input_arrays_.push_back(arr);
    arrays_[p.value] = arr;
    std::string tn = names_.claim(g_.inputs.size() == 1 ? std::string("input_t") : arr + "_t");
    type_names_[p.value] = tn;
    typedefs_.push_back({tn, *v.type, fmt::format("graph input '{}' {}", p.name, ir::shape_str(v.shape))});
    size_macros_.push_back({names_.claim("N_" + to_upper(arr)), ir::num_elements(v.shape)});
  }
  for (const ir::IoPort& p : g_.outputs) {
    const ir::Value& v = g_.value(p.value);
    std::string arr = names_.claim(p.name.empty() ? v.name : p.name);
    output_arrays_.push_back(arr);
    output_types_.push_back("");
    if (!v.type) fail("graph output '{}' has no fixed-point type (run the pass pipeline)", p.name);
    size_macros_.push_back({names_.claim("N_" + to_upper(arr)), ir::num_elements(v.shape)});
  }
  for (ir::NodeId id : g_.node_ids()) node_names_[g_.node(id).name] = names_.claim(g_.node(id).name);
  // Node outputs: written straight into an output port when the value is a graph output
  // read by no other node (ports are write-only in hardware), else into a local array.
  std::set<ir::ValueId> direct;
  for (size_t k = 0; k < g_.outputs.size(); ++k) {
    ir::ValueId v = g_.outputs[k].value;
    const ir::Value& val = g_.value(v);
    if (val.producer == ir::kNone || val.is_constant() || direct.count(v) || !g_.users(v).empty()) continue;
    direct.insert(v);
    arrays_[v] = output_arrays_[k];
    std::string tn = names_.claim(g_.outputs.size() == 1 ? std::string("result_t") : output_arrays_[k] + "_t");
    type_names_[v] = tn;
    output_types_[k] = tn;
    typedefs_.push_back({tn, *val.type, fmt::format("graph output '{}' {}", g_.outputs[k].name, ir::shape_str(val.shape))});
  }
  for (ir::NodeId id : g_.node_ids()) {
    const ir::Node& n = g_.node(id);
    for (size_t k = 0; k < n.outputs.size(); ++k) {
      ir::ValueId v = n.outputs[k];
      if (arrays_.count(v)) continue;
      const ir::Value& val = g_.value(v);
      std::string suffix = n.outputs.size() == 1 ? "" : std::to_string(k);
      std::string arr = names_.claim(node_names_[n.name] + "_out" + suffix);
      arrays_[v] = arr;
      std::string tn = names_.claim(node_names_[n.name] + "_result" + suffix + "_t");
      type_names_[v] = tn;
      if (!val.type)
        fail("{}output value '{}' has no fixed-point type (run the pass pipeline)", node_prefix(g_, n), val.name);
      typedefs_.push_back({tn, *val.type, fmt::format("output of layer '{}' {}", n.name, ir::shape_str(val.shape))});
      size_macros_.push_back({names_.claim("N_" + to_upper(arr)), ir::num_elements(val.shape)});
    }
  }
  // The output ports that are copied (graph inputs, constants, duplicated or read values).
  for (size_t k = 0; k < g_.outputs.size(); ++k) {
    ir::ValueId v = g_.outputs[k].value;
    if (arrays_[v] == output_arrays_[k]) continue;
    std::string tn = names_.claim(g_.outputs.size() == 1 ? std::string("result_t") : output_arrays_[k] + "_t");
    output_types_[k] = tn;
    typedefs_.push_back({tn, *g_.value(v).type, fmt::format("graph output '{}'", g_.outputs[k].name)});
  }
}

std::string ProjectBuilder::array(ir::ValueId v, const ir::Node& user, const std::string& role) {
  auto it = arrays_.find(v);
  if (it != arrays_.end()) return it->second;
  const ir::Value& val = g_.value(v);
  if (!val.is_constant())
    fail("{}input value '{}' is produced by no node and is not a graph input", node_prefix(g_, user), val.name);
  const FixedType& t = value_type(v, user);
  ConstArray c;
  c.name = names_.claim(node_name(user) + "_" + role);
  c.type_name = names_.claim(c.name + "_t");
  c.type = t;
  c.literals = constant_literals(*val.constant, t, node_prefix(g_, user) + "constant '" + val.name + "'");
  if (c.literals.empty()) fail("{}constant '{}' is empty", node_prefix(g_, user), val.name);
  c.comment = fmt::format("{} of layer '{}' (model value '{}', shape {})", role, user.name, val.name,
                          ir::shape_str(val.shape));
  arrays_[v] = c.name;
  type_names_[v] = c.type_name;
  typedefs_.push_back({c.type_name, t, c.comment});
  constants_.push_back(std::move(c));
  return arrays_[v];
}

std::string ProjectBuilder::type_name(ir::ValueId v) const {
  auto it = type_names_.find(v);
  if (it == type_names_.end()) fail("internal error: value '{}' has no typedef", g_.value(v).name);
  return it->second;
}

std::string ProjectBuilder::add_type(const ir::Node& n, const std::string& role, const FixedType& t) {
  std::string tn = names_.claim(node_name(n) + "_" + role + "_t");
  typedefs_.push_back({tn, t, fmt::format("{} type of layer '{}'", role, n.name)});
  return tn;
}

std::pair<std::string, std::string> ProjectBuilder::add_table(const ir::Node& n, const std::string& role, const FixedType& t,
                                      const std::vector<Fixed>& values, const std::string& comment) {
  ConstArray c;
  c.name = names_.claim(node_name(n) + "_" + role);
  c.type_name = names_.claim(c.name + "_t");
  c.type = t;
  for (const Fixed& f : values) {
    std::string s = exact_literal(f);
    if (s.empty())
      fail("{}table '{}' has an entry that is not representable as a double ({}); use a table type of at most "
           "53 bits",
           node_prefix(g_, n), role, f.str());
    c.literals.push_back(s);
  }
  c.comment = comment;
  typedefs_.push_back({c.type_name, t, comment});
  constants_.push_back(std::move(c));
  return {constants_.back().name, constants_.back().type_name};
}

std::pair<std::string, std::string> ProjectBuilder::add_int_table(const ir::Node& n, const std::string& role,
                                                                  const std::string& ctype,
                                                                  const std::vector<int64_t>& values) {
  ConstArray c;
  c.name = names_.claim(node_name(n) + "_" + role);
  c.type_name = ctype;
  c.int_table = true;
  for (int64_t v : values) c.literals.push_back(std::to_string(v));
  if (c.literals.empty()) c.literals.push_back("0");
  c.comment = fmt::format("{} of layer '{}'", role, n.name);
  constants_.push_back(std::move(c));
  return {constants_.back().name, ctype};
}

FileMap ProjectBuilder::build() {
  std::vector<LayerCode> layers;
  for (ir::NodeId id : g_.node_ids()) {
    const ir::Node& n = g_.node(id);
    max_reuse_ = std::max(max_reuse_, n.config.reuse_factor);
    if (n.config.strategy == ir::Strategy::Resource) any_resource_ = true;
    if (n.config.reuse_factor < 1) fail("{}reuse factor must be >= 1, got {}", node_prefix(g_, n), n.config.reuse_factor);
    layers.push_back(emit_layer(*this, id));
  }
  FileMap files;
  const std::string& p = opts_.project_name;
  files["firmware/defines.h"] = emit_defines();
  files["firmware/parameters.h"] = emit_parameters(layers);
  files["firmware/" + p + ".h"] = emit_top_h();
  files["firmware/" + p + ".cpp"] = emit_top_cpp(layers);
  for (const ConstArray& c : constants_) files["firmware/weights/" + c.name + ".h"] = emit_weights(c);
  files[p + "_test.cpp"] = emit_testbench();
  files["tachyon_project.json"] = emit_manifest();
  return files;
}

std::string ProjectBuilder::emit_defines() const {
  std::string sizes, types;
  for (const auto& [name, n] : size_macros_) sizes += fmt::format("#define {} {}\n", name, n);
  for (const TypeDef& t : typedefs_) {
    types += fmt::format("typedef {} {};", t.type.c_type(), t.name);
    if (!t.comment.empty()) types += "  // " + comment_text(t.comment);
    types += "\n";
  }
  static constexpr std::string_view tmpl = R"tmpl(// Types and sizes of {{project}} (generated by Tachyon from {{model}}).
// Every precision below is the one the emulator uses (configured or inferred).
#ifndef DEFINES_H_
#define DEFINES_H_

#include "ap_fixed.h"
#include "ap_int.h"

// Array sizes (elements, internal channels-last layout).
{{sizes}}
// Types.
{{types}}
#endif  // DEFINES_H_
)tmpl";
  return render(tmpl, {{"project", opts_.project_name}, {"model", g_.name}, {"sizes", sizes}, {"types", types}},
                "defines.h");
}

std::string ProjectBuilder::emit_parameters(const std::vector<LayerCode>& layers) const {
  std::set<std::string> headers;
  std::string configs;
  for (const LayerCode& l : layers) {
    if (!l.header.empty()) headers.insert(l.header);
    if (!l.config.empty()) configs += l.config + "\n";
  }
  std::string includes;
  for (const std::string& h : headers) includes += fmt::format("#include \"tachyon/{}\"\n", h);
  static constexpr std::string_view tmpl = R"tmpl(// Layer configurations of {{project}} (generated by Tachyon from {{model}}):
// one struct per layer, read by the templates in tachyon/.
#ifndef PARAMETERS_H_
#define PARAMETERS_H_

#include <cmath>

#include "defines.h"
#include "tachyon/common.h"
{{includes}}
{{configs}}#endif  // PARAMETERS_H_
)tmpl";
  return render(tmpl, {{"project", opts_.project_name}, {"model", g_.name}, {"includes", includes}, {"configs", configs}},
                "parameters.h");
}

std::string ProjectBuilder::signature() const {
  std::string s;
  for (size_t k = 0; k < g_.inputs.size(); ++k) {
    if (!s.empty()) s += ", ";
    s += fmt::format("const {} {}[N_{}]", type_name(g_.inputs[k].value), input_arrays_[k], to_upper(input_arrays_[k]));
  }
  for (size_t k = 0; k < g_.outputs.size(); ++k)
    s += fmt::format(", {} {}[N_{}]", output_types_[k], output_arrays_[k], to_upper(output_arrays_[k]));
  return s;
}

std::string ProjectBuilder::emit_top_h() const {
  static constexpr std::string_view tmpl = R"tmpl(// Top function of {{project}} (generated by Tachyon from {{model}}).
#ifndef {{guard}}
#define {{guard}}

#include "defines.h"

void {{project}}({{signature}});

#endif  // {{guard}}
)tmpl";
  return render(tmpl,
                {{"project", opts_.project_name},
                 {"model", g_.name},
                 {"guard", to_upper(opts_.project_name) + "_H_"},
                 {"signature", signature()}},
                "top header");
}

std::string ProjectBuilder::emit_top_cpp(const std::vector<LayerCode>& layers) const {
  std::string ports, weights, body;
  std::string all_ports;
  for (const std::string& a : input_arrays_) all_ports += (all_ports.empty() ? "" : ",") + a;
  for (const std::string& a : output_arrays_) all_ports += "," + a;
  for (const std::string& a : input_arrays_)
    ports += fmt::format("  #pragma HLS ARRAY_RESHAPE variable = {} complete dim = 0\n", a);
  for (const std::string& a : output_arrays_)
    ports += fmt::format("  #pragma HLS ARRAY_RESHAPE variable = {} complete dim = 0\n", a);
  ports += fmt::format("  #pragma HLS INTERFACE ap_vld port = {}\n", all_ports);
  ports += "  #pragma HLS INTERFACE ap_ctrl_hs port = return\n";
  std::string top_pragma = any_resource_ ? std::string("  #pragma HLS DATAFLOW\n")
                                         : fmt::format("  #pragma HLS PIPELINE II = {}\n", max_reuse_);
  for (const ConstArray& c : constants_) weights += fmt::format("#include \"weights/{}.h\"\n", c.name);
  std::vector<ir::NodeId> ids = g_.node_ids();
  for (size_t i = 0; i < ids.size(); ++i) {
    const ir::Node& n = g_.node(ids[i]);
    std::string what = fmt::format("{}: {}", n.name, ir::op_name(n.op));
    if (!n.source_name.empty() && (n.source_name != n.name || n.source_op != ir::op_name(n.op)))
      what += fmt::format(" (model node '{}', {})", n.source_name, n.source_op);
    body += "\n  // " + comment_text(what) + "\n";
    for (ir::ValueId v : n.outputs) {
      const std::string& arr = arrays_.at(v);
      if (std::find(output_arrays_.begin(), output_arrays_.end(), arr) != output_arrays_.end()) continue;
      body += fmt::format("  {} {}[N_{}];\n", type_name(v), arr, to_upper(arr));
      body += fmt::format("  #pragma HLS ARRAY_PARTITION variable = {} complete dim = 0\n", arr);
    }
    body += layers[i].call;
  }
  for (size_t k = 0; k < g_.outputs.size(); ++k) {
    ir::ValueId v = g_.outputs[k].value;
    auto found = arrays_.find(v);
    if (found == arrays_.end())
      fail("graph output '{}' is a constant; the HLS backend needs it computed by a layer", g_.outputs[k].name);
    const std::string& src = found->second;
    if (src == output_arrays_[k]) continue;
    body += "\n  // " + comment_text(fmt::format("graph output '{}'", g_.outputs[k].name)) + "\n";
    body += fmt::format("  for (unsigned i = 0; i < N_{}; i++) {}[i] = ({}){}[i];\n", to_upper(output_arrays_[k]),
                        output_arrays_[k], output_types_[k], src);
  }
  static constexpr std::string_view tmpl = R"tmpl(// Top function of {{project}} (generated by Tachyon from {{model}}).
// io_parallel: every array is passed as a whole; one call per layer, in graph order.
#include "{{project}}.h"
#include "parameters.h"

{{weights}}
void {{project}}({{signature}}) {
{{ports}}{{top_pragma}}{{body}}}
)tmpl";
  return render(tmpl,
                {{"project", opts_.project_name},
                 {"model", g_.name},
                 {"weights", weights},
                 {"signature", signature()},
                 {"ports", ports},
                 {"top_pragma", top_pragma},
                 {"body", body}},
                "top function");
}

std::string ProjectBuilder::emit_weights(const ConstArray& c) const {
  std::string values;
  const size_t per_line = 8;
  for (size_t i = 0; i < c.literals.size(); ++i) {
    if (i % per_line == 0) values += "    ";
    values += c.literals[i];
    if (i + 1 < c.literals.size()) values += (i % per_line == per_line - 1) ? ",\n" : ", ";
  }
  static constexpr std::string_view tmpl = R"tmpl(// {{comment}}
// Type {{ctype}}{{exact}}.
#ifndef {{guard}}
#define {{guard}}

static const {{type}} {{name}}[{{n}}] = {
{{values}}};

#endif  // {{guard}}
)tmpl";
  return render(tmpl,
                {{"comment", comment_text(c.comment)},
                 {"ctype", c.int_table ? c.type_name : c.type.str()},
                 {"exact", c.int_table ? "" : "; every literal converts to that type exactly"},
                 {"guard", "WEIGHTS_" + to_upper(c.name) + "_H_"},
                 {"type", c.type_name},
                 {"name", c.name},
                 {"n", std::to_string(c.literals.size())},
                 {"values", values}},
                "weights header");
}

}  // namespace tachyon::backends::hls
