#include "viz/start.hpp"

namespace tcplab::viz {

std::string default_lab() {
  const auto names = catalogue_names();
  for (const auto& n : names)
    if (n == "handshake") return n;
  return names.empty() ? "handshake" : names.front();
}

Started start_session(const VizOptions& opt) {
  Started st;
  // --seed, --var, --student: as `tcplab run` takes them (labs/options.hpp).
  cli::LabOptionArgs lo;
  lo.seed = opt.seed;
  lo.vars = opt.vars;
  lo.student = opt.student;
  try {
    if (!opt.lab.empty() && is_capture_file(opt.lab)) {
      // A recording has no seed and no variables: asking for them is a mistake, not a default.
      const char* bad = opt.seed ? "--seed" : !opt.vars.empty() ? "--var" : !opt.student.empty() ? "--student" : nullptr;
      if (bad) {
        st.error = std::string(bad) + ": " + opt.lab + " is a capture, not a lab (a recording has no seed or variables)";
        return st;
      }
      st.session = std::make_unique<Session>(load_capture(opt.lab));
    } else {
      st.session = std::make_unique<Session>(opt.lab.empty() ? default_lab() : opt.lab, lo);
    }
  } catch (const std::exception& e) {
    st.error = e.what();
    return st;
  }
  for (const auto& rule : opt.forks) {
    if (const std::string err = st.session->fork_rule(rule, 0); !err.empty()) {
      st.error = "--fork: " + err;
      st.session.reset();
      return st;
    }
  }
  st.ui.predict = opt.predict;
  st.ui.predict_cc = opt.predict_cc;
  st.ui.zoom = opt.scale;
  st.ui.playing = opt.play;
  if (opt.speed) st.ui.speed_per_s = *opt.speed;
  if (opt.tab) {
    st.ui.tab = *opt.tab;
    st.ui.tab_requested = true;
  }
  if (opt.step) {
    st.session->seek(0);  // a fork leaves the cursor at its fork point; steps count from the start
    std::uint64_t done = 0;
    while (done < *opt.step && st.session->step(1)) ++done;
    if (done < *opt.step) st.note = "the timeline has " + std::to_string(done) + " steps; showing the end";
  } else if (opt.at) {
    st.session->seek_time(*opt.at);
  }
  return st;
}

}  // namespace tcplab::viz
