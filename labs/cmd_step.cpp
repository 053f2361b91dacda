// `tcplab step LAB`: predict-then-step. Before each segment and each state change the student
// predicts what comes next; the answer is scored field by field and explained with the RFC
// rule. Predictions are read from stdin line by line, so tests and graders can drive it;
// end of input ends the session with the score so far.
#include <iostream>
#include <string>
#include <unistd.h>

#include "labs/terminal.hpp"
#include "labs/cli.hpp"
#include "labs/options.hpp"
#include "labs/step.hpp"

namespace tcplab::cli {
namespace {

struct StepArgs {
  std::string lab;
  LabOptionArgs common;
};

int step(const StepArgs& a) {
  LabRun run = run_lab(load_common(a.lab, a.common), until_of(a.common), false);
  const bool tty_in = stdin_is_terminal(), color = color_stdout();
  std::vector<std::string> trailing;
  const std::vector<StepItem> items = step_items(run, &trailing);
  std::cout << "# " << run.lab.name << ": " << run.lab.title << "\n";
  std::cout << "SEED=" << run.lab.seed;
  for (const auto& v : run.lab.vars) std::cout << "  " << v.name << "=" << v.value;
  std::cout << "\n";
  if (!run.lab.goal.empty()) std::cout << run.lab.goal << (run.lab.goal.back() == '\n' ? "" : "\n");
  std::cout << "\nPredict each event before it happens. A segment: FLAGS SEQ ACK LEN, tcpdump flags and\n"
               "relative numbers (the SYN is 0), e.g. \"S. 0 1 0\"; '-' skips a field. A state change: its\n"
               "name, e.g. ESTABLISHED. At the same instant a state change comes before the segment it sends\n"
               "(CLOSED -> SYN_SENT, then the SYN). End of input (Ctrl-D) stops with your score.\n\n";
  int points = 0, max_points = 0;
  std::size_t done = 0;
  bool eof = false;
  for (const StepItem& it : items) {
    for (const auto& l : it.context) std::cout << l << "\n";
    std::cout << it.prompt << " " << std::flush;
    std::string line;
    if (!std::getline(std::cin, line)) {
      eof = true;
      std::cout << "\n";
      break;
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!tty_in) std::cout << line;  // a transcript that reads like a session
    std::cout << "\n";
    const StepScore s = score_answer(it, line);
    points += s.points;
    max_points += s.max_points;
    ++done;
    std::cout << step_feedback(it, s, color);
  }
  if (!eof)
    for (const auto& l : trailing) std::cout << l << "\n";
  std::cout << "\n" << (eof ? "stopped at end of input after " : "done: ") << done << " of " << items.size()
            << " events predicted\n";
  std::cout << "score: " << points << "/" << max_points << "\n";
  return kOk;
}

}  // namespace

Command step_command() {
  return {"step", [](CLI::App& sub) -> std::function<int()> {
    auto a = std::make_shared<StepArgs>();
    sub.add_option("LAB", a->lab, "a built-in lab's name or a .toml file")->required();
    add_lab_options(sub, a->common);
    sub.footer("Examples:\n  tcplab step handshake\n  printf 'SYN_SENT\\nS 0 - 0\\n' | tcplab step handshake --student s1234\n"
               "Answers: a segment as FLAGS SEQ ACK LEN (\"S. 0 1 0\", \". 1 1 0\", \"P. 1:8 1\"), '-' to skip a field;\n"
               "a state as its name (ESTABLISHED, SYN_RECV). The last line is `score: X/Y`.");
    return [a] { return step(*a); };
  }, "predict each segment and state change before it happens, scored with the RFC rule"};
}

}  // namespace tcplab::cli
