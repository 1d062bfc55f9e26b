// IR -> DFG: the per-element quantizer (ElementQuant). Every element is cast to its own type
// (its own width, rounding and overflow logic) and keeps that type's grid: the signal's
// fraction bits and its DFG interval are the element's, so whatever reads it is sized per
// element. A pruned element is the constant 0 (no logic).
#include <fmt/format.h>

#include <set>
#include <tuple>

#include "tachyon/backends/verilog/net.h"
#include "tachyon/ir/diagnostic.h"
#include "tachyon/ir/element_quant.h"
#include "tachyon/support/error.h"

namespace tachyon::backends::verilog {

void NetEmitter::element_quant(const ir::Node& n, LayerInfo& info) {
  const std::vector<std::optional<FixedType>> types = ir::element_quant_types(g_, n);
  const FixedType container = ir::element_quant_container(types);
  const ir::ValueId yv = n.outputs.at(0);
  if (type(yv) != container)
    node_fail(g_, n, "the output type {} is not the container {} of the element types", type(yv).str(), container.str());
  const Sigs& x = in(n, 0);
  if (x.size() != types.size())
    node_fail(g_, n, "input of {} elements for {} element types", x.size(), types.size());
  const std::string p = nm(n);
  std::set<std::tuple<int, int, bool>> kinds;
  int64_t pruned = 0;
  Sigs out;
  for (size_t i = 0; i < x.size(); ++i) {
    const std::optional<FixedType>& t = types[i];
    if (!t) {
      out.push_back({d_.constant(0), container.frac_bits()});
      ++pruned;
      continue;
    }
    kinds.insert({t->width, t->int_bits, t->is_signed});
    out.push_back(cast(x[i], *t, fmt::format("{}_{}", p, i)));
  }
  info.notes.push_back(fmt::format("{} element types, {} of {} elements pruned", kinds.size(), pruned, x.size()));
  vals_[yv] = std::move(out);
}

}  // namespace tachyon::backends::verilog
