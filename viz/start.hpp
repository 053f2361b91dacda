#pragma once
// Starting a session from VizOptions: the desktop window's command line and the web page's
// #lab=...&step=... link (viz/link.hpp) both end here.
#include <memory>
#include <string>

#include "viz/cli_options.hpp"
#include "viz/session.hpp"

namespace tcplab::viz {

struct Started {
  std::unique_ptr<Session> session;  // null when `error` is set
  UiState ui;
  std::string error;                 // one line: a bad lab or fork rule
  std::string note;                  // e.g. "the timeline has 20 steps; showing the end"
};

// Loads the lab, applies --fork rules, then moves the cursor to --step N or --at T.
Started start_session(const VizOptions& opt);

// The lab shown when none is named: handshake, else the first in the catalogue.
std::string default_lab();

}  // namespace tcplab::viz
