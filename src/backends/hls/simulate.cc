// `tachyon simulate` for HLS projects: builds the g++ C simulation once (make csim), converts
// the user's .npy into the testbench's input file (internal layout), runs it and converts the
// results back.
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "backends/hls/hls_internal.h"
#include "tachyon/backends/manifest.h"
#include "tachyon/ir/user_layout.h"
#include "tachyon/support/error.h"
#include "tachyon/support/npy.h"
#include "tachyon/support/output_dir.h"

namespace fs = std::filesystem;

namespace tachyon::backends::hls {

namespace {

struct Port {
  std::string name;
  std::vector<int64_t> user_shape, perm, shape;
  FixedType type;
};

Port port_of(const nlohmann::json& j, const std::string& where) {
  Port p;
  try {
    p.name = j.at("name").get<std::string>();
    p.user_shape = j.at("user_shape").get<std::vector<int64_t>>();
    p.perm = j.at("perm").get<std::vector<int64_t>>();
    p.shape = j.at("shape").get<std::vector<int64_t>>();
    p.type = FixedType::parse(j.at("type").get<std::string>());
  } catch (const nlohmann::json::exception& e) {
    fail("{}: malformed port entry: {}", where, e.what());
  }
  if (ir::num_elements(p.user_shape) != ir::num_elements(p.shape))
    fail("{}: port '{}' has user shape {} and internal shape {} of different sizes", where, p.name,
         ir::shape_str(p.user_shape), ir::shape_str(p.shape));
  if (!p.perm.empty()) {
    if (p.perm.size() != p.user_shape.size() || ir::permute_shape(p.user_shape, p.perm) != p.shape)
      fail("{}: port '{}': perm {} does not turn {} into {}", where, p.name, nlohmann::json(p.perm).dump(),
           ir::shape_str(p.user_shape), ir::shape_str(p.shape));
  }
  return p;
}

// Number of samples in `a` for port p (batch first; a single sample without batch axis = 1).
int64_t batch_of(const NdArray& a, const Port& p, const std::string& what) {
  if (a.shape == p.user_shape) return 1;
  if (a.shape.size() == p.user_shape.size() + 1 &&
      std::equal(p.user_shape.begin(), p.user_shape.end(), a.shape.begin() + 1))
    return a.shape[0];
  std::string expected = "[N";
  for (int64_t d : p.user_shape) expected += fmt::format(",{}", d);
  fail("{} has shape {}, the model expects {}] for input '{}'", what, shape_string(a.shape), expected, p.name);
}

std::string first_errors(const std::string& log) {
  std::istringstream in(log);
  std::string line, errors, tail;
  std::vector<std::string> all;
  int n = 0;
  while (std::getline(in, line)) {
    all.push_back(line);
    if (n < 20 && (line.find("error") != std::string::npos || line.find("Error") != std::string::npos)) {
      errors += line + "\n";
      ++n;
    }
  }
  if (!errors.empty()) return errors;
  for (size_t i = all.size() > 30 ? all.size() - 30 : 0; i < all.size(); ++i) tail += all[i] + "\n";
  return tail;
}

}  // namespace

std::string make_tb_input(const std::vector<NdArray>& inputs, const nlohmann::json& ports) {
  if (!ports.is_array() || ports.size() != inputs.size())
    fail("the model has {} inputs, {} arrays given", ports.is_array() ? ports.size() : 0, inputs.size());
  std::vector<Port> ps;
  std::vector<std::vector<int64_t>> maps;
  int64_t batch = -1;
  for (size_t k = 0; k < inputs.size(); ++k) {
    ps.push_back(port_of(ports[k], "manifest"));
    maps.push_back(ir::user_index_map(ps.back().user_shape, ps.back().perm, ps.back().shape));
    int64_t b = batch_of(inputs[k], ps.back(), fmt::format("input {}", k));
    if (batch >= 0 && b != batch) fail("the input arrays have different batch sizes ({} and {})", batch, b);
    batch = b;
  }
  std::string out;
  for (int64_t s = 0; s < batch; ++s) {
    std::string line;
    for (size_t k = 0; k < inputs.size(); ++k) {
      const int64_t n = ir::num_elements(ps[k].shape);
      const double* base = inputs[k].data.data() + s * n;
      for (int64_t i = 0; i < n; ++i) {
        if (!line.empty()) line += ' ';
        line += fmt::format("{:.17g}", base[maps[k][static_cast<size_t>(i)]]);
      }
    }
    out += line + "\n";
  }
  return out;
}

std::vector<NdArray> parse_tb_output(const std::string& log, const nlohmann::json& ports, const std::string& where) {
  std::vector<Port> ps;
  std::vector<std::vector<int64_t>> maps;
  int64_t per_sample = 0;
  for (const auto& j : ports) {
    ps.push_back(port_of(j, "manifest"));
    maps.push_back(ir::user_index_map(ps.back().user_shape, ps.back().perm, ps.back().shape));
    per_sample += ir::num_elements(ps.back().shape);
  }
  std::vector<std::vector<double>> data(ps.size());
  std::istringstream in(log);
  std::string line;
  int64_t samples = 0, line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    std::istringstream ls(line);
    std::vector<std::string> tokens;
    std::string t;
    while (ls >> t) tokens.push_back(t);
    if (static_cast<int64_t>(tokens.size()) != per_sample)
      fail("{}: line {} has {} values, expected {}", where, line_no, tokens.size(), per_sample);
    size_t pos = 0;
    for (size_t k = 0; k < ps.size(); ++k) {
      const int64_t n = ir::num_elements(ps[k].shape);
      std::vector<double> user(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) {
        const std::string& tok = tokens[pos++];
        double v;
        if (tok.rfind("0x", 0) == 0) {
          v = Fixed::from_bits_hex(tok, ps[k].type).to_double();
        } else {
          char* end = nullptr;
          v = std::strtod(tok.c_str(), &end);
          if (end == tok.c_str() || *end != 0) fail("{}: line {}: '{}' is not a number", where, line_no, tok);
        }
        user[static_cast<size_t>(maps[k][static_cast<size_t>(i)])] = v;
      }
      data[k].insert(data[k].end(), user.begin(), user.end());
    }
    ++samples;
  }
  std::vector<NdArray> out;
  for (size_t k = 0; k < ps.size(); ++k) {
    std::vector<int64_t> shape{samples};
    shape.insert(shape.end(), ps[k].user_shape.begin(), ps[k].user_shape.end());
    out.emplace_back(shape, std::move(data[k]));
  }
  return out;
}

void HlsBackend::simulate(const std::string& dir, const std::string& in_npy, const std::string& out_npy) const {
  nlohmann::json m = read_manifest(dir, "hls");
  const nlohmann::json& ins = m["inputs"];
  const nlohmann::json& outs = m["outputs"];
  if (!ins.is_array() || ins.size() != 1)
    fail("{}: the model has {} inputs; `simulate` takes one .npy, so only single-input models are supported", dir,
         ins.is_array() ? ins.size() : 0);
  NdArray x = read_npy(in_npy);
  std::string tb_in;
  try {
    tb_in = make_tb_input({x}, ins);
  } catch (const Error& e) {
    fail("{}: {}", in_npy, e.what());
  }
  const fs::path root = fs::absolute(dir);
  const fs::path in_file = root / "tb_data" / "tb_input_features.dat";
  const fs::path out_file = root / "tb_data" / "csim_results.log";
  fs::create_directories(root / "tb_data");
  write_file_atomic(in_file, tb_in, true);
  // Build (make decides whether anything changed).
  std::vector<std::string> make{"make", "-C", root.string(), "csim"};
  if (const char* opt = std::getenv("TACHYON_HLS_CSIM_OPT"); opt && *opt) make.push_back(std::string("OPT=") + opt);
  if (find_on_path("make").empty()) fail("'make' not found on PATH: it is needed to build the C simulation");
  ProcessResult built = run_process(make, "");
  fs::create_directories(root / "build");
  write_file_atomic(root / "build" / "csim_build.log", built.output, true);
  if (built.exit_code != 0)
    fail("{}: the C simulation does not compile (full log: {}):\n{}", dir, (root / "build" / "csim_build.log").string(),
         first_errors(built.output));
  std::error_code ec;
  fs::remove(out_file, ec);
  ProcessResult run = run_process({(root / "build" / "csim").string(), in_file.string(), out_file.string()}, root.string());
  if (run.exit_code != 0) fail("{}: the C simulation failed (exit code {}):\n{}", dir, run.exit_code, run.output);
  std::vector<NdArray> ys = parse_tb_output(read_file(out_file), outs, out_file.string());
  int64_t batch = ys.empty() ? 0 : ys[0].shape[0];
  int64_t expected = static_cast<int64_t>(std::count(tb_in.begin(), tb_in.end(), '\n'));
  if (batch != expected) fail("{}: {} result lines for {} samples", out_file.string(), batch, expected);
  for (size_t k = 0; k < ys.size(); ++k) {
    std::string path = out_npy;
    if (k > 0) {
      fs::path p(out_npy);
      path = (p.parent_path() / fmt::format("{}.{}{}", p.stem().string(), k, p.extension().string())).string();
    }
    write_npy(path, ys[k]);
  }
}

}  // namespace tachyon::backends::hls
