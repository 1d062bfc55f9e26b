#include "frontends/trees/tree_common.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace tachyon::frontends::trees_detail {

namespace fs = std::filesystem;

void fail_at(const std::string& file, int64_t tree, int64_t node, const std::string& what) {
  fail("{}: tree {} node {}: {}", file, tree, node, what);
}
void fail_tree(const std::string& file, int64_t tree, const std::string& what) {
  fail("{}: tree {}: {}", file, tree, what);
}
void fail_file(const std::string& file, const std::string& what) { fail("{}: {}", file, what); }

namespace {

// Collects up to kMaxReported problems, then throws them together.
class Problems {
 public:
  explicit Problems(std::string file) : file_(std::move(file)) {}
  void add(std::string msg) {
    ++count_;
    if (lines_.size() < kMaxReported) lines_.push_back(std::move(msg));
  }
  void throw_if_any() const {
    if (count_ == 0) return;
    std::string s;
    for (size_t i = 0; i < lines_.size(); ++i) s += (i ? "\n" : "") + file_ + ": " + lines_[i];
    if (count_ > lines_.size()) s += fmt::format("\n... and {} more problems", count_ - lines_.size());
    throw Error(s);
  }
  size_t count() const { return count_; }

 private:
  static constexpr size_t kMaxReported = 20;
  std::string file_;
  std::vector<std::string> lines_;
  size_t count_ = 0;
};

}  // namespace

void validate_and_compact(ir::TreeEnsembleData& d, const std::string& file) {
  Problems p(file);
  if (d.n_features < 1 || d.n_features > kMaxFeatures)
    p.add(fmt::format("number of features {} out of range [1, {}]", d.n_features, kMaxFeatures));
  if (d.n_outputs < 1 || d.n_outputs > kMaxOutputs)
    p.add(fmt::format("number of outputs {} out of range [1, {}]", d.n_outputs, kMaxOutputs));
  if (d.trees.empty()) p.add("the model has no trees");
  if (static_cast<int64_t>(d.trees.size()) > kMaxTrees) p.add(fmt::format("more than {} trees", kMaxTrees));
  if (d.base_score.empty()) d.base_score.assign(static_cast<size_t>(std::max(d.n_outputs, 1)), 0.0);
  if (static_cast<int64_t>(d.base_score.size()) != d.n_outputs)
    p.add(fmt::format("{} base scores for {} outputs", d.base_score.size(), d.n_outputs));
  for (size_t k = 0; k < d.base_score.size(); ++k)
    if (!std::isfinite(d.base_score[k])) p.add(fmt::format("base score {} is not finite", k));
  p.throw_if_any();

  for (size_t ti = 0; ti < d.trees.size(); ++ti) {
    ir::Tree& t = d.trees[ti];
    const auto n = static_cast<int64_t>(t.nodes.size());
    auto at = [&](int64_t node, const std::string& what) { p.add(fmt::format("tree {} node {}: {}", ti, node, what)); };
    if (t.class_id < 0 || t.class_id >= d.n_outputs)
      p.add(fmt::format("tree {}: class {} out of range [0, {})", ti, t.class_id, d.n_outputs));
    if (n == 0) {
      p.add(fmt::format("tree {}: no nodes", ti));
      continue;
    }
    if (n > kMaxNodesPerTree) {
      p.add(fmt::format("tree {}: {} nodes (more than {})", ti, n, kMaxNodesPerTree));
      continue;
    }
    // Depth-first walk from the root; every node must be reached at most once.
    std::vector<int32_t> order;  // old index of new node i
    std::vector<int32_t> new_index(static_cast<size_t>(n), -1);
    std::vector<std::pair<int32_t, int>> stack{{0, 0}};
    size_t before = p.count();
    while (!stack.empty() && p.count() == before) {
      auto [i, depth] = stack.back();
      stack.pop_back();
      if (new_index[static_cast<size_t>(i)] >= 0) {
        at(i, "node reached twice from the root (cycle or shared subtree)");
        break;
      }
      new_index[static_cast<size_t>(i)] = static_cast<int32_t>(order.size());
      order.push_back(i);
      const ir::TreeNode& nd = t.nodes[static_cast<size_t>(i)];
      if (depth > kMaxTreeDepth) {
        at(i, fmt::format("depth exceeds {} (cycle or degenerate tree)", kMaxTreeDepth));
        break;
      }
      if (nd.is_leaf()) {
        if (!std::isfinite(nd.value)) at(i, fmt::format("leaf value {} is not finite", nd.value));
        continue;
      }
      if (nd.feature >= d.n_features)
        at(i, fmt::format("feature index {} out of range [0, {})", nd.feature, d.n_features));
      if (!std::isfinite(nd.threshold)) at(i, fmt::format("threshold {} is not finite", nd.threshold));
      bool ok = true;
      for (int32_t c : {nd.left, nd.right}) {
        if (c < 0 || c >= n) {
          at(i, fmt::format("child index {} out of range [0, {})", c, n));
          ok = false;
        } else if (c == i) {
          at(i, "node is its own child (cycle)");
          ok = false;
        }
      }
      if (!ok) break;
      // Right first so that the left subtree is numbered first.
      stack.push_back({nd.right, depth + 1});
      stack.push_back({nd.left, depth + 1});
    }
    if (p.count() != before) continue;
    if (order.size() == t.nodes.size()) {
      bool identity = true;
      for (size_t i = 0; i < order.size() && identity; ++i) identity = order[i] == static_cast<int32_t>(i);
      if (identity) continue;
    }
    std::vector<ir::TreeNode> nodes;
    nodes.reserve(order.size());
    for (int32_t old : order) {
      ir::TreeNode nd = t.nodes[static_cast<size_t>(old)];
      if (!nd.is_leaf()) {
        nd.left = new_index[static_cast<size_t>(nd.left)];
        nd.right = new_index[static_cast<size_t>(nd.right)];
      } else {
        nd.left = nd.right = -1;
      }
      nodes.push_back(nd);
    }
    t.nodes = std::move(nodes);
  }
  p.throw_if_any();
}

ir::Graph make_tree_graph(std::shared_ptr<ir::TreeEnsembleData> d, const std::string& file,
                          const std::string& source_op) {
  ir::Graph g;
  g.source_file = file;
  g.name = ir::sanitize_identifier(fs::path(file).stem().string());
  ir::ValueId x = g.add_value("x", {d->n_features});
  ir::ValueId y = g.add_value("y", {d->n_outputs});
  ir::NodeId n = g.add_node(ir::Op::TreeEnsemble, "bdt", {x}, {y});
  ir::Node& node = g.node(n);
  node.source_name = fs::path(file).filename().string();
  node.source_op = source_op;
  node.trees = std::move(d);
  g.inputs.push_back({x, "x", {g.value(x).shape}, {}});
  g.outputs.push_back({y, "y", {g.value(y).shape}, {}});
  return g;
}

std::string read_file(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) fail("{}: no such file", path);
  if (fs::is_directory(path, ec)) fail("{}: is a folder, expected a model file", path);
  auto size = fs::file_size(path, ec);
  if (ec) fail("{}: cannot read: {}", path, ec.message());
  if (size > (uint64_t{1} << 31)) fail("{}: file too large ({} bytes)", path, size);
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("{}: cannot open", path);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) fail("{}: read error", path);
  return ss.str();
}

bool parse_double(std::string_view s, double* out) {
  if (s.empty()) return false;
  if (s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  if (ec == std::errc::result_out_of_range) {
    // Overflow / underflow: let strtod decide (inf or a subnormal / zero).
    std::string tmp(s);
    char* end = nullptr;
    *out = std::strtod(tmp.c_str(), &end);
    return end == tmp.c_str() + tmp.size();
  }
  return ec == std::errc() && ptr == s.data() + s.size();
}

bool parse_int(std::string_view s, int64_t* out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

double logit_checked(double p, const std::string& file, const std::string& what) {
  if (!(p > 0.0 && p < 1.0)) fail("{}: {} {} is not a probability in (0, 1)", file, what, p);
  return std::log(p / (1.0 - p));
}

bool looks_like_xgboost_json(const std::string& head) {
  return head.find("\"learner\"") != std::string::npos;
}
bool looks_like_tachyon_json(const std::string& head) {
  return head.find("\"tachyon-trees\"") != std::string::npos;
}
bool looks_like_tmva_xml(const std::string& head) {
  return head.find("<MethodSetup") != std::string::npos;
}
bool looks_like_lightgbm_text(const std::string& head) {
  // LightGBM model files start with "tree\nversion=..."; be lenient about CR and blanks.
  std::string t = trim(head.substr(0, std::min<size_t>(head.size(), 64)));
  return t.rfind("tree", 0) == 0 && head.find("version=") != std::string::npos;
}

}  // namespace tachyon::frontends::trees_detail
