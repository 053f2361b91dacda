#pragma once
// The command line's side of a long run (labs/runner.hpp RunControl): Ctrl-C asks the run
// to stop after the current slice of events, so the user gets what ran so far and its
// summary; a progress line on stderr every few seconds of wall time says how far a long
// run has come. Wall time is used only for when to print, never for what is simulated.
#include <chrono>

#include "labs/runner.hpp"

namespace tcplab::cli {

// Exit code of a run stopped by Ctrl-C (128 + SIGINT, as shells report it).
constexpr int kInterrupted = 130;

class LongRun {
 public:
  explicit LongRun(std::uint64_t max_memory);  // installs the SIGINT handler
  ~LongRun();                                  // restores the previous one
  LongRun(const LongRun&) = delete;
  LongRun& operator=(const LongRun&) = delete;
  const RunControl& control() const { return control_; }

 private:
  RunControl control_;
  std::chrono::steady_clock::time_point start_, next_note_;
  void (*previous_)(int) = nullptr;
};

// The line printed when a run ended early ("" if it did not), and the exit code for it.
std::string stopped_line(const LabRun& r);
int stopped_exit_code(const LabRun& r);

}  // namespace tcplab::cli
