// tachyon_tree_emulate: a small test driver for the tree tests (until `tachyon predict`
// covers trees): loads a tree model with the tree frontends, types the graph from the
// command line, runs the TreeEnsemble kernel of the emulator on every row of an .npy file
// and writes the raw scores (exact values of the output codes) as float64 .npy.
//
//   tachyon_tree_emulate MODEL X.npy OUT.npy [--input T] [--threshold T] [--score T]
//                        [--general] [--info]
//
// Types default to ap_fixed<16,6> (input) and ap_fixed<18,8,AP_RND_CONV,AP_SAT> (score);
// the threshold type defaults to the input type. --info prints the model summary (JSON)
// on stdout. Exit code 1 with the error message on stderr for bad input.
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

#include "tachyon/emulator/kernel_api.h"
#include "tachyon/fixed/fast.h"
#include "tachyon/frontends/trees.h"
#include "tachyon/support/error.h"
#include "tachyon/support/npy.h"

using namespace tachyon;

namespace {

int usage() {
  std::cerr << "usage: tachyon_tree_emulate MODEL X.npy OUT.npy [--input T] [--threshold T] [--score T] [--general] "
               "[--info]\n";
  return 2;
}

const char* post_name(ir::TreePostTransform p) {
  switch (p) {
    case ir::TreePostTransform::None: return "none";
    case ir::TreePostTransform::Logistic: return "logistic";
    case ir::TreePostTransform::Softmax: return "softmax";
    case ir::TreePostTransform::Average: return "average";
  }
  return "?";
}

int run(int argc, char** argv) {
  std::vector<std::string> pos;
  std::string in_t = "ap_fixed<16,6>", thr_t, score_t = "ap_fixed<18,8,AP_RND_CONV,AP_SAT>";
  bool general = false, info = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) fail("option {} needs a value", a);
      return argv[++i];
    };
    if (a == "--input")
      in_t = next();
    else if (a == "--threshold")
      thr_t = next();
    else if (a == "--score")
      score_t = next();
    else if (a == "--general")
      general = true;
    else if (a == "--info")
      info = true;
    else if (!a.empty() && a[0] == '-')
      return usage();
    else
      pos.push_back(a);
  }
  if (pos.size() != 3 && !(info && pos.size() == 1)) return usage();

  ir::Graph g = frontends::load_trees(pos[0]);
  ir::NodeId nid = g.node_ids().at(0);
  ir::Node& node = g.node(nid);
  const ir::TreeEnsembleData& d = *node.trees;
  if (info) {
    std::printf(
        "{\"format\": \"%s\", \"objective\": \"%s\", \"n_features\": %d, \"n_outputs\": %d, \"n_trees\": %zu, "
        "\"max_depth\": %d, \"compare\": \"%s\", \"post_transform\": \"%s\"}\n",
        d.source_format.c_str(), d.objective.c_str(), d.n_features, d.n_outputs, d.trees.size(), d.max_depth(),
        d.compare == ir::TreeCompare::Less ? "<" : "<=", post_name(d.post_transform));
    if (pos.size() == 1) return 0;
  }
  FixedType xt = FixedType::parse(in_t), st = FixedType::parse(score_t);
  ir::ValueId x = node.inputs.at(0), y = node.outputs.at(0);
  g.value(x).type = xt;
  g.value(y).type = st;
  node.config.types["score"] = st;
  node.config.types["threshold"] = thr_t.empty() ? xt : FixedType::parse(thr_t);

  NdArray in = read_npy(pos[1]);
  if (in.shape.size() != 2 || in.shape[1] != d.n_features)
    fail("{} has shape {}, expected [N,{}]", pos[1], shape_string(in.shape), d.n_features);
  const int64_t n = in.shape[0];

  emulator::KernelContext ctx{g, nid, general};
  std::unique_ptr<emulator::Kernel> k = emulator::make_kernel(ctx);
  emulator::ValueLayout layout;
  for (size_t v = 0; v < g.num_values(); ++v) {
    const ir::Value& val = g.value(static_cast<ir::ValueId>(v));
    FixedType t = val.type.value_or(FixedType{});
    layout.type.push_back(t);
    layout.fast.push_back(emulator::is_fast_type(t) ? 1 : 0);
    layout.size.push_back(ir::num_elements(val.shape));
  }
  emulator::Workspace ws(&layout, k->scratch_size());
  NdArray out({n, d.n_outputs}, std::vector<double>(static_cast<size_t>(n * d.n_outputs)));
  for (int64_t r = 0; r < n; ++r) {
    for (int32_t f = 0; f < d.n_features; ++f) {
      Fixed q = Fixed::from_double(in.data[static_cast<size_t>(r * d.n_features + f)], xt);
      ws.set(x, f, q);
    }
    k->run(ws, nullptr);
    for (int32_t c = 0; c < d.n_outputs; ++c) out.data[static_cast<size_t>(r * d.n_outputs + c)] = ws.to_double(y, c);
  }
  write_npy(pos[2], out);
  std::cerr << "kernel: " << k->flavour() << ", " << n << " samples\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const tachyon::Error& e) {
    std::cerr << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "internal error: " << e.what() << "\n";
    return 3;
  }
}
