// Broken and hostile model files: each must fail with a tachyon::Error whose message names
// the file and says what is wrong (tests/data/malformed, made by make_corpus.py), and
// several problems in one model are reported together.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <map>
#include <set>

#include "onnx_test_builder.h"
#include "tachyon/support/error.h"

using namespace tachyon;
using test::ModelBuilder;
using ir::Tensor;

namespace {

const std::string kDir = std::string(TACHYON_TEST_DATA) + "/malformed/";

// file -> substrings the error message must contain (besides the file's path).
const std::map<std::string, std::vector<std::string>>& table() {
  static const std::map<std::string, std::vector<std::string>> t = {
      {"empty.onnx", {"not an ONNX model", "empty"}},
      {"truncated.onnx", {"not an ONNX model"}},
      {"random_bytes.onnx", {"not an ONNX model"}},
      {"text_file.onnx", {"not an ONNX model"}},
      {"deep_nesting.onnx", {"not an ONNX model"}},
      {"wrong_opset.onnx", {"opset 5 is not supported", "6 to 18"}},
      {"no_opset.onnx", {"no opset_import"}},
      {"no_graph_input.onnx", {"no graph input"}},
      {"string_input.onnx", {"graph input 'x'", "dtype string"}},
      {"symbolic_dim.onnx", {"graph input 'x'", "symbolic", "'C'"}},
      {"huge_input.onnx", {"graph input 'x'", "[100000,100000]", "elements"}},
      {"huge_dims.onnx", {"initializer 'W'", "[1048576,1048576,4]", "limit"}},
      {"negative_dims.onnx", {"initializer 'W'", "negative dimension"}},
      {"raw_data_mismatch.onnx", {"initializer 'W'", "40 bytes of raw_data, expected 48"}},
      {"unsupported_dtype.onnx", {"initializer 'W'", "dtype float16"}},
      {"string_initializer.onnx", {"initializer 'W'", "dtype string"}},
      {"external_data.onnx", {"initializer 'W'", "external"}},
      {"missing_initializer.onnx",
       {"node 'fc' (Gemm)", "input 'W' of node 'fc' (Gemm) is neither a graph input, an initializer nor produced by a node"}},
      {"cycle.onnx", {"(Relu)", "cycle"}},
      {"duplicate_output.onnx", {"node 'sig1' (Sigmoid)", "'y' is also produced by node 'relu1'"}},
      {"unsupported_op_and_attr.onnx",
       {"node 'rnn' (LSTM): error: unsupported op 'LSTM'", "node 'dilated_conv' (Conv): error: dilations [0,2] must be in 1..2^20",
        "node 'after_conv' (Relu): error: unsupported attribute 'foo'", "3 errors"}},
      {"conv_dilated_window_too_large.onnx",
       {"node 'conv_d4' (Conv)", "the dilated window 9 (kernel 3, dilation 4) is larger than the padded input 8"}},
      {"conv_group2.onnx", {"node 'conv_g2' (Conv)", "group 2 is not supported"}},
      {"unknown_domain.onnx", {"node 'mystery' (Custom)", "domain 'com.example'"}},
      {"gemm_transA.onnx", {"node 'fc_transA' (Gemm)", "transA=1"}},
      {"gemm_shape_mismatch.onnx", {"node 'fc_bad_k' (Gemm)", "B has shape [3,5]", "4 columns"}},
      {"matmul_two_activations.onnx", {"node 'mm_data' (MatMul)", "two activations"}},
      {"concat_batch_axis.onnx", {"node 'cat_batch' (Concat)", "batch axis"}},
      {"reshape_batch.onnx", {"node 'reshape_batch' (Reshape)", "batch dimension"}},
      {"pad_reflect.onnx", {"node 'pad_reflect' (Pad)", "mode 'reflect'"}},
      {"quant_bad_rounding.onnx", {"node 'bad_quant' (Quant)", "rounding_mode 'SIDEWAYS'"}},
      {"missing_input.onnx", {"node 'mm_one_input' (MatMul)", "input 1 is missing"}},
      {"wrong_output_shape.onnx", {"shape inference", "fc_declared", "(3) vs (7)"}},
      {"transpose_no_perm_bn.onnx", {"node 'rev_all' (Transpose)", "no perm attribute", "batch axis"}},
      {"transpose_no_perm_bn_channels.onnx",
       {"node 'bn_after_rev' (BatchNormalization)", "parameter 's' has shape [2] (2 values)", "[batch]+[3,2,1]",
        "3 channels on axis 1"}},
      {"thresholded_relu_nan.onnx", {"node 'thr_nan' (ThresholdedRelu)", "alpha nan is not a finite number"}},
      {"softplus_unknown_attr.onnx", {"node 'softplus_beta' (Softplus)", "unsupported attribute 'beta'"}},
      {"flatten_axis0_batch.onnx", {"node 'flatten_batch' (Flatten)", "axis 0", "batch of 1"}},
      {"opset6_bn_training.onnx", {"node 'bn_train' (BatchNormalization)", "training mode"}},
      {"resize_linear.onnx", {"node 'resize_linear' (Resize)", "mode 'linear'"}},
      {"resize_downsample.onnx", {"node 'resize_down' (Resize)", "whole factor"}},
      {"channels_last_conv_channels.onnx", {"node 'cl_conv' (Conv)", "weights of shape [2,4,3,3] for 3 input channels"}},
      {"pow_fractional.onnx", {"node 'pow_half' (Pow)", "exponent 0.5"}},
      {"legacy_broadcast_opset13.onnx", {"node 'add_legacy' (Add)", "only before opset 7"}},
  };
  return t;
}

std::string error_of(const std::string& path) {
  try {
    frontends::load_onnx(path);
  } catch (const Error& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("NOT A tachyon::Error: ") + e.what();
  }
  return "NO ERROR";
}

std::string error_of(const ModelBuilder& b) {
  try {
    b.load();
  } catch (const Error& e) {
    return e.what();
  }
  return "NO ERROR";
}

}  // namespace

TEST(OnnxMalformed, EveryCorpusFileFailsWithAClearMessage) {
  for (const auto& [file, wants] : table()) {
    SCOPED_TRACE(file);
    const std::string msg = error_of(kDir + file);
    EXPECT_NE(msg.find(kDir + file), std::string::npos) << msg;
    for (const std::string& w : wants) EXPECT_NE(msg.find(w), std::string::npos) << "missing '" << w << "' in:\n" << msg;
  }
}

// The fuzzer's valid exporter-style seeds (tests/fuzz/make_seeds.py) import (also under the
// sanitizers): opset 6, Keras batch 1, QONNX channels-last, Resize / Upsample, decomposed ops.
TEST(OnnxMalformed, EveryFuzzSeedImports) {
  const std::string dir = std::string(TACHYON_TEST_DATA) + "/../fuzz/seeds/";
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".onnx") continue;
    SCOPED_TRACE(e.path().string());
    EXPECT_NO_THROW(frontends::load_onnx(e.path().string()));
    ++n;
  }
  EXPECT_GE(n, 5);
}

TEST(OnnxMalformed, EveryCorpusFileIsInTheTable) {
  std::set<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(kDir))
    if (e.path().extension() == ".onnx") files.insert(e.path().filename().string());
  EXPECT_GE(files.size(), 20u);
  for (const std::string& f : files) EXPECT_TRUE(table().count(f)) << f << " has no expected message";
}

TEST(OnnxMalformed, AllProblemsAreReportedTogether) {
  try {
    frontends::load_onnx(kDir + "unsupported_op_and_attr.onnx");
    FAIL() << "no error";
  } catch (const Error& e) {
    ASSERT_EQ(e.diagnostics().size(), 3u) << e.what();
    EXPECT_EQ(e.diagnostics()[0].node, "rnn");
    EXPECT_EQ(e.diagnostics()[0].op, "LSTM");
    EXPECT_NE(e.diagnostics()[0].file.find("unsupported_op_and_attr.onnx"), std::string::npos);
  }
}

TEST(OnnxMalformed, FileErrors) {
  EXPECT_NE(error_of(kDir + "no_such_file.onnx").find("cannot open ONNX model"), std::string::npos);
  EXPECT_NE(error_of(kDir).find("directory"), std::string::npos);
  try {
    frontends::load_onnx_bytes("garbage", "in-memory model");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not an ONNX model: in-memory model"), std::string::npos) << e.what();
  }
}

TEST(OnnxMalformed, HostileConstantsAreBounded) {
  {  // ConstantOfShape asking for 2^40 elements from a tiny file
    ModelBuilder b;
    b.input("x", {-1, 4});
    b.node("ConstantOfShape", {b.init_ints("s", {1 << 20, 1 << 20})}, {"big"});
    b.node("Add", {"x", "big"}, {"y"});
    b.output("y");
    EXPECT_NE(error_of(b).find("too large"), std::string::npos) << error_of(b);
  }
  {  // broadcasting a constant to a huge activation
    ModelBuilder b;
    b.input("x", {-1, 40000, 40000});
    b.node("Add", {"x", b.init_random("c", {40000, 1}, 1)}, {"y"});
    b.output("y");
    EXPECT_NE(error_of(b).find("element limit"), std::string::npos) << error_of(b);
  }
  {  // integer division by zero in a shape computation
    ModelBuilder b;
    b.input("x", {-1, 4});
    b.node("Div", {b.init_ints("a", {4}), b.init_ints("z", {0})}, {"d"});
    b.node("Reshape", {"x", "d"}, {"y"});
    b.output("y");
    EXPECT_NE(error_of(b).find("division by zero"), std::string::npos) << error_of(b);
  }
}

TEST(OnnxMalformed, UnsupportedConstructsNameNodeAndReason) {
  struct Case {
    const char* what;
    std::function<void(ModelBuilder&)> build;
    std::vector<std::string> want;
  };
  const std::vector<Case> cases = {
      {"broadcast between activations",
       [](ModelBuilder& b) {
         b.input("x", {-1, 4});
         b.input("z", {-1, 1});
         b.node("Add", {"x", "z"}, {"y"}, "add_xz");
       },
       {"node 'add_xz' (Add)", "broadcasting between two activations"}},
      {"batch-dependent reshape",
       [](ModelBuilder& b) {
         b.input("x", {-1, 4});
         b.node("Shape", {"x"}, {"s"});
         b.node("Gather", {"s", b.init_ints("i0", {0})}, {"batch"});
         auto& c = b.node("Concat", {b.init_ints("one", {1}), "batch"}, {"t"});
         ModelBuilder::attr(c, "axis", int64_t{0});
         b.node("Reshape", {"x", "t"}, {"y"}, "rs_batch");
       },
       {"node 'rs_batch' (Reshape)", "batch size outside the first axis"}},
      {"Slice of activations",
       [](ModelBuilder& b) {
         b.input("x", {-1, 4});
         b.node("Slice", {"x", b.init_ints("st", {0}), b.init_ints("en", {2}), b.init_ints("ax", {1})}, {"y"}, "sl");
       },
       {"node 'sl' (Slice)", "only of constants"}},
      {"Dropout mask used",
       [](ModelBuilder& b) {
         b.input("x", {-1, 4});
         b.node("Dropout", {"x"}, {"d", "mask"}, "drop");
         auto& c = b.node("Cast", {"mask"}, {"y"}, "use_mask");
         ModelBuilder::attr(c, "to", int64_t{1});
       },
       {"node 'use_mask' (Cast)", "output 1 of node 'drop' (Dropout) is not supported"}},
      {"softmax over a middle axis",
       [](ModelBuilder& b) {
         b.input("x", {-1, 2, 3, 4});
         auto& s = b.node("Softmax", {"x"}, {"y"}, "sm");
         ModelBuilder::attr(s, "axis", int64_t{2});
       },
       {"node 'sm' (Softmax)", "axis 2"}},
      {"lone QuantizeLinear",
       [](ModelBuilder& b) {
         b.input("x", {-1, 4});
         b.node("QuantizeLinear", {"x", b.init("s", Tensor({}, {0.5}))}, {"q"}, "ql");
         b.node("Relu", {"q"}, {"y"}, "after_q");
       },
       {"node 'after_q' (Relu)", "QuantizeLinear 'ql'"}},
      {"ReduceMean over channels",
       [](ModelBuilder& b) {
         b.input("x", {-1, 2, 3, 3});
         auto& r = b.node("ReduceMean", {"x"}, {"y"}, "rm_c");
         ModelBuilder::attr(r, "axes", std::vector<int64_t>{1});
       },
       {"node 'rm_c' (ReduceMean)", "only over all axes but one"}},
      {"pool ceil_mode with a partial window",
       [](ModelBuilder& b) {
         b.input("x", {-1, 1, 5, 5});
         auto& p = b.node("MaxPool", {"x"}, {"y"}, "mp_ceil");
         ModelBuilder::attr(p, "kernel_shape", std::vector<int64_t>{2, 2});
         ModelBuilder::attr(p, "strides", std::vector<int64_t>{2, 2});
         ModelBuilder::attr(p, "ceil_mode", int64_t{1});
       },
       {"node 'mp_ceil' (MaxPool)", "ceil_mode=1"}},
      {"attribute of the wrong type",
       [](ModelBuilder& b) {
         b.input("x", {-1, 4});
         auto& l = b.node("LeakyRelu", {"x"}, {"y"}, "lr");
         ModelBuilder::attr(l, "alpha", std::string("big"));
       },
       {"node 'lr' (LeakyRelu)", "attribute 'alpha' has type STRING, expected FLOAT"}},
      {"constant graph output",
       [](ModelBuilder& b) {
         b.input("x", {-1, 4});
         b.node("Relu", {"x"}, {"unused"});
         b.node("Identity", {b.init_ints("k", {1})}, {"y"});
       },
       {"graph output 'y' is a constant"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    ModelBuilder b;
    c.build(b);
    b.output("y");
    const std::string msg = error_of(b);
    EXPECT_NE(msg.find("test.onnx"), std::string::npos) << msg;
    for (const std::string& w : c.want) EXPECT_NE(msg.find(w), std::string::npos) << "missing '" << w << "' in:\n" << msg;
  }
}
