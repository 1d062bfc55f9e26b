// The op suite: every case of op_cases.cc on every executor, compared bit for bit with the
// emulator (fast kernels, the reference). Test names: Ops/OpSuite.MatchesEmulator/<case>_<executor>.
//
// The in-process executors (EmulatorGeneral, Netlist) run each case alone. The HLS C
// simulation and the RTL simulators run ONE project per executor holding every case that
// is not excluded for it side by side (a multi-input, multi-output graph), built on the first
// test of that executor in the process; ctest runs each executor's tests in one process
// (tests/opsuite/CMakeLists.txt), so g++ and Verilator compile once.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>

#include "op_cases.h"
#include "tachyon/ir/op.h"
#include "tachyon/support/error.h"

namespace tachyon::opsuite {
namespace {

using testing::Executor;

constexpr int64_t kSamples = 64;

// Inputs of a case: one edge_inputs array per graph input (seeded from case and port).
std::vector<NdArray> case_inputs(const ir::Graph& g, const std::string& case_name) {
  std::vector<NdArray> xs;
  for (size_t k = 0; k < g.inputs.size(); ++k) {
    const ir::Value& v = g.value(g.inputs[k].value);
    xs.push_back(edge_inputs(v.shape, *v.type, kSamples, seed_of(case_name) + k));
  }
  return xs;
}

const OpCase& case_named(const std::string& name) {
  for (const OpCase& c : op_cases())
    if (c.name == name) return c;
  throw Error("op suite: no case " + name);
}

ir::Graph single_graph(const OpCase& c) { return build_cases({&c}, c.name, false); }

testing::TempDir& work_dir() {
  static testing::TempDir dir("opsuite");
  return dir;
}

// The outputs of every case on a batched executor (or the error that stopped the batch).
struct Batch {
  std::string error;
  std::map<std::string, std::vector<NdArray>> outputs;  // case -> its outputs
};

const Batch& batch_for(Executor e) {
  static std::map<Executor, std::unique_ptr<Batch>> cache;
  auto& slot = cache[e];
  if (slot) return *slot;
  slot = std::make_unique<Batch>();
  std::vector<const OpCase*> cases;
  for (const OpCase& c : op_cases())
    if (!find_exclusion(c.name, e)) cases.push_back(&c);
  std::vector<CaseSpan> spans;
  ir::Graph g = build_cases(cases, "opsuite", true, &spans);
  std::vector<NdArray> xs;
  for (size_t i = 0; i < cases.size(); ++i) {
    std::vector<NdArray> ci = case_inputs(single_graph(*cases[i]), cases[i]->name);
    xs.insert(xs.end(), ci.begin(), ci.end());
  }
  try {
    std::vector<NdArray> ys = testing::run_executor(e, g, xs, work_dir().path().string());
    for (size_t i = 0; i < cases.size(); ++i)
      slot->outputs[cases[i]->name] = std::vector<NdArray>(ys.begin() + static_cast<std::ptrdiff_t>(spans[i].first_output),
                                                           ys.begin() + static_cast<std::ptrdiff_t>(spans[i].first_output + spans[i].output_count));
  } catch (const Error& err) {
    slot->error = err.what();
  }
  return *slot;
}

// Values of one sample of input k, for failure messages.
std::string sample_str(const std::vector<NdArray>& xs, int64_t s) {
  std::string r;
  for (const NdArray& x : xs) {
    const int64_t n = x.num_elements() / x.shape[0];
    r += "[";
    for (int64_t i = 0; i < n; ++i) r += (i ? " " : "") + fmt::format("{}", x.data[static_cast<size_t>(s * n + i)]);
    r += "] ";
  }
  return r;
}

class OpSuite : public ::testing::TestWithParam<std::tuple<std::string, Executor>> {};

TEST_P(OpSuite, MatchesEmulator) {
  const auto& [name, e] = GetParam();
  if (const Exclusion* x = find_exclusion(name, e)) GTEST_SKIP() << "excluded: " << x->reason;
  if (!testing::executor_available(e)) GTEST_SKIP() << testing::executor_name(e) << " is not installed";
  const OpCase& c = case_named(name);
  ir::Graph g = single_graph(c);
  std::vector<NdArray> xs = case_inputs(g, name);
  std::vector<NdArray> want = testing::run_executor(Executor::Emulator, g, xs, "");
  std::vector<NdArray> got;
  if (e == Executor::EmulatorGeneral || e == Executor::Netlist) {
    got = testing::run_executor(e, g, xs, work_dir().path().string());
  } else {
    const Batch& b = batch_for(e);
    ASSERT_EQ(b.error, "") << testing::executor_name(e) << " failed on the batched project";
    got = b.outputs.at(name);
  }
  ASSERT_EQ(got.size(), want.size());
  for (size_t k = 0; k < want.size(); ++k) {
    ASSERT_EQ(got[k].shape, want[k].shape) << g.outputs[k].name;
    const FixedType& t = *g.value(g.outputs[k].value).type;
    const int64_t per = want[k].num_elements() / kSamples;
    int bad = 0;
    for (size_t i = 0; i < want[k].data.size(); ++i)
      if (got[k].data[i] != want[k].data[i] && bad++ < 5) {
        const auto s = static_cast<int64_t>(i) / per;
        ADD_FAILURE() << name << " (" << ir::op_name(c.op) << " -> " << t.str() << ") on " << testing::executor_name(e)
                      << ": output '" << g.outputs[k].name << "' sample " << s << " element " << static_cast<int64_t>(i) % per
                      << ": got " << got[k].data[i] << ", emulator " << want[k].data[i] << "; input " << sample_str(xs, s);
      }
    EXPECT_EQ(bad, 0) << name << " on " << testing::executor_name(e) << ": " << bad << " elements differ";
  }
}

std::vector<std::string> case_names() {
  std::vector<std::string> r;
  for (const OpCase& c : op_cases()) r.push_back(c.name);
  return r;
}

INSTANTIATE_TEST_SUITE_P(Ops, OpSuite,
                         ::testing::Combine(::testing::ValuesIn(case_names()),
                                            ::testing::Values(Executor::EmulatorGeneral, Executor::Netlist, Executor::HlsCsim,
                                                              Executor::RtlVerilator, Executor::RtlIcarus)),
                         [](const ::testing::TestParamInfo<OpSuite::ParamType>& p) {
                           return std::get<0>(p.param) + "_" + testing::executor_name(std::get<1>(p.param));
                         });

// Every excluded (case, executor) pair is still rejected by that executor with a
// tachyon::Error naming the node, while the emulator runs the case.
class OpSuiteExclusions : public ::testing::TestWithParam<size_t> {};

TEST_P(OpSuiteExclusions, StillNeeded) {
  const Exclusion& x = exclusions().at(GetParam());
  EXPECT_FALSE(x.reason.empty());
  const OpCase& c = case_named(x.case_name);
  ir::Graph g = single_graph(c);
  EXPECT_NO_THROW(testing::run_executor(Executor::Emulator, g, case_inputs(g, c.name), ""));
  std::string msg;
  try {
    testing::accept_graph(x.executor, g, work_dir().path().string());
  } catch (const Error& err) {
    msg = err.what();
  }
  ASSERT_NE(msg, "") << x.case_name << " is excluded for " << testing::executor_name(x.executor)
                     << " but that executor accepts it now: remove the exclusion (" << x.reason << ")";
  EXPECT_NE(msg.find("'op'"), std::string::npos) << "the error should name the node: " << msg;
}

INSTANTIATE_TEST_SUITE_P(Ops, OpSuiteExclusions, ::testing::Range(size_t{0}, exclusions().size()),
                         [](const ::testing::TestParamInfo<size_t>& p) {
                           const Exclusion& x = exclusions().at(p.param);
                           return x.case_name + "_" + testing::executor_name(x.executor);
                         });

// Every op the emulator and backends implement (all but the frontend-only ones, which passes
// lower first) has a case, and every case and exclusion names a known case.
TEST(OpSuiteCoverage, EveryBackendOpHasACase) {
  for (int i = 0; i < ir::kNumOps; ++i) {
    const auto op = static_cast<ir::Op>(i);
    if (ir::has_trait(op, ir::kFrontendOnly)) continue;
    bool found = false;
    for (const OpCase& c : op_cases()) found = found || c.op == op;
    EXPECT_TRUE(found) << "no op suite case for " << ir::op_name(op) << " (tests/opsuite/op_cases.cc)";
  }
  for (const Exclusion& x : exclusions()) EXPECT_NO_THROW(case_named(x.case_name));
  for (const OpCase& c : op_cases()) {
    ir::Graph g = single_graph(c);
    bool has_op = false;
    for (ir::NodeId id : g.node_ids()) has_op = has_op || g.node(id).op == c.op;
    EXPECT_TRUE(has_op) << c.name << " has no " << ir::op_name(c.op) << " node";
  }
}

}  // namespace
}  // namespace tachyon::opsuite
