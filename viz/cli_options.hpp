#pragma once
// The tcplab-viz command line:
//   tcplab-viz [LAB] [--seed N] [--step N | --at T] [--fork RULE]... [--tab NAME] [--predict]
//              [--var NAME=VALUE]... [--student ID] [--play] [--speed D] [--scale F]
//              [--screenshot out.png] [--dump-model out.json] [--size WxH] [--frames N]
//              [--predict-cc] [--click X,Y] [--export ladder|diagram|endpoint --out F.svg|F.png]
// Parsed by hand so that every mistake is one line (exit 2), before any window opens.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "stack/time.hpp"
#include "viz/app_state.hpp"

namespace tcplab::viz {

struct VizOptions {
  std::string lab;                     // empty: the first built-in lab
  std::optional<std::uint64_t> seed;
  std::vector<std::string> vars;       // --var NAME=VALUE, as `tcplab run` takes them (labs/options.hpp)
  std::string student;                 // --student ID: that student's variant of the lab's [vars]
  std::optional<std::uint64_t> step;   // the cursor after N steps
  std::optional<Instant> at;           // the cursor at virtual time T
  std::vector<std::string> forks;      // fault rules: fork the timeline at the start with each
  std::optional<Tab> tab;              // the bottom pane to show
  bool predict = false;
  bool predict_cc = false;             // the congestion pane's predict-then-reveal
  std::optional<std::array<float, 2>> click;  // headless: a left click at X,Y (window pixels) before the capture
  bool play = false;                   // start playing (headless: 1/60 s of real time per frame)
  std::optional<Duration> speed;       // virtual time per real second
  std::string screenshot;              // render one frame to this PNG and exit
  std::string dump_model;              // write what was drawn (JSON) and exit
  std::string export_what, export_out;  // --export PANEL --out F: that panel as a picture (no display needed)
  int width = 1600, height = 1000;
  float scale = 1.0F;                  // --scale: projector zoom (ImGui units are this many window pixels)
  int frames = 4;                      // frames rendered before the capture (layout settles)
  bool help = false;
  bool version = false;  // --version: print tcplab_version and exit
  bool headless() const { return !screenshot.empty() || !dump_model.empty(); }
};

// On error returns nullopt and sets *error to one line.
std::optional<VizOptions> parse_viz_options(const std::vector<std::string>& args, std::string* error);
std::string viz_usage();
std::optional<Tab> parse_tab(const std::string& s);

}  // namespace tcplab::viz
