#include "labs/run_control.hpp"

#include <fmt/format.h>

#include <csignal>
#include <iostream>

#include "labs/budget.hpp"
#include "labs/cli.hpp"
#include "sim/text_view.hpp"

namespace tcplab::cli {
namespace {

volatile std::sig_atomic_t g_stop = 0;

extern "C" void on_interrupt(int) { g_stop = 1; }

}  // namespace

LongRun::LongRun(std::uint64_t max_memory) : start_(std::chrono::steady_clock::now()) {
  next_note_ = start_ + std::chrono::seconds(2);
  g_stop = 0;
  previous_ = std::signal(SIGINT, on_interrupt);
  control_.max_memory = max_memory;
  control_.stop = &g_stop;
  control_.progress = [this](const World& w, const TraceSink& sink) {
    const auto now = std::chrono::steady_clock::now();
    if (now < next_note_) return;
    next_note_ = now + std::chrono::seconds(2);
    const double wall = std::chrono::duration<double>(now - start_).count();
    std::cerr << fmt::format("tcplab: {:.0f} s: virtual time {}, {} events, {} trace lines, {} in use (Ctrl-C stops here)\n",
                             wall, TextView::clock(w.now()), w.trace_count(), sink.events.size(),
                             human_bytes(resident_bytes()));
  };
}

LongRun::~LongRun() { std::signal(SIGINT, previous_ == SIG_ERR ? SIG_DFL : previous_); }

std::string stopped_line(const LabRun& r) {
  if (r.stopped.empty()) return "";
  return "stopped at virtual time " + TextView::clock(r.world.now()) + ": " + r.stopped +
         "; what is shown is the run up to there";
}

int stopped_exit_code(const LabRun& r) {
  if (r.stopped.empty()) return 0;
  return r.stopped == "interrupted" ? kInterrupted : kBadInput;
}

}  // namespace tcplab::cli
