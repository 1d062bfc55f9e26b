// Internals of the HLS backend shared by its source files (not a public header).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "tachyon/backends/backend.h"
#include "tachyon/backends/hls.h"
#include "tachyon/fixed/fixed.h"
#include "tachyon/ir/graph.h"
#include "tachyon/support/process.h"
#include "tachyon/support/version.h"

namespace tachyon::backends::hls {

class HlsBackend final : public Backend {
 public:
  std::string name() const override { return "hls"; }
  void write(const ir::Graph& g, const BackendOptions& opts) const override { write_project(g, opts); }
  void simulate(const std::string& dir, const std::string& in_npy, const std::string& out_npy) const override;
  nlohmann::json build(const std::string& dir, std::string& text) const override;
  nlohmann::json report(const std::string& dir, std::string& text) const override;
};

// Unique C identifiers (case-insensitively unique, so upper-cased size macros are too).
class Names {
 public:
  Names();
  std::string claim(const std::string& base);

 private:
  std::set<std::string> used_;  // lower case
};

// A constant array for firmware/weights/<name>.h.
struct ConstArray {
  std::string name;       // C array name (also the header's stem)
  std::string type_name;  // its typedef (or a C integer type for int tables)
  FixedType type;
  bool int_table = false;  // plain C integers (tree structure), no typedef
  std::vector<std::string> literals;
  std::string comment;
};

// A typedef for defines.h.
struct TypeDef {
  std::string name;
  FixedType type;
  std::string comment;
};

// What one layer contributes to the project.
struct LayerCode {
  std::string config;  // configuration struct(s) for parameters.h
  std::string call;    // statements for the top function
  std::string header;  // library header used, e.g. "dense.h"
};

// The state of one project generation; the layer emitters (layers_*.cc) use it.
class ProjectBuilder {
 public:
  ProjectBuilder(const ir::Graph& g, const BackendOptions& opts);
  FileMap build();

  const ir::Graph& graph() const { return g_; }
  const BackendOptions& options() const { return opts_; }

  // The array holding data value v (a port or a layer output); for a constant value, the
  // constant array (created on first use, named <node>_<role>).
  std::string array(ir::ValueId v, const ir::Node& user, const std::string& role);
  // The typedef name of value v's type (constants included, after array()).
  std::string type_name(ir::ValueId v) const;
  // Registers a typedef <node>_<role>_t for an internal type of a layer.
  std::string add_type(const ir::Node& n, const std::string& role, const FixedType& t);
  // Registers a constant array with the given values (already of type t); returns the
  // array's name and its typedef.
  std::pair<std::string, std::string> add_table(const ir::Node& n, const std::string& role, const FixedType& t,
                        const std::vector<Fixed>& values, const std::string& comment);
  // A new unique identifier.
  std::string claim(const std::string& base) { return names_.claim(base); }
  // Registers a constant array of C integers (type `ctype`, e.g. "short").
  std::pair<std::string, std::string> add_int_table(const ir::Node& n, const std::string& role, const std::string& ctype,
                                                    const std::vector<int64_t>& values);
  // The C name of node n (unique, sanitized).
  const std::string& node_name(const ir::Node& n) const { return node_names_.at(n.name); }
  // A value's type, with an error naming the node when it has none.
  const FixedType& value_type(ir::ValueId v, const ir::Node& n) const;
  // An internal type of a node (node.config.types[key]), with a clear error if missing.
  const FixedType& internal_type(const ir::Node& n, const std::string& key) const;

 private:
  void name_ports_and_values();
  std::string emit_defines() const;
  std::string emit_parameters(const std::vector<LayerCode>& layers) const;
  std::string emit_top_cpp(const std::vector<LayerCode>& layers) const;
  std::string emit_top_h() const;
  std::string signature() const;
  std::string emit_weights(const ConstArray& c) const;
  std::string emit_testbench() const;
  std::string emit_manifest() const;

  ir::Graph g_;  // a sorted copy
  BackendOptions opts_;
  Names names_;
  std::map<std::string, std::string> node_names_;  // node name -> C name
  std::map<ir::ValueId, std::string> arrays_;      // data values and constants
  std::map<ir::ValueId, std::string> type_names_;  // value typedefs
  std::vector<TypeDef> typedefs_;                  // in order of creation
  std::vector<ConstArray> constants_;
  std::vector<std::pair<std::string, int64_t>> size_macros_;
  std::vector<std::string> input_arrays_, output_arrays_, output_types_;
  int max_reuse_ = 1;
  bool any_resource_ = false;
};

// The code of one layer (switch over every op; see layers_*.cc).
LayerCode emit_layer(ProjectBuilder& b, ir::NodeId id);
// Per family (each in its own file).
LayerCode emit_dense(ProjectBuilder& b, const ir::Node& n, const std::string& name);
LayerCode emit_conv(ProjectBuilder& b, const ir::Node& n, const std::string& name);
LayerCode emit_pool(ProjectBuilder& b, const ir::Node& n, const std::string& name);
LayerCode emit_activation(ProjectBuilder& b, const ir::Node& n, const std::string& name);
LayerCode emit_softmax(ProjectBuilder& b, const ir::Node& n, const std::string& name);
LayerCode emit_elementwise(ProjectBuilder& b, const ir::Node& n, const std::string& name);
LayerCode emit_layout(ProjectBuilder& b, const ir::Node& n, const std::string& name);
LayerCode emit_tree(ProjectBuilder& b, const ir::Node& n, const std::string& name);
LayerCode emit_element_quant(ProjectBuilder& b, const ir::Node& n, const std::string& name);

// Text safe inside a // comment: control characters and backslashes become spaces / '/'.
std::string comment_text(const std::string& s);
// "node 'fc1' (Gemm): " prefix for errors about a node.
std::string node_prefix(const ir::Graph& g, const ir::Node& n);
// Values of a constant converted to its type (each entry exact), as C++ literals.
std::vector<std::string> constant_literals(const ir::Tensor& t, const FixedType& type, const std::string& what);
// The call statement `tachyon_hls::fn<T1, T2, config_x>(args);`.
std::string call(const std::string& fn, const std::vector<std::string>& targs, const std::vector<std::string>& args);
// The layer's output array declaration (when it is not a port) is added by the builder;
// emitters only produce calls.


}  // namespace tachyon::backends::hls

namespace tachyon::backends::hls {

// A configuration struct for parameters.h, built member by member.
class ConfigStruct {
 public:
  ConfigStruct(std::string name, std::string base) : name_(std::move(name)), base_(std::move(base)) {}
  ConfigStruct& u(const std::string& key, int64_t v);  // static const unsigned
  ConfigStruct& i(const std::string& key, int64_t v);  // static const int
  ConfigStruct& b(const std::string& key, bool v);     // static const bool
  ConfigStruct& e(const std::string& key, const std::string& enum_type, const std::string& v);
  ConfigStruct& t(const std::string& key, const std::string& type);  // typedef type key;
  ConfigStruct& line(const std::string& text);                       // any member
  // The layer's common members: reuse_factor, strategy.
  ConfigStruct& common(const ir::Node& n);
  const std::string& name() const { return name_; }
  std::string str() const;

 private:
  std::string name_, base_;
  std::string body_;
};

// Elements of operand v as the library indexes it (i % count) for an output of shape
// `out`: the same shape (ignoring leading 1s), a scalar (1), or the last axis.
int64_t operand_count(const ir::Graph& g, const ir::Node& n, ir::ValueId v, const ir::Shape& out);
// A `static T name() { return <literal>; }` member returning v converted to t.
std::string param_fn(const std::string& fn, const std::string& type_name, double v, const FixedType& t,
                     const std::string& what);

// Number of elements of a value, checked positive.
int64_t elements(const ir::Graph& g, ir::ValueId v, const ir::Node& n);

}  // namespace tachyon::backends::hls
