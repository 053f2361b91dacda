#pragma once
// `tcplab import --findings`: the reference article's pathologies (shared/seed, "TCP连接的状态
// 详解以及故障排查"), recognised in the inferred states and segments, each with the article's
// own explanation and the evidence (connections, times, counts):
//   many SYN_SENT without answers, SYN flood (SYN_RECV never completing, many sources), peers
//   gone without a FIN, CLOSE_WAIT piling up, FIN_WAIT_1 and LAST_ACK piles, TIME_WAIT counts
//   and rebinding, RST storms, zero-window stalls, RTO retransmission chains.
// It keeps counts and a few examples per finding: its memory does not grow with the capture.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "import/infer.hpp"

namespace tcplab::capture {

class Findings {
 public:
  // How to name a host index in the evidence (the capture's address table while it is read).
  void set_host_text(std::function<std::string(int)> text) { host_text_ = std::move(text); }
  void event(const TraceEvent& e);
  void conn_end(const ConnInfo& c);
  // The report; `live` are the connections not over at the end, `end` the capture's last time.
  std::string report(const std::vector<ConnInfo>& live, Instant end, const std::vector<std::string>& host_names) const;
  // The short names of the findings present ("syn-sent-unanswered", "syn-flood", ...), for tests.
  std::vector<std::string> names(const std::vector<ConnInfo>& live, Instant end) const;

  static constexpr std::size_t kExamples = 5;
  static constexpr Duration kLong = sec(1);  // a closing state held this long is "stuck"

 private:
  struct Example {
    Instant t = 0;
    std::string text;
  };
  struct Pile {  // sockets in one state, per host
    std::uint64_t count = 0, now = 0, peak = 0;
    Instant peak_at = 0;
    std::vector<Example> examples;
  };
  struct Open {
    State state = State::Closed;
    Instant since = 0;
  };
  struct Finding {
    std::uint64_t count = 0;
    std::map<std::string, std::uint64_t> by;  // address (destination, source, ...) -> count
    std::vector<Example> examples;
  };
  void note(Finding& f, const std::string& by, Instant t, std::string text);
  void leave(const TraceEvent& e, const Open& o);

  std::map<std::pair<int, std::string>, Open> open_;  // (host, conn) -> state and since (only those not CLOSED)
  std::map<std::pair<int, State>, Pile> piles_;       // (host, state) -> counts
  std::function<std::string(int)> host_text_;
  std::string host(int h) const { return host_text_ ? host_text_(h) : std::to_string(h); }
  Finding syn_ignored_;  // SYNs that reached the capture host and got no answer at all
  Finding syn_unanswered_, half_open_, vanished_, close_wait_, fin_wait_1_, last_ack_, rebind_, zero_window_, rto_chain_;
  // RST storms: RSTs in the busiest one-second window.
  std::vector<Instant> rst_window_;
  std::size_t rst_head_ = 0;
  std::uint64_t rst_total_ = 0, rst_peak_ = 0;
  Instant rst_peak_at_ = 0;
  std::map<std::string, std::uint64_t> rst_by_;
};

}  // namespace tcplab::capture
