#pragma once
// Documentation generated from the command line's own definitions (the CLI11 App that main()
// builds), so that the man page and the shell completion can never disagree with --help:
// `tcplab man` prints the man page (troff), `tcplab completion bash` the bash completion.
// The build writes both next to the binary and `cmake --install` puts them where Debian
// expects them (share/man/man1/tcplab.1, share/bash-completion/completions/tcplab).
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace tcplab::cli {

// The version `tcplab --version` prints ("tcplab 0.7.0"), from CMake's project(VERSION).
std::string version_string();

// tcplab(1) in troff (man(7) macros): every visible subcommand with its options, the
// examples from each footer, the exit codes, where the built-in labs live.
std::string man_page(const CLI::App& root);

// A bash completion script: subcommands, each one's options, built-in lab names (`lab_names`)
// and .toml files for a LAB argument, files after an option whose help says it reads or writes one.
std::string bash_completion(const CLI::App& root, const std::vector<std::string>& lab_names);

}  // namespace tcplab::cli
