// `tachyon fixed-check FILE...`: runs golden ap_fixed vectors through the runtime core.
#include <fmt/format.h>

#include <string>
#include <vector>

#include "cli.h"
#include "tachyon/fixed/golden_check.h"
#include "tachyon/fixed/golden_reader.h"
#include "tachyon/support/error.h"

namespace {

struct Options {
  std::vector<std::string> files;
  int show = 10;
};

int run(const Options& opt) {
  long passed = 0, failed = 0;
  for (const std::string& path : opt.files) {
    tachyon::for_each_line(path, [&](const std::string& line, long line_no) {
      if (line.find_first_not_of(" \t") == std::string::npos) return true;  // blank line
      tachyon::GoldenCaseResult r;
      try {
        r = tachyon::check_golden_line(line);
      } catch (const tachyon::Error& e) {
        tachyon::fail("{}:{}: {}", path, line_no, e.what());
      }
      if (r.passed) {
        ++passed;
        return true;
      }
      if (failed < opt.show) {
        fmt::print("FAIL {} ({}) {}:{}\n  inputs:   {}\n  expected: {}\n  got:      {}\n", r.id, r.op, path, line_no,
                   r.inputs, r.expected, r.got);
      }
      ++failed;
      return true;
    });
  }
  fmt::print("{} passed, {} failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}

tachyon::cli::Registrar reg(
    "fixed-check", "Check the fixed-point core against golden ap_fixed test vectors",
    [](CLI::App& app) -> tachyon::cli::Action {
      auto opt = std::make_shared<Options>();
      app.footer(
          "Reads vector files in the golden schema of tests/data/golden/ap_fixed (JSON Lines, plain or\n"
          "gzip-compressed), evaluates every record with the runtime fixed-point core (casts, arithmetic,\n"
          "compound assignment, comparisons, to_double/to_float, ap_int conversion, shifts) and compares\n"
          "bits, decimal values and result types. Prints the first N failures with their inputs, expected\n"
          "and computed fields, then a final line 'N passed, M failed'. Exit status 0 iff nothing failed;\n"
          "a malformed line or unknown op is an error naming the file and line.\n\n"
          "Example: tachyon fixed-check tests/data/golden/ap_fixed/*.jsonl.gz --show 5");
      app.add_option("files", opt->files, "Vector files (*.jsonl or *.jsonl.gz)")->required()->check(CLI::ExistingFile);
      app.add_option("--show", opt->show, "Print at most N failures (default 10)")->check(CLI::NonNegativeNumber);
      return [opt] { return run(*opt); };
    });

}  // namespace
