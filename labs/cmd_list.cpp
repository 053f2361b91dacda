// `tcplab list`: the built-in catalogue, one line each.
#include <iostream>

#include "labs/cli.hpp"
#include "labs/lab.hpp"

namespace tcplab::cli {
namespace {

int list() {
  for (const auto& name : catalogue_names()) {
    try {
      const Lab l = load_lab(name);
      std::cout << name << std::string(name.size() < 20 ? 20 - name.size() : 1, ' ') << l.title << "\n";
    } catch (const LabError& e) {
      std::cout << name << std::string(name.size() < 20 ? 20 - name.size() : 1, ' ') << "(broken: " << e.what() << ")\n";
    }
  }
  return kOk;
}

}  // namespace

Command list_command() {
  return {"list", [](CLI::App& sub) -> std::function<int()> {
    sub.footer("Example:\n  tcplab list");
    return [] { return list(); };
  }, "list the built-in labs"};
}

}  // namespace tcplab::cli
