// Subcommand registration for the `tachyon` command line: each tools/cmd_*.cc defines
//   static tachyon::cli::Registrar reg("name", [](CLI::App& app) -> std::function<int()> { ... });
// The setup function adds options to `app` (a subcommand already named) and returns the
// action to run when that subcommand is chosen; the action returns the exit code.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace tachyon::cli {

using Action = std::function<int()>;
using Setup = std::function<Action(CLI::App&)>;

struct Command {
  std::string name;
  std::string description;
  Setup setup;
};

std::vector<Command>& registry();

// The option every command that loads a model has: the HDF5 weights of a Keras model JSON.
inline CLI::Option* add_weights_option(CLI::App& app, std::string& weights) {
  return app.add_option("--weights", weights,
                        "Keras model .json: its HDF5 weights file (default: NAME_weights.h5 beside NAME.json)");
}

struct Registrar {
  Registrar(std::string name, std::string description, Setup setup) {
    registry().push_back({std::move(name), std::move(description), std::move(setup)});
  }
};

}  // namespace tachyon::cli
