#pragma once
// Small labs written as TOML strings for the check, step and grade suites, and a way to run
// the `tcplab` binary with input and capture what it prints.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include "labs/lab.hpp"
#include "labs/runner.hpp"

namespace labtest {

// The handshake scenario: a client connects to server:9502, sends 7 bytes, reads 18, closes.
// `top` goes before the first table (faults = [...], profile, ...); `checks` at the end.
inline std::string handshake_lab(const std::string& checks, const std::string& top = "",
                                 const std::string& server_script =
                                     R"(["listen 9502", "accept", "recv 7", "send \"Server reply: hi\\r\\n\"", "wait eof", "close"])") {
  return "title = \"test lab\"\nseed = 1\nuntil = \"120s\"\n" + top +
         "\n[[host]]\nname = \"client\"\nip = \"10.0.0.1\"\ntcp = { ephemeral_ports = [39870, 39870] }\n"
         "\n[[host]]\nname = \"server\"\nip = \"10.0.0.2\"\n"
         "\n[link]\ndelay = \"50us\"\n"
         "\n[[app]]\nhost = \"server\"\nscript = " + server_script + "\n"
         "\n[[app]]\nhost = \"client\"\nstart = \"1ms\"\n"
         "script = [\"connect server 9502\", \"wait 100ms\", \"send \\\"hello\\\\r\\\\n\\\"\", \"recv 18\", \"close\"]\n\n" +
         checks;
}

// The two SYNs the client sends first are dropped: it retransmits at 1s and 3s.
inline const std::string kTwoSynsLost = "faults = [\"drop A>B SYN #1\", \"drop A>B SYN #2\"]\n";

inline tcplab::LabRun run_text(const std::string& text) {
  return tcplab::run_lab(tcplab::parse_lab(text, "test.toml"));
}

// Runs the lab with `check` as its only check and returns the verdict.
inline tcplab::CheckResult one_check(const std::string& check, const std::string& top = "",
                                     const std::string& server_script = "") {
  const std::string text = server_script.empty() ? handshake_lab(check, top) : handshake_lab(check, top, server_script);
  auto run = run_text(text);
  REQUIRE(run.results.size() == 1);
  return run.results[0];
}

struct Cmd {
  int rc = -1;
  std::string out, err;
};

// Whether part occurs in s (doctest CHECKs read better with it than with find).
inline bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A directory of this test process's own, removed when the process ends.
inline std::filesystem::path scratch_dir() {
  struct Dir {
    std::filesystem::path path = std::filesystem::temp_directory_path() / ("tcplab-labs-test-" + std::to_string(getpid()));
    Dir() { std::filesystem::create_directories(path); }
    ~Dir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  };
  static const Dir d;
  return d.path;
}

// Runs `tcplab ARGS` in `cwd` with `input` on stdin.
inline Cmd tcplab_cmd(const std::string& args, const std::string& input = "", const std::string& cwd = ".") {
  const auto dir = scratch_dir();
  const auto in = dir / "stdin", out = dir / "stdout", err = dir / "stderr";
  { std::ofstream(in, std::ios::binary) << input; }
  const std::string cmd = "cd '" + cwd + "' && '" TCPLAB_BIN_DIR "/tcplab' " + args + " <'" + in.string() + "' >'" +
                          out.string() + "' 2>'" + err.string() + "'";
  const int status = std::system(cmd.c_str());
  Cmd c;
  c.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  c.out = slurp(out);
  c.err = slurp(err);
  return c;
}

}  // namespace labtest
