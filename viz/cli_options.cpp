#include "viz/cli_options.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "labs/panel_draw.hpp"
#include "sim/fault.hpp"

namespace tcplab::viz {
namespace {

bool parse_u64(const std::string& s, std::uint64_t* v) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return !s.empty() && ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

float zoom_step(float z, int dir) {
  constexpr float kSteps[] = {0.75F, 0.9F, 1.0F, 1.1F, 1.25F, 1.5F, 1.75F, 2.0F, 2.5F, 3.0F};
  if (dir > 0) {
    for (float s : kSteps)
      if (s > z + 0.01F) return s;
    return kMaxScale;
  }
  float best = kMinScale;
  for (float s : kSteps)
    if (s < z - 0.01F) best = s;
  return best;
}

std::optional<Tab> parse_tab(const std::string& s) {
  if (s == "text" || s == "tcpdump") return Tab::Text;
  if (s == "netstat") return Tab::Netstat;
  if (s == "plots") return Tab::Plots;
  if (s == "fork" || s == "compare") return Tab::Fork;
  if (s == "lab") return Tab::Lab;
  if (s == "congestion" || s == "cc") return Tab::Congestion;
  if (s == "observer" || s == "wireshark") return Tab::Observer;
  return std::nullopt;
}

std::string viz_usage() {
  return "usage: tcplab-viz [--version] [LAB | CAPTURE] [--seed N] [--var NAME=VALUE]... [--student ID] [--step N | --at T] [--fork RULE]...\n"
         "                  [--tab text|netstat|plots|fork|lab|congestion|observer] [--predict] [--predict-cc] [--play] [--speed D]\n"
         "                  [--scale F] [--screenshot out.png] [--dump-model out.json] [--size WxH] [--frames N]\n"
         "                  [--click X,Y] [--export ladder|diagram|endpoint --out F.svg|F.png]\n"
         "LAB is a built-in lab's name or a path to a .toml file, or a tcpdump capture (.pcap, .pcapng: each side's\n"
         "inferred states, as `tcplab import` infers them). With --screenshot or --dump-model, one frame of\n"
         "that moment is rendered (an X display is still needed: run under `xvfb-run -a`) and the program exits.\n"
         "With --export, that panel at that moment is written as a picture for slides, as `tcplab draw` draws it\n"
         "(no display needed); in the window, the Export bar's ladder / diagram / endpoint buttons do the same.\n";
}

std::optional<VizOptions> parse_viz_options(const std::vector<std::string>& args, std::string* error) {
  VizOptions o;
  auto fail = [&](const std::string& m) -> std::optional<VizOptions> {
    *error = m;
    return std::nullopt;
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i], value;
    bool has_value = false;
    if (a.rfind("--", 0) == 0) {
      if (auto eq = a.find('='); eq != std::string::npos) {
        value = a.substr(eq + 1);
        a = a.substr(0, eq);
        has_value = true;
      }
    }
    auto need = [&]() -> bool {
      if (has_value) return true;
      if (i + 1 >= args.size()) return false;
      value = args[++i];
      return true;
    };
    if (a == "-h" || a == "--help") {
      o.help = true;
    } else if (a == "--version") {
      o.version = true;
    } else if (a == "--predict") {
      o.predict = true;
    } else if (a == "--predict-cc") {
      o.predict_cc = true;
    } else if (a == "--click") {
      // X,Y in window pixels: a left click there, injected into a headless frame (tests).
      if (!need()) return fail("--click needs X,Y in window pixels, e.g. --click 400,300");
      const auto comma = value.find(',');
      std::uint64_t x = 0, y = 0;
      if (comma == std::string::npos || !parse_u64(value.substr(0, comma), &x) || !parse_u64(value.substr(comma + 1), &y) ||
          x > 8192 || y > 8192)
        return fail("--click: '" + value + "' is not X,Y in window pixels (e.g. 400,300)");
      o.click = std::array<float, 2>{static_cast<float>(x), static_cast<float>(y)};
    } else if (a == "--play") {
      o.play = true;
    } else if (a == "--speed") {
      if (!need()) return fail("--speed needs a duration of virtual time per real second, e.g. --speed 10ms");
      std::string err;
      auto d = parse_duration(value, &err);
      if (!d) return fail("--speed: " + err);
      if (*d <= 0) return fail("--speed: must be more than 0");
      o.speed = *d;
    } else if (a == "--seed" || a == "--step" || a == "--frames") {
      if (!need()) return fail(a + " needs a number");
      std::uint64_t v = 0;
      if (!parse_u64(value, &v)) return fail(a + ": '" + value + "' is not a non-negative integer");
      if (a == "--seed") o.seed = v;
      else if (a == "--step") o.step = v;
      else {
        if (v < 1 || v > 1000) return fail("--frames: must be 1..1000");
        o.frames = static_cast<int>(v);
      }
    } else if (a == "--var") {
      // NAME=VALUE is split and checked where `tcplab run --var` is (cli::load_common).
      if (!need() || value.empty()) return fail("--var needs NAME=VALUE, e.g. --var msl=10s");
      o.vars.push_back(value);
    } else if (a == "--student") {
      if (!need() || value.empty()) return fail("--student needs an id, e.g. --student alice");
      o.student = value;
    } else if (a == "--scale") {
      if (!need()) return fail("--scale needs a factor, e.g. --scale 1.5");
      // strtod, not from_chars: the browser build's libc++ has no floating-point from_chars.
      char* end = nullptr;
      const float f = std::strtof(value.c_str(), &end);
      if (value.empty() || end != value.c_str() + value.size() || !std::isfinite(f)) return fail("--scale: '" + value + "' is not a number");
      if (f < kMinScale || f > kMaxScale) return fail("--scale: " + value + " is outside 0.75 .. 3");
      o.scale = f;
    } else if (a == "--at") {
      if (!need()) return fail("--at needs a duration, e.g. --at 30s");
      std::string err;
      auto d = parse_duration(value, &err);
      if (!d) return fail("--at: " + err);
      o.at = *d;
    } else if (a == "--fork") {
      if (!need()) return fail("--fork needs a fault rule, e.g. --fork 'drop A>B#3'");
      std::string err;
      if (!parse_fault(value, &err)) return fail("--fork: " + err);
      o.forks.push_back(value);
    } else if (a == "--tab") {
      if (!need()) return fail("--tab needs one of text, netstat, plots, fork, lab, congestion, observer");
      o.tab = parse_tab(value);
      if (!o.tab) return fail("--tab: '" + value + "' is not one of text, netstat, plots, fork, lab, congestion, observer");
    } else if (a == "--screenshot" || a == "--dump-model") {
      if (!need() || value.empty()) return fail(a + " needs a file name");
      (a == "--screenshot" ? o.screenshot : o.dump_model) = value;
    } else if (a == "--export") {
      if (!need()) return fail("--export needs a panel: ladder, diagram or endpoint");
      if (!draw::parse_what(value)) return fail("--export: '" + value + "' is not a panel (ladder, diagram, endpoint)");
      o.export_what = value;
    } else if (a == "--out") {
      if (!need() || value.empty()) return fail("--out needs a file name (.svg or .png)");
      if (!draw::format_of(value)) return fail("--out: '" + value + "': unknown format (the file must end in .svg or .png)");
      o.export_out = value;
    } else if (a == "--size") {
      if (!need()) return fail("--size needs WxH, e.g. --size 1600x1000");
      const auto x = value.find('x');
      std::uint64_t w = 0, h = 0;
      if (x == std::string::npos || !parse_u64(value.substr(0, x), &w) || !parse_u64(value.substr(x + 1), &h))
        return fail("--size: '" + value + "' is not WxH (e.g. 1600x1000)");
      if (w < 640 || h < 400 || w > 8192 || h > 8192) return fail("--size: " + value + " is outside 640x400 .. 8192x8192");
      o.width = static_cast<int>(w);
      o.height = static_cast<int>(h);
    } else if (!a.empty() && a[0] == '-') {
      return fail("unknown option '" + a + "' (see --help)");
    } else {
      if (!o.lab.empty()) return fail("one LAB only (got '" + o.lab + "' and '" + a + "')");
      o.lab = a;
    }
  }
  if (o.step && o.at) return fail("--step and --at both place the cursor: give one");
  if (o.export_what.empty() != o.export_out.empty()) return fail("--export and --out go together: --export ladder --out ladder.svg");
  return o;
}

}  // namespace tcplab::viz
