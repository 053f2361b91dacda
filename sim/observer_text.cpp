// The observer view as text (`tcplab run LAB --observer`).
#include <fmt/format.h>

#include "sim/observer.hpp"
#include "sim/text_view.hpp"

namespace tcplab {

std::size_t observer_disagreements(const std::vector<ObservedFrame>& frames) {
  std::size_t n = 0;
  for (const auto& f : frames) n += f.truth.why.empty() ? 0 : 1;
  return n;
}

namespace {

std::string flag_counts(const std::vector<ObservedFrame>& frames) {
  std::array<std::size_t, kWsFlags> count{};
  for (const auto& f : frames)
    for (int i = 0; i < kWsFlags; ++i) count[i] += f.ws.has(static_cast<WsFlag>(i)) ? 1 : 0;
  std::string out;
  for (int i = 0; i < kWsFlags; ++i) {
    if (!count[i]) continue;
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", count[i], ws_words(static_cast<WsFlag>(i)).substr(4));
  }
  return out.empty() ? "none" : out;
}

}  // namespace

std::string observer_text(const std::vector<ObservedFrame>& frames, const TraceEvents& trace,
                          const std::vector<std::string>& host_names, const std::string& where) {
  std::string out = fmt::format(
      "# observer view at {}: {} frames as Wireshark's TCP analysis labels them, and what the endpoints knew\n"
      "# Wireshark's labels: {}\n"
      "# its guess and the truth differ on {} frame(s), marked '≠'\n",
      where, frames.size(), flag_counts(frames), observer_disagreements(frames));
  TextViewOptions opt;
  TextView tv(host_names, opt);
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const ObservedFrame& f = frames[i];
    TraceEvent e = trace[f.frame.send];
    e.t_ns = f.frame.t_ns;
    e.retx = e.loss_probe = false;  // the capture does not say; the truth line does
    std::string l = fmt::format("{:5} {}", i + 1, tv.line(e));
    if (f.ws.flags) l += "  " + f.ws.labels();
    out += l + "\n";
    if (!observer_notable(f)) continue;
    out += "        knew: " + f.truth.what + "\n";
    if (!f.truth.why.empty()) out += "      ≠ " + f.truth.why + "\n";
  }
  return out;
}

std::string observer_fields(const std::vector<ObservedFrame>& frames) {
  std::string out;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const ObservedFrame& f = frames[i];
    std::string flags;
    for (int b = 0; b < kWsFlags; ++b)
      if (f.ws.has(static_cast<WsFlag>(b))) flags += (flags.empty() ? "" : ",") + std::string(ws_field(static_cast<WsFlag>(b)));
    out += fmt::format("{}\t{}\t{}\t{}\n", i + 1, flags.empty() ? "-" : flags, f.ws.dup_ack_num, f.truth.why);
  }
  return out;
}

}  // namespace tcplab
