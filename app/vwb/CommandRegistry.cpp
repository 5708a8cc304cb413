#include "CommandRegistry.h"

namespace vwb::cli {

std::vector<CommandSpec>& commands() {
  static std::vector<CommandSpec> list;
  return list;
}

CommandRegistrar::CommandRegistrar(std::string name, int order, std::string description,
                                   std::function<void(CLI::App&)> setup) {
  commands().push_back({std::move(name), order, std::move(description), std::move(setup)});
}

}  // namespace vwb::cli
