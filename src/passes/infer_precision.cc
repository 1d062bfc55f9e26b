// infer_precision: types everything apply_config left open ("auto"), in graph order
// (semantics.md §4, docs/config.md "Precision inference"):
// * Dense / Conv accum: signed, fraction bits max(Fx + Fw, Fb), integer bits from the
//   worst case over the outputs of bias + sum of w * x over the input's range (weights and
//   bias quantized to their types) -- no value can overflow, no bit is lost. Result: the
//   accum type.
// * Add / Sub / Mul: the full-precision result type; Concat: the narrowest type holding
//   every input; BatchNorm: x * scale + bias at full precision; Scale: x * scale.
// * Relu, Clip, Cast, layout ops, max pools, average pools: the input type (average pool
//   accum: the input type widened as hls4ml widens a configured one, detail::widened_pool_accum:
//   the window's sum is exact and its quotient keeps e = ceil(log2(cells)) more fraction bits).
// * Constants: the narrowest exact type up to 32 bits, else 32 bits with enough integer
//   bits (AP_RND_CONV).
// * TreeEnsemble threshold: the input type.
// * ElementQuant: always the container of its element types (ir/element_quant.h).
// * Anything else (tables, activations with tables, softmax, ...): the Model-level setting
//   of that slot (config::model_setting), i.e. the Model default.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "passes/detail/util.h"
#include "tachyon/ir/element_quant.h"
#include "tachyon/config/resolve.h"
#include "tachyon/passes/pass.h"

namespace tachyon::passes {

namespace {

using ir::Op;

FixedType model_type(const PassContext& ctx, const std::string& slot, Op op) {
  config::Setting s = config::model_setting(ctx.config, slot, op);
  if (s.is_auto()) s.value = config::builtin_default(slot, op);
  return s.type();
}

FixedType constant_type(const ir::Tensor& t) {
  if (auto e = detail::exact_type(t.data, 32)) return *e;
  double mag = 0;
  for (double v : t.data) mag = std::max(mag, std::fabs(v));
  FixedType r = detail::range_type(-mag, mag, 0, true);
  return fixed_type(32, r.int_bits, true, Quant::RND_CONV, Overflow::WRAP);
}

// Accumulator of a Dense / Conv: worst case per output channel (the last weight axis).
FixedType accum_type(const ir::Graph& g, const ir::Node& n) {
  const FixedType& tx = g.type_of(n.inputs[0]);
  const FixedType& tw = g.type_of(n.inputs[1]);
  const ir::Tensor& w = g.constant(n.inputs[1]);
  const int64_t cout = w.shape.back();
  const double xlo = tx.min_value(), xhi = tx.max_value();
  std::vector<double> lo(static_cast<size_t>(cout), 0.0), hi(static_cast<size_t>(cout), 0.0);
  for (size_t i = 0; i < w.data.size(); ++i) {
    const double q = detail::quantize(w.data[i], tw);
    const size_t j = i % static_cast<size_t>(cout);
    lo[j] += std::min(q * xlo, q * xhi);
    hi[j] += std::max(q * xlo, q * xhi);
  }
  int frac = tx.frac_bits() + tw.frac_bits();
  if (n.inputs.size() > 2) {
    const FixedType& tb = g.type_of(n.inputs[2]);
    const ir::Tensor& b = g.constant(n.inputs[2]);
    frac = std::max(frac, tb.frac_bits());
    for (size_t j = 0; j < lo.size(); ++j) {
      const double q = detail::quantize(b.data[b.size() == 1 ? 0 : j], tb);
      lo[j] += q;
      hi[j] += q;
    }
  }
  const double l = *std::min_element(lo.begin(), lo.end());
  const double h = *std::max_element(hi.begin(), hi.end());
  return detail::range_type(l, h, frac, true);
}

// The narrowest type holding every value of a and b.
FixedType union_type(const FixedType& a, const FixedType& b) {
  const int frac = std::max(a.frac_bits(), b.frac_bits());
  const bool s = a.is_signed || b.is_signed;
  return detail::range_type(std::min(a.min_value(), b.min_value()), std::max(a.max_value(), b.max_value()), frac, s);
}

FixedType plain(FixedType t) {
  t.quant = Quant::TRN;
  t.overflow = Overflow::WRAP;
  t.sat_bits = 0;
  return t;
}

// The result type when "auto"; nullopt when the op has no inference rule.
std::optional<FixedType> infer_result(const ir::Graph& g, const ir::Node& n) {
  auto in = [&](size_t i) { return g.type_of(n.inputs.at(i)); };
  switch (n.op) {
    case Op::Dense:
    case Op::Conv: return n.config.types.at("accum");
    case Op::Add: return add_type(in(0), in(1));
    case Op::Sub: return sub_type(in(0), in(1));
    case Op::Mul: return mul_type(in(0), in(1));
    case Op::Scale: return mul_type(in(0), in(1));
    case Op::BatchNorm: return add_type(mul_type(in(0), in(1)), in(2));
    case Op::Concat: {
      FixedType t = in(0);
      for (size_t i = 1; i < n.inputs.size(); ++i) t = union_type(t, in(i));
      return t;
    }
    case Op::Relu:
    case Op::Clip:
    case Op::Cast:
    case Op::Reshape:
    case Op::Transpose:
    case Op::Pad:
    case Op::Identity:
    case Op::MaxPool:
    case Op::GlobalMaxPool:
    case Op::AvgPool:
    case Op::GlobalAvgPool: return in(0);
    case Op::TreeEnsemble: return n.config.types.at("score");
    case Op::ElementQuant: return ir::element_quant_container(g, n);
    default: return std::nullopt;
  }
}

// Softmax inp_norm_t when not configured (hls4ml >= 1.2, vivado SoftmaxConfigTemplate):
// stable: the differences max - x_i are never negative, so a signed ap_fixed<W,I> input gives
// ap_ufixed<W-1,I-1> and an unsigned one ap_ufixed<W,I> (AP_TRN, AP_WRAP); the exp table
// then has at most 2^(W-1) entries for a signed input (min(inv_table_size, 2^(W-1)), as hls4ml
// computes it). latency: the table is indexed by the input itself (its type).
FixedType softmax_inp_norm(const ir::Graph& g, ir::Node& n) {
  const FixedType in = g.type_of(n.inputs.at(0));
  if (n.config.softmax_impl != "stable") return in;
  FixedType t = in;
  t.quant = Quant::TRN;
  t.overflow = Overflow::WRAP;
  t.sat_bits = 0;
  if (in.is_signed && in.width < 2)
    detail::node_fail(g, n, fmt::format("softmax input type {} is too narrow for the unsigned normalised input "
                                        "(name an inp_norm precision)", in.str()));
  if (in.is_signed) {
    t.is_signed = false;
    t.width -= 1;
    t.int_bits -= 1;
    const int64_t cap = t.width >= 30 ? (int64_t{1} << 30) : (int64_t{1} << t.width);
    n.config.table_size = static_cast<int>(std::min<int64_t>(n.config.inv_table_size, cap));
  }
  return t;
}

}  // namespace

bool infer_precision(ir::Graph& g, PassContext& ctx) {
  bool changed = false;
  for (const ir::IoPort& p : g.inputs) {
    if (g.value(p.value).type) continue;
    g.value(p.value).type = model_type(ctx, "result", Op::Identity);
    changed = true;
  }
  // Constants nothing configured (auto, or not a configurable operand).
  for (size_t v = 0; v < g.num_values(); ++v) {
    ir::Value& val = g.value(static_cast<ir::ValueId>(v));
    if (val.is_constant() && !val.type) {
      val.type = constant_type(*val.constant);
      changed = true;
    }
  }
  for (ir::NodeId id : g.node_ids()) {
    ir::Node& n = g.node(id);
    for (ir::ValueId v : n.inputs)
      if (!g.value(v).type) detail::node_fail(g, n, fmt::format("input '{}' has no type (internal: not typed in order)", g.value(v).name));
    // hls4ml's latency softmax indexes its exp table with the input itself.
    if (n.op == Op::Softmax && n.config.softmax_impl == "latency") n.config.types["inp_norm"] = g.type_of(n.inputs[0]);
    // Internal types.
    for (const std::string& slot : config::internal_slots(g, n)) {
      if (n.config.types.count(slot)) continue;
      FixedType t;
      if (slot == "accum" && (n.op == Op::Dense || n.op == Op::Conv)) {
        t = accum_type(g, n);
      } else if (slot == "accum" && (n.op == Op::AvgPool || n.op == Op::GlobalAvgPool)) {
        t = detail::widened_pool_accum(plain(g.type_of(n.inputs[0])), detail::pool_cells(g, n));
      } else if (slot == "threshold") {
        t = g.type_of(n.inputs[0]);
      } else if (slot == "inp_norm") {
        t = softmax_inp_norm(g, n);
      } else if (slot == "inv_inp") {
        t = n.config.types.count("exp_table") ? n.config.types.at("exp_table") : model_type(ctx, "exp_table", n.op);
      } else {
        t = model_type(ctx, slot, n.op);
      }
      n.config.types[slot] = t;
      changed = true;
    }
    for (ir::ValueId out : n.outputs) {
      if (g.value(out).type) continue;
      auto t = infer_result(g, n);
      g.value(out).type = t ? *t : model_type(ctx, "result", n.op);
      changed = true;
    }
  }
  return changed;
}

}  // namespace tachyon::passes
