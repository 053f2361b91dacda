// `tcplab man` (hidden: the build calls it) and `tcplab completion bash`: documentation
// generated from the command line's own definitions (labs/cli_docs.hpp).
#include <iostream>

#include "labs/cli.hpp"
#include "labs/cli_docs.hpp"
#include "labs/lab.hpp"

namespace tcplab::cli {

Command man_command() {
  return {"man", [](CLI::App& sub) -> std::function<int()> {
    sub.group("");  // not listed: users read the result with `man tcplab`
    return [&sub] {
      std::cout << man_page(*sub.get_parent());
      return kOk;
    };
  }, "print the tcplab(1) man page (troff)"};
}

Command completion_command() {
  struct Args {
    std::string shell;
  };
  auto a = std::make_shared<Args>();
  return {"completion", [a](CLI::App& sub) -> std::function<int()> {
    sub.add_option("SHELL", a->shell, "the shell: bash")->required()->check(CLI::IsMember({"bash"}));
    sub.footer("Example:\n  source <(tcplab completion bash)\n"
               "(`cmake --install` puts it in share/bash-completion/completions, where bash finds it.)");
    return [a, &sub] {
      std::cout << bash_completion(*sub.get_parent(), catalogue_names());
      return kOk;
    };
  }, "print a shell completion script (subcommands, options, built-in lab names)"};
}

}  // namespace tcplab::cli
