// `tachyon version`: prints the version and the features this build has.
#include <fmt/format.h>

#include "cli.h"
#include "tachyon/support/version.h"

namespace {
tachyon::cli::Registrar reg("version", "Print the version of tachyon", [](CLI::App&) -> tachyon::cli::Action {
  return [] {
    fmt::print("tachyon {}\n", tachyon::version());
    return 0;
  };
});
}  // namespace
