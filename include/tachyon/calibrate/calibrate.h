// Precision from data: numerical profiling of a model on real inputs, and configurations
// calibrated on them (docs/calibration.md).
//
//   calibrate::Profile p = calibrate::profile(model, config_json, {x});
//   std::cout << calibrate::profile_table(p);          // the terminal table
//   write html: calibrate::profile_html(p);  json: calibrate::profile_json(p)
//
//   calibrate::CalibrateOptions o;  o.min_agreement = 0.99;
//   calibrate::Calibration c = calibrate::calibrate(model, {}, {x}, o);
//   c.config  // an ordinary hls4ml-style configuration (json), c.summary() what was chosen
//
// Ranges come from the fixed-point emulator itself: every value a layer converts is observed
// in a run where each data-path type keeps its fractional bits and gets 16 more integer bits
// (so nothing wraps and the observed values are what the arithmetic would produce with
// enough integer bits); the wrap/saturation counts come from a run with the types as
// configured.
#pragma once

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tachyon/ir/graph.h"
#include "tachyon/support/npy.h"

namespace tachyon::calibrate {

// Observed values of one conversion point.
struct Range {
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  int64_t count = 0;
  // Percentiles 0.1, 1, 25, 50, 75, 99, 99.9 (estimated from a fixed-seed sample of at most
  // kSample values; exact when fewer values were seen).
  std::vector<double> pct;
  double abs_median = 0;  // median of |v| over the sample (non-zero values)
  bool empty() const { return count == 0; }
};

// Integer bits a signed (or unsigned) fixed-point type needs so that every value in
// [lo, hi] is in range: the smallest I with -2^(I-1) <= lo and hi < 2^(I-1) (signed), or
// 0 <= lo and hi < 2^I (unsigned). Values 0 need no bits: returns the smallest allowed I for
// an all-zero range (1 signed, 0 unsigned) only when lo == hi == 0. May be negative for
// small ranges (ap_fixed<8,-2> holds |v| < 2^-3).
int int_bits_needed(double lo, double hi, bool is_signed);
// Fractional bits that keep 8 significant bits at the median magnitude `abs_median`
// (0 when abs_median is 0).
int frac_bits_needed(double abs_median);

struct ProfileEntry {
  std::string layer;  // node name, or the graph input's name
  std::string op;     // IR op name ("Input" for a graph input)
  std::string what;   // input, weight, bias, product, accum, result, norm, exp, sum, inv, table_in, threshold, leaf
  std::string type;   // the configured type of the conversion ("" when the point has none)
  std::string slot;   // the config precision name that types it (result, weight, accum, inp_norm, ...)
  bool constant = false;  // weights, biases, parameters: counted once
  Range range;
  int int_bits = 0, frac_bits = 0;  // needed (int_bits_needed / frac_bits_needed)
  bool is_signed = true;            // the range has negative values
  int64_t conversions = 0, wrapped = 0, saturated = 0;  // with the configured types
  // The configured type's range (for the plots); NaN when there is no type.
  double type_min = 0, type_max = 0, type_ulp = 0;
};

struct Profile {
  std::string model;  // file name
  int64_t samples = 0;
  std::vector<ProfileEntry> entries;  // graph order: inputs, then each node's points
};

// Profiles `model_path` (any format the driver reads) with configuration `config` (empty =
// defaults; `config_file` names it in messages) on `inputs` (one array per graph input,
// batch first, user layout). Runs in chunks of 8192 samples.
Profile profile(const std::string& model_path, const nlohmann::json& config, const std::vector<NdArray>& inputs,
                const std::string& config_file = {}, int threads = 0);

// The terminal table, the JSON document and the self-contained HTML report (inline SVG).
std::string profile_table(const Profile& p);
nlohmann::json profile_json(const Profile& p);
std::string profile_html(const Profile& p, const std::string& title = {});

// ---- calibration -------------------------------------------------------------------------

enum class Target { Agreement, Accuracy };

struct CalibrateOptions {
  std::string granularity = "name";  // model | type | name
  Target target = Target::Agreement;
  double min_agreement = 0.99;        // Target::Agreement: argmax agreement with the reference
  double max_accuracy_drop = 0.01;    // Target::Accuracy: accuracy >= reference accuracy - drop
  std::vector<int64_t> labels;        // Target::Accuracy: one class index per sample
  int int_margin = 1;                 // integer bits added to what the data needs
  int max_frac = 20;                  // start of the search (fractional bits of every knob)
  int threads = 0;
  // Scalar outputs (one value per sample): the class is (y > threshold); NaN = 0.5 when the
  // output layer is a Sigmoid or Softmax, else 0.
  double threshold = std::numeric_limits<double>::quiet_NaN();
};

// One searched setting of the written configuration.
struct Knob {
  std::vector<std::string> path;  // key path in the config, e.g. {"LayerName","fc1","Precision","accum"}
  std::string before, after;      // type strings (or table sizes)
  int int_bits = 0, frac_bits = 0;
};

struct Calibration {
  nlohmann::json config;  // the calibrated configuration (hls4ml keys)
  std::vector<Knob> knobs;
  double metric_before = 0, metric_after = 0, reference_metric = 0;  // agreement or accuracy
  double cost_before = 0, cost_after = 0;
  int64_t overflows_after = 0;  // on the calibration data: only at precisions the search does not set
  std::vector<std::string> overflow_points;  // "layer/what" of those
  int evaluations = 0;          // emulator runs of the search
  double seconds = 0;
  Target target = Target::Agreement;
  std::string summary() const;  // what `tachyon config --calibrate` prints
};

// Calibrates a configuration for `model_path` on `inputs`, starting from `config` (its
// non-precision settings are kept). Throws tachyon::Error when the target cannot be reached
// even at max_frac fractional bits.
Calibration calibrate(const std::string& model_path, const nlohmann::json& config, const std::vector<NdArray>& inputs,
                      const CalibrateOptions& options, const std::string& config_file = {});

// The firmware cost estimate used by the search, for a typed graph: multiplier bits
// (w_x * w_w per non-zero weight and per output position), adder bits (accumulator width per
// addition), table ROM bits (entries * width) and register bits of every graph input and layer output.
double firmware_cost(const ir::Graph& typed);

// Agreement of two output arrays (argmax per sample; scalar outputs: y > threshold) and
// accuracy against labels.
double agreement(const NdArray& a, const NdArray& b, double threshold);
double accuracy(const NdArray& y, const std::vector<int64_t>& labels, double threshold);

}  // namespace tachyon::calibrate
