// The `tachyon` command line: subcommands register themselves (see cli.h).
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <map>

#include "cli.h"
#include "tachyon/support/error.h"
#include "tachyon/support/version.h"

namespace tachyon::cli {
std::vector<Command>& registry() {
  static std::vector<Command> commands;
  return commands;
}
}  // namespace tachyon::cli

int main(int argc, char** argv) {
  using namespace tachyon::cli;
  CLI::App app{"Tachyon: compile trained ML models into bit-exact FPGA firmware and emulate it"};
  app.set_version_flag("--version", std::string("tachyon ") + tachyon::version());
  app.require_subcommand(1);
  auto commands = registry();
  std::sort(commands.begin(), commands.end(), [](const Command& a, const Command& b) { return a.name < b.name; });
  std::map<CLI::App*, Action> actions;
  for (auto& c : commands) {
    CLI::App* sub = app.add_subcommand(c.name, c.description);
    actions[sub] = c.setup(*sub);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    for (auto& [sub, action] : actions)
      if (sub->parsed()) return action();
  } catch (const tachyon::Error& e) {
    fmt::print(stderr, "{}\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  }
  return 0;
}
