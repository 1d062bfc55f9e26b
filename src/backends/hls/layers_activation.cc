// Activations (Relu .. Clip, Cast) and Softmax. Tables come from the emulator's builders
// (tachyon/emulator/tables.h), so every executor holds the same codes.
#include <fmt/format.h>

#include <limits>

#include "backends/hls/hls_internal.h"
#include "tachyon/emulator/tables.h"
#include "tachyon/support/error.h"

namespace tachyon::backends::hls {

// `static T name() { return <literal>; }`: a parameter converted to t (exactly the
// emulator's constant).
std::string param_fn(const std::string& fn, const std::string& type_name, double v, const FixedType& t,
                     const std::string& what) {
  if (std::isnan(v)) fail("{}: NaN parameter", what);
  std::string lit = exact_literal(Fixed::from_double(v, t));
  if (lit.empty()) lit = double_literal(v);  // wider than a double: the constructor converts
  return fmt::format("static {} {}() {{ return {}; }}", type_name, fn, lit);
}

namespace {

// The table size, checked.
int table_size(const ProjectBuilder& b, const ir::Node& n, int size, bool pow2) {
  if (size < 1 || size > (1 << 24))
    fail("{}table_size {} is out of range (1..16777216)", node_prefix(b.graph(), n), size);
  if (pow2 && emulator::table_bits(size) < 0)
    fail("{}table_size {} must be a power of two for softmax", node_prefix(b.graph(), n), size);
  return size;
}

// Number of elements of an operand broadcast to an output of shape `out` (the emulator's
// rule: the same shape ignoring leading 1s, a scalar, or one value per last-axis element);
// the library indexes it with i % count.
int64_t broadcast_count(const ir::Graph& g, const ir::Node& n, ir::ValueId v, const ir::Shape& out) {
  auto strip = [](const ir::Shape& s) {
    size_t i = 0;
    while (i + 1 < s.size() && s[i] == 1) ++i;
    return ir::Shape(s.begin() + static_cast<std::ptrdiff_t>(i), s.end());
  };
  ir::Shape os = strip(out), vs = strip(g.value(v).shape);
  int64_t m = ir::num_elements(vs);
  if (vs == os) return ir::num_elements(os);
  if (m == 1) return 1;
  if (vs.size() == 1 && !os.empty() && vs[0] == os.back()) return m;
  fail("{}operand '{}' of shape {} cannot be broadcast to {} (supported: the same shape, a scalar, or one value per "
       "element of the last axis)",
       node_prefix(g, n), g.value(v).name, ir::shape_str(g.value(v).shape), ir::shape_str(out));
}
}  // namespace

int64_t operand_count(const ir::Graph& g, const ir::Node& n, ir::ValueId v, const ir::Shape& out) {
  return broadcast_count(g, n, v, out);
}

LayerCode emit_activation(ProjectBuilder& b, const ir::Node& n, const std::string& name) {
  const ir::Graph& g = b.graph();
  if (n.inputs.empty()) fail("{}no input", node_prefix(g, n));
  ir::ValueId x = n.inputs[0], y = n.outputs[0];
  const FixedType& xt = b.value_type(x, n);
  b.value_type(y, n);
  int64_t count = elements(g, x, n);
  if (elements(g, y, n) != count)
    fail("{}output shape {} differs from input shape {}", node_prefix(g, n), ir::shape_str(g.value(y).shape),
         ir::shape_str(g.value(x).shape));
  std::string x_arr = b.array(x, n, "in");
  std::string y_arr = b.array(y, n, "out");
  std::string what = node_prefix(g, n);
  ConfigStruct c(b.claim("config_" + name), "activ_config");
  c.u("n_in", count).common(n);
  std::vector<std::string> args{x_arr, y_arr};
  std::string fn;
  auto add_table = [&](const std::vector<Fixed>& table, const FixedType& tt, const std::string& kind) {
    auto [arr, type] = b.add_table(n, "table", tt, table,
                                   fmt::format("{} table of layer '{}' ({} entries, {})", kind, n.name, table.size(), tt.str()));
    c.u("table_size", static_cast<int64_t>(table.size())).t("table_t", type);
    args.push_back(arr);
  };
  const ir::Attrs& a = n.attrs;
  if (n.op == ir::Op::Cast) {  // the layer dispatcher sends Cast here: hls4ml's linear activation
    fn = "linear";
  } else {
    switch (ir::family_op<ir::Family::Activation>(n.op)) {
      case ir::ActivationOp::Relu: {
        fn = "relu";
        if (!a.has("theta")) break;
        fn = "thresholded_relu";
        const FixedType& pt = b.internal_type(n, "param");
        std::string tn = b.add_type(n, "param", pt);
        c.t("param_t", tn).line(param_fn("theta", tn, a.get_float("theta", 0.0), pt, what));
        break;
      }
      case ir::ActivationOp::LeakyRelu: {
        fn = "leaky_relu";
        const FixedType& pt = b.internal_type(n, "param");
        std::string tn = b.add_type(n, "param", pt);
        c.t("param_t", tn).line(param_fn("alpha", tn, a.get_float("alpha", 0.01), pt, what));
        break;
      }
      case ir::ActivationOp::PRelu: {
        fn = "prelu";
        if (n.inputs.size() != 2) fail("{}PRelu takes 2 inputs (x, slope)", what);
        ir::ValueId s = n.inputs[1];
        if (!g.value(s).is_constant()) fail("{}the slope must be a constant", what);
        auto it = n.config.types.find("param");
        FixedType pt = it != n.config.types.end() ? it->second : b.value_type(s, n);
        int64_t ns = broadcast_count(g, n, s, g.value(y).shape);
        auto [arr, tn] = b.add_table(n, "slope", pt,
                                     [&] {
                                       std::vector<Fixed> v;
                                       for (double d : g.value(s).constant->data) {
                                         if (std::isnan(d)) fail("{}NaN slope", what);
                                         v.push_back(Fixed::from_double(d, pt));
                                       }
                                       return v;
                                     }(),
                                     fmt::format("slopes of layer '{}' ({})", n.name, pt.str()));
        c.u("n_slope", ns).t("param_t", tn);
        args.push_back(arr);
        break;
      }
      case ir::ActivationOp::Elu: {
        fn = "elu";
        const FixedType& pt = b.internal_type(n, "param");
        std::string tn = b.add_type(n, "param", pt);
        c.t("param_t", tn).line(param_fn("alpha", tn, a.get_float("alpha", 1.0), pt, what));
        const FixedType& tt = b.internal_type(n, "table");
        add_table(emulator::elu_table_fixed(table_size(b, n, n.config.table_size, false), tt), tt, "elu");
        break;
      }
      case ir::ActivationOp::Sigmoid:
      case ir::ActivationOp::Tanh: {
        bool sig = n.op == ir::Op::Sigmoid;
        fn = sig ? "sigmoid" : "tanh";
        const FixedType& tt = b.internal_type(n, "table");
        int size = table_size(b, n, n.config.table_size, false);
        add_table(sig ? emulator::sigmoid_table_fixed(size, tt) : emulator::tanh_table_fixed(size, tt), tt, fn);
        break;
      }
      case ir::ActivationOp::UnaryTable: {
        // Same index as sigmoid (input range [-8, 8)); the table holds the function.
        const std::string f = a.get_string("function", "");
        auto tf = emulator::table_function(f);
        if (!tf) fail("{}unknown table function '{}' (expected one of {})", what, f, emulator::table_function_names());
        fn = "sigmoid";
        const FixedType& tt = b.internal_type(n, "table");
        add_table(emulator::unary_table_fixed(*tf, table_size(b, n, n.config.table_size, false), tt), tt, f);
        break;
      }
      case ir::ActivationOp::HardSigmoid: {
        fn = "hard_sigmoid";
        const FixedType& pt = b.internal_type(n, "param");
        std::string tn = b.add_type(n, "param", pt);
        c.t("param_t", tn);
        c.line(param_fn("alpha", tn, a.get_float("alpha", 0.2), pt, what));
        c.line(param_fn("beta", tn, a.get_float("beta", 0.5), pt, what));
        break;
      }
      case ir::ActivationOp::Clip: {
        fn = "clip";
        double lo = a.get_float("min", -std::numeric_limits<double>::infinity());
        double hi = a.get_float("max", std::numeric_limits<double>::infinity());
        auto bound_input = [&](size_t i, double& v) {
          if (n.inputs.size() > i && n.inputs[i] != ir::kNone) {
            const ir::Value& bv = g.value(n.inputs[i]);
            if (!bv.is_constant() || bv.constant->data.empty()) fail("{}Clip bound {} must be a constant", what, i);
            v = bv.constant->data[0];
          }
        };
        bound_input(1, lo);
        bound_input(2, hi);
        FixedType bt{xt.width, xt.int_bits, xt.is_signed, Quant::RND, Overflow::SAT, 0};
        std::string tn = b.add_type(n, "bound", bt);
        c.t("bound_t", tn);
        c.line(param_fn("lo", tn, lo, bt, what));
        c.line(param_fn("hi", tn, hi, bt, what));
        break;
      }
    }
  }
  LayerCode code;
  code.header = "activation.h";
  code.config = c.str();
  code.call = "  " + call(fn, {b.type_name(x), b.type_name(y), c.name()}, args) + "\n";
  return code;
}

LayerCode emit_softmax(ProjectBuilder& b, const ir::Node& n, const std::string& name) {
  const ir::Graph& g = b.graph();
  if (n.inputs.size() != 1) fail("{}Softmax takes one input", node_prefix(g, n));
  ir::ValueId x = n.inputs[0], y = n.outputs[0];
  b.value_type(x, n);
  b.value_type(y, n);
  const ir::Shape& xs = g.value(x).shape;
  if (xs.empty() || xs.back() < 1) fail("{}input has no axis to normalize over", node_prefix(g, n));
  int64_t cols = xs.back(), rows = elements(g, x, n) / cols;
  if (elements(g, y, n) != rows * cols) fail("{}output shape differs from the input shape", node_prefix(g, n));
  std::string x_arr = b.array(x, n, "in");
  std::string y_arr = b.array(y, n, "out");
  const std::string& impl = n.config.softmax_impl;
  LayerCode code;
  code.header = "softmax.h";
  if (impl == "argmax") {
    ConfigStruct c(b.claim("config_" + name), "softmax_argmax_config");
    c.u("n_slices", rows).u("n_in", cols).common(n);
    code.config = c.str();
    code.call = "  " + call("softmax_argmax", {b.type_name(x), b.type_name(y), c.name()}, {x_arr, y_arr}) + "\n";
    return code;
  }
  if (impl != "stable" && impl != "latency")
    fail("{}unknown softmax implementation '{}' (expected stable, latency or argmax)", node_prefix(g, n), impl);
  const bool stable = impl == "stable";
  int size = table_size(b, n, n.config.table_size, true);
  int inv_size = table_size(b, n, n.config.inv_table_size, true);
  const FixedType& norm_t = b.internal_type(n, "inp_norm");
  const FixedType& exp_t = b.internal_type(n, "exp_table");
  const FixedType& inv_t = b.internal_type(n, "inv_table");
  const FixedType& acc_t = b.internal_type(n, "accum");
  const FixedType& inv_inp_t = b.internal_type(n, "inv_inp");
  auto [exp_arr, exp_tn] =
      b.add_table(n, "exp_table", exp_t, emulator::softmax_exp_table_fixed(size, norm_t, exp_t, stable),
                  fmt::format("softmax exp({}v) table of layer '{}' (v: top bits of {})", stable ? "-" : "+", n.name,
                              norm_t.str()));
  auto [inv_arr, inv_tn] =
      b.add_table(n, "inv_table", inv_t, emulator::softmax_inv_table_fixed(inv_size, inv_inp_t, inv_t),
                  fmt::format("softmax 1/v table of layer '{}' (v: top bits of {})", n.name, inv_inp_t.str()));
  ConfigStruct c(b.claim("config_" + name), "softmax_config");
  c.u("n_slices", rows).u("n_in", cols);
  c.u("exp_table_size", size).u("log2_exp_table_size", emulator::table_bits(size));
  c.u("inv_table_size", inv_size).u("log2_inv_table_size", emulator::table_bits(inv_size));
  c.e("impl", "softmax_impl_t", stable ? "softmax_stable" : "softmax_latency").common(n);
  c.t("exp_table_t", exp_tn).t("inv_table_t", inv_tn);
  c.t("inp_norm_t", b.add_type(n, "inp_norm", norm_t)).t("accum_t", b.add_type(n, "accum", acc_t));
  c.t("inv_inp_t", b.add_type(n, "inv_inp", inv_inp_t));
  code.config = c.str();
  code.call = "  " + call("softmax", {b.type_name(x), b.type_name(y), c.name()}, {x_arr, y_arr, exp_arr, inv_arr}) + "\n";
  return code;
}

}  // namespace tachyon::backends::hls
