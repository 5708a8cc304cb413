#pragma once
// Subcommands register themselves from their own file:
//   VWB_COMMAND(synth, 10, "Write a synthetic dataset", [](CLI::App& cmd) { ... cmd.callback(...); });
// `order` sorts them in --help. A callback reports failure by throwing (vwb::Error -> exit 1).
#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace vwb::cli {

struct CommandSpec {
  std::string name;
  int order;
  std::string description;
  std::function<void(CLI::App&)> setup;
};

std::vector<CommandSpec>& commands();

struct CommandRegistrar {
  CommandRegistrar(std::string name, int order, std::string description,
                   std::function<void(CLI::App&)> setup);
};

// Exit code a command asks for without being an error (e.g. `vwb check` on a dataset with errors).
struct ExitCode {
  int code;
};

}  // namespace vwb::cli

#define VWB_COMMAND(name, order, description, setup) \
  static ::vwb::cli::CommandRegistrar vwbCommand_##name(#name, order, description, setup)
