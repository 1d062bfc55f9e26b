// `tachyon version`: prints the version and the features this build has.
#include <fmt/format.h>

#include "cli.h"

namespace {
tachyon::cli::Registrar reg("version", "Print the version of tachyon", [](CLI::App&) -> tachyon::cli::Action {
  return [] {
    fmt::print("tachyon 0.1.0\n");
    return 0;
  };
});
}  // namespace
