// tcplab-viz end to end: each case renders one frame of a lab at a chosen moment (under
// Xvfb: viz/tests/xvfb_or_skip.sh) and checks what was drawn, twice over:
//   - the --dump-model JSON: the states shown per side, the diagram's highlighted state and
//     the edge just taken, the ladder's arrows with their labels and fates, the cursor;
//   - the --screenshot PNG at the places the model says things were drawn: the state's
//     colour inside its badge and its diagram box, the red of a lost segment's cross.
// The command-line cases need no display.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>
#include <stb_image.h>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Image {
  int w = 0, h = 0;
  std::vector<unsigned char> px;  // RGB
  std::array<int, 3> at(int x, int y) const {
    const std::size_t i = (static_cast<std::size_t>(y) * static_cast<std::size_t>(w) + static_cast<std::size_t>(x)) * 3;
    return {px[i], px[i + 1], px[i + 2]};
  }
};

Image load_png(const std::string& path) {
  Image img;
  int n = 0;
  unsigned char* d = stbi_load(path.c_str(), &img.w, &img.h, &n, 3);
  REQUIRE_MESSAGE(d != nullptr, "cannot read " << path);
  img.px.assign(d, d + static_cast<std::size_t>(img.w) * static_cast<std::size_t>(img.h) * 3);
  stbi_image_free(d);
  return img;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int exit_code(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128; }

struct Frame {
  json model;
  Image png;
};

// tcplab-viz LAB ARGS --screenshot --dump-model, at 1200x760 unless `size` says otherwise.
Frame render(const std::string& name, const std::string& args, const std::string& size = "1200x760") {
  const fs::path dir = VIZ_TEST_OUT;
  fs::create_directories(dir);
  const std::string png = (dir / (name + ".png")).string(), model = (dir / (name + ".json")).string();
  const std::string err = (dir / (name + ".stderr")).string();
  fs::remove(png);
  fs::remove(model);
  const std::string cmd = std::string(VIZ_BIN) + " " + args + " --size " + size + " --screenshot " + png + " --dump-model " + model +
                          " 2>" + err;
  INFO("command: " << cmd);
  const int rc = exit_code(std::system(cmd.c_str()));
  INFO("stderr: " << slurp(err));
  REQUIRE(rc == 0);
  Frame f;
  f.model = json::parse(slurp(model));
  f.png = load_png(png);
  return f;
}

std::string lab(const char* file) { return std::string(VIZ_TEST_LABS) + "/" + file; }

const json& endpoint(const json& m, const std::string& host) {
  for (const auto& e : m["endpoints"])
    if (e["host"] == host) return e;
  FAIL("no endpoint panel for " << host);
  static json none;
  return none;
}

const json& diagram(const json& m, const std::string& host) {
  for (const auto& d : m["diagrams"])
    if (d["host"] == host) return d;
  FAIL("no diagram for " << host);
  static json none;
  return none;
}

std::vector<std::string> labels(const json& m) {
  std::vector<std::string> v;
  for (const auto& a : m["ladder"]["arrows"]) v.push_back(a["label"]);
  return v;
}

std::array<int, 3> color(const json& m, const std::string& state) {
  const auto& c = m["state_colors"][state];
  return {c[0].get<int>(), c[1].get<int>(), c[2].get<int>()};
}

bool near(std::array<int, 3> a, std::array<int, 3> b, int tol = 10) {
  return std::abs(a[0] - b[0]) <= tol && std::abs(a[1] - b[1]) <= tol && std::abs(a[2] - b[2]) <= tol;
}

// The share of pixels in rect [x0,y0,x1,y1] (shrunk by `inset`) that have colour c.
double share(const Image& img, const json& rect, std::array<int, 3> c, int inset = 3) {
  const int x0 = static_cast<int>(rect[0].get<double>()) + inset, y0 = static_cast<int>(rect[1].get<double>()) + inset;
  const int x1 = static_cast<int>(rect[2].get<double>()) - inset, y1 = static_cast<int>(rect[3].get<double>()) - inset;
  int hit = 0, all = 0;
  for (int y = std::max(0, y0); y < std::min(img.h, y1); ++y)
    for (int x = std::max(0, x0); x < std::min(img.w, x1); ++x) {
      ++all;
      hit += near(img.at(x, y), c) ? 1 : 0;
    }
  return all ? static_cast<double>(hit) / all : 0.0;
}

// The state's colour fills most of the panel badge and of the diagram box for that state.
void check_state_pixels(const Frame& f, const std::string& host, const std::string& state) {
  const auto c = color(f.model, state);
  INFO(host << " in " << state << ": colour " << c[0] << "," << c[1] << "," << c[2]);
  CHECK(share(f.png, endpoint(f.model, host)["badge"], c) > 0.5);
  // A box also carries its label and, next to the edge just taken, that edge's caption, which
  // may overlap it (0.46 was seen with another Mesa build); an unfilled box stays under 0.05.
  CHECK(share(f.png, diagram(f.model, host)["boxes"][state], c) > 0.3);
}

double num(const json& j) { return j.get<double>(); }

bool overlap(const json& a, const json& b) {
  return num(a[0]) < num(b[2]) && num(b[0]) < num(a[2]) && num(a[1]) < num(b[3]) && num(b[1]) < num(a[3]);
}

bool inside(const json& in, const json& out, double slack = 1.0) {
  return num(in[0]) >= num(out[0]) - slack && num(in[1]) >= num(out[1]) - slack && num(in[2]) <= num(out[2]) + slack &&
         num(in[3]) <= num(out[3]) + slack;
}

// What a class must be able to read at this size: for each endpoint panel, every TCB value
// whole (no value wider than its column) and on screen (inside the panel's visible part, and
// clear of the others); for each diagram, the why box wholly on screen (scrolling inside when
// its text is taller) and, when Figure 5 is drawn, the edge's plate over no box.
void check_readable(const Frame& f) {
  for (const auto& e : f.model["endpoints"]) {
    INFO(e["host"].get<std::string>() << " clipped TCB values: " << e["tcb_clipped"].dump() << " window " << e["window"].dump());
    CHECK(e["tcb_clipped"].empty());
    std::vector<json> cells;
    for (const auto& [field, r] : e["tcb_rects"].items()) {
      INFO("TCB value " << field << " at " << r.dump());
      CHECK(inside(r, e["window"]));
      cells.push_back(r);
    }
    for (std::size_t i = 0; i < cells.size(); ++i)
      for (std::size_t j = i + 1; j < cells.size(); ++j) CHECK_FALSE(overlap(cells[i], cells[j]));
  }
  for (const auto& d : f.model["diagrams"]) {
    INFO(d["host"].get<std::string>() << ": why " << d["why"].dump() << " panel " << d["panel"].dump() << " plate " << d["plate"].dump());
    if (!d["taken"].is_null()) {
      CHECK(inside(d["why"], d["panel"]));
      for (const auto& [state, box] : d["boxes"].items()) {
        INFO("box " << state << " " << box.dump());
        CHECK_FALSE(overlap(d["plate"], box));
      }
    }
  }
}

// Every button, box and slider of the control bar is drawn, apart from the others and wholly
// inside the bar (rectangles in ImGui units).
void check_control_bar(const Frame& f) {
  const json& items = f.model["items"];
  REQUIRE(items.contains("window:controls"));
  const json& bar = items["window:controls"];
  std::vector<std::string> names;
  for (const auto& [k, r] : items.items())
    if (k.rfind("ctrl:", 0) == 0) names.push_back(k);
  for (const char* want : {"ctrl:lab", "ctrl:labs", "ctrl:reload", "ctrl:restart", "ctrl:state-back", "ctrl:back", "ctrl:step",
                           "ctrl:state-step", "ctrl:end", "ctrl:play", "ctrl:speed", "ctrl:skip-idle", "ctrl:predict", "ctrl:future",
                           "ctrl:help", "ctrl:timeline", "ctrl:where"}) {
    INFO("control " << want);
    CHECK(items.contains(want));
  }
  for (std::size_t i = 0; i < names.size(); ++i) {
    INFO(names[i] << " " << items[names[i]].dump() << " in the bar " << bar.dump());
    CHECK(inside(items[names[i]], bar, 0.0));
    for (std::size_t j = i + 1; j < names.size(); ++j) {
      INFO("and " << names[j] << " " << items[names[j]].dump());
      CHECK_FALSE(overlap(items[names[i]], items[names[j]]));
    }
  }
}

// The scale (framebuffer pixels per ImGui unit) and the window's size from the screenshot.
void check_scale(const Frame& f, double scale, int w, int h) {
  CHECK(f.model["scale"].get<double>() == doctest::Approx(scale));
  CHECK(f.png.w == w);
  CHECK(f.png.h == h);
}

struct Cmd {
  int rc;
  std::string err;
};
Cmd run_cli(const std::string& args, const std::string& env = "") {
  const fs::path dir = VIZ_TEST_OUT;
  fs::create_directories(dir);
  // One file per process: ctest runs each case as its own process, several at once.
  const std::string err = (dir / ("cli." + std::to_string(::getpid()) + ".stderr")).string();
  const std::string cmd = env + " " + VIZ_BIN + " " + args + " >/dev/null 2>" + err;
  const int rc = exit_code(std::system(cmd.c_str()));
  return {rc, slurp(err)};
}

std::size_t line_count(const std::string& s) {
  std::size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

}  // namespace

TEST_CASE("handshake before the first event shows nothing sent") {
  const Frame f = render("hs-step0", "handshake --step 0");
  CHECK(f.model["cursor"] == 0);
  CHECK(f.model["ladder"]["segments_sent"] == 0);
  CHECK(f.model["ladder"]["arrows"].empty());
  CHECK(endpoint(f.model, "client")["state"] == "none");
  CHECK(diagram(f.model, "client")["highlight"] == "CLOSED");
  CHECK(diagram(f.model, "client")["taken"].is_null());
  // The CLOSED box is filled (it is the current state); ESTABLISHED's is not.
  const json& d = diagram(f.model, "client");
  CHECK(share(f.png, d["boxes"]["CLOSED"], color(f.model, "CLOSED")) > 0.5);
  CHECK(share(f.png, d["boxes"]["ESTABLISHED"], color(f.model, "ESTABLISHED")) < 0.05);
}

TEST_CASE("handshake after the SYN shows SYN_SENT and a SYN in flight") {
  const Frame f = render("hs-step2", "handshake --step 2");
  CHECK(endpoint(f.model, "client")["state"] == "SYN_SENT");
  CHECK(endpoint(f.model, "server")["state"] == "LISTEN");  // the listener the child will come from
  REQUIRE(f.model["ladder"]["arrows"].size() == 1);
  const json& a = f.model["ladder"]["arrows"][0];
  CHECK(a["label"] == "[S] seq 3654526670");
  CHECK(a["id"] == "A>B#1");
  CHECK(a["in_flight"] == true);
  CHECK(a["current"] == true);
  CHECK(diagram(f.model, "client")["highlight"] == "SYN_SENT");
  CHECK(diagram(f.model, "client")["taken"] == json({"CLOSED", "SYN_SENT"}));
  CHECK(diagram(f.model, "server")["highlight"] == "LISTEN");
  check_state_pixels(f, "client", "SYN_SENT");
  check_state_pixels(f, "server", "LISTEN");
  // The client's RTO runs for the SYN.
  const json& t = endpoint(f.model, "client")["timers"];
  REQUIRE(t.size() == 1);
  CHECK(t[0]["timer"] == "RTO");
  CHECK(t[0]["deadline_ns"] == 1001000000);
}

TEST_CASE("the netstat tab shows the rows tcplab netstat prints (a listener on 0.0.0.0 and Send-Q 1 in SYN_SENT)") {
  // Issue 18: the tab showed the listener as 10.0.0.2:9502 and Send-Q 0 for the unacknowledged SYN.
  const Frame f = render("hs-netstat", "handshake --step 2 --tab netstat");
  const json& drawn = f.model["netstat"]["drawn"];
  CHECK(drawn == json({"0 1 10.0.0.1:39870 10.0.0.2:9502 SYN_SENT", "0 0 0.0.0.0:9502 0.0.0.0:* LISTEN"}));
}

TEST_CASE("handshake once established shows both ESTABLISHED in green") {
  const Frame f = render("hs-established", "handshake --step 5");
  CHECK(endpoint(f.model, "client")["state"] == "ESTABLISHED");
  CHECK(endpoint(f.model, "server")["state"] == "ESTABLISHED");
  CHECK(labels(f.model) == std::vector<std::string>{"[S] seq 3654526670", "[S.] seq 494211253, ack 3654526671", "[.] ack 1"});
  for (const auto& a : f.model["ladder"]["arrows"]) CHECK(a["fate"] == "delivered");
  const json& dc = diagram(f.model, "client");
  const json& ds = diagram(f.model, "server");
  CHECK(dc["highlight"] == "ESTABLISHED");
  CHECK(ds["highlight"] == "ESTABLISHED");
  CHECK(dc["taken"] == json({"SYN_SENT", "ESTABLISHED"}));
  CHECK(ds["taken"] == json({"SYN_RECEIVED", "ESTABLISHED"}));
  CHECK(dc["taken_in_figure5"] == true);
  CHECK(dc["cause"].get<std::string>().find("3.10.7.3 SYN-SENT") == 0);
  CHECK(ds["cause"].get<std::string>().find("3.10.7.4 SYN-RECEIVED") == 0);
  CHECK(endpoint(f.model, "client")["tcb"]["SND.NXT"] == "1");
  CHECK(endpoint(f.model, "server")["tcb"]["RCV.NXT"] == "1");
  CHECK(f.model["text"]["current"].get<std::string>().find("SYN_RECEIVED -> ESTABLISHED") != std::string::npos);
  check_state_pixels(f, "client", "ESTABLISHED");
  check_state_pixels(f, "server", "ESTABLISHED");
  // Only the current state's box is filled.
  CHECK(share(f.png, dc["boxes"]["CLOSE_WAIT"], color(f.model, "CLOSE_WAIT")) < 0.05);
  CHECK(share(f.png, dc["boxes"]["TIME_WAIT"], color(f.model, "TIME_WAIT")) < 0.05);
}

TEST_CASE("handshake at 30s shows TIME_WAIT counting down") {
  const Frame f = render("hs-30s", "handshake --at 30s");
  CHECK(f.model["now_ns"] == 30000000000LL);
  CHECK(endpoint(f.model, "client")["state"] == "TIME_WAIT");
  CHECK(endpoint(f.model, "server")["state"] == "CLOSED");
  const json& t = endpoint(f.model, "client")["timers"];
  REQUIRE(t.size() == 1);
  CHECK(t[0]["timer"] == "TIME_WAIT");
  CHECK(t[0]["deadline_ns"] == 60101300000LL);  // 2*MSL = 60 s after the last ACK at 101.3 ms
  CHECK(t[0]["left_fraction"].get<double>() == doctest::Approx(0.5017).epsilon(0.01));
  check_state_pixels(f, "client", "TIME_WAIT");
  // The countdown bar is filled with the TIME_WAIT colour on its left half only.
  const json& bar = t[0]["bar"];
  const double x0 = bar[0], y0 = bar[1], x1 = bar[2], y1 = bar[3];
  const double xm = x0 + (x1 - x0) * 0.5;
  CHECK(share(f.png, json({x0, y0, x0 + (x1 - x0) * 0.2, y1}), color(f.model, "TIME_WAIT"), 2) > 0.5);
  CHECK(share(f.png, json({xm + (x1 - x0) * 0.3, y0, x1, y1}), color(f.model, "TIME_WAIT"), 2) < 0.05);
  CHECK(diagram(f.model, "client")["taken"] == json({"FIN_WAIT_1", "TIME_WAIT"}));  // the server's FIN ACKed ours
}

TEST_CASE("handshake at the end shows ten arrows and both CLOSED") {
  const Frame f = render("hs-end", "handshake --step 1000");
  CHECK(f.model["cursor"] == f.model["events"]);
  CHECK(f.model["ladder"]["segments_sent"] == 10);  // a three-segment close
  CHECK(f.model["ladder"]["segments_total"] == 10);
  CHECK(endpoint(f.model, "client")["state"] == "CLOSED");
  CHECK(endpoint(f.model, "server")["state"] == "CLOSED");
  const auto l = labels(f.model);
  REQUIRE(!l.empty());
  CHECK(l.back() == "[.] ack 20");
  for (const auto& a : f.model["ladder"]["arrows"]) CHECK(a["fate"] == "delivered");
  CHECK(diagram(f.model, "client")["taken"] == json({"TIME_WAIT", "CLOSED"}));
  CHECK(diagram(f.model, "client")["cause"].get<std::string>().find("2*MSL") != std::string::npos);
  CHECK(diagram(f.model, "server")["taken"] == json({"LAST_ACK", "CLOSED"}));
  check_state_pixels(f, "client", "CLOSED");
}

TEST_CASE("lost-fin after the drop shows a cross and the loss probe") {
  {
    const Frame f = render("lost-fin-250ms", lab("lost-fin.toml") + " --at 250ms");
    CHECK(endpoint(f.model, "client")["state"] == "FIN_WAIT_1");
    CHECK(endpoint(f.model, "server")["state"] == "ESTABLISHED");  // it has seen nothing
    CHECK(f.model["ladder"]["crosses"] == 1);
    const json* lost = nullptr;
    for (const auto& a : f.model["ladder"]["arrows"])
      if (a["fate"] == "lost") lost = &a;
    REQUIRE(lost != nullptr);
    CHECK((*lost)["id"] == "A>B#5");
    CHECK((*lost)["label"] == "[F.] seq 8, ack 19");
    // The cross is drawn where the model says, in red.
    const double cx = (*lost)["cross"][0], cy = (*lost)["cross"][1];
    CHECK(share(f.png, json({cx - 6, cy - 6, cx + 6, cy + 6}), {235, 64, 64}, 0) > 0.12);
    // The FIN waits for its tail loss probe timer (RFC 8985 7.2); the RTO, which restarts
    // after the probe, is not shown while it runs (Linux's one transmit timer).
    const json& t = endpoint(f.model, "client")["timers"];
    REQUIRE(t.size() == 1);
    CHECK(t[0]["timer"] == "TLP");
    check_state_pixels(f, "client", "FIN_WAIT_1");
  }
  {
    const Frame f = render("lost-fin-400ms", lab("lost-fin.toml") + " --at 400ms");
    CHECK(f.model["ladder"]["crosses"] == 1);
    bool retx = false;
    for (const auto& a : f.model["ladder"]["arrows"])
      if (a["retx"] == true) {
        retx = true;
        CHECK(a["label"] == "[F.] seq 8, ack 19");
        CHECK(a["id"] == "A>B#6");
        CHECK(a["fate"] == "delivered");
      }
    CHECK(retx);
    CHECK(endpoint(f.model, "client")["state"] == "TIME_WAIT");
  }
}

TEST_CASE("fork from the command line drops a segment and finds the first difference") {
  const Frame f = render("hs-fork", "handshake --fork 'drop B>A#3' --at 102ms --tab fork");
  CHECK(f.model["timeline"] == "drop B>A#3");
  CHECK(f.model["tab"] == "fork");
  REQUIRE(f.model["first_difference"].is_number());
  CHECK(f.model["ladder"]["crosses"] == 1);
  bool found = false;
  for (const auto& a : f.model["ladder"]["arrows"])
    if (a["fate"] == "lost") {
      found = true;
      CHECK(a["id"] == "B>A#3");
      CHECK(a["label"] == "[P.] seq 1:19, ack 8");
    }
  CHECK(found);
}

TEST_CASE("predict mode asks for the next state before it is shown") {
  const Frame f = render("hs-predict", "handshake --step 2 --predict");
  CHECK(f.model["predict"]["prompt"] == "server is in LISTEN. Which state next?");
  CHECK(f.model["predict"]["choices"].size() == 11);
  // The answer is not shown yet: the server's panel still says LISTEN.
  CHECK(endpoint(f.model, "server")["state"] == "LISTEN");
}

TEST_CASE("play advances virtual time at the chosen speed") {
  // 68 frames of 1/60 s at 1 ms of virtual time per second: about 1.13 ms.
  const Frame f = render("hs-play", "handshake --play --speed 1ms --frames 68");
  const auto now = f.model["now_ns"].get<long long>();
  CHECK(now > 1100000);
  CHECK(now < 1150000);
  CHECK(endpoint(f.model, "client")["state"] == "ESTABLISHED");
  CHECK(endpoint(f.model, "server")["state"] == "SYN_RECEIVED");
}

TEST_CASE("bulk transfer with 10^4 segments draws only the visible rows") {
  const Frame f = render("bulk", lab("bulk.toml") + " --at 3s --tab plots");
  const json& l = f.model["ladder"];
  CHECK(l["segments_total"].get<int>() > 10000);
  CHECK(l["segments_sent"].get<int>() > 3000);
  CHECK(l["rows"].get<int>() > 10000);
  CHECK(l["rows_drawn"].get<int>() < 40);
  CHECK(l["arrows"].size() < 400);
  // The frame's work is bounded by what is on screen, not by the segments sent: with 10^4
  // sent, the text tab's frame asks for about as many vertices as at 20 ms with a few dozen
  // (a count, unlike a draw time, that a loaded machine cannot break).
  const Frame late = render("bulk-late", lab("bulk.toml") + " --at 3s --tab text");
  const Frame early = render("bulk-early", lab("bulk.toml") + " --at 20ms --tab text");
  CHECK(early.model["ladder"]["segments_sent"].get<int>() < 100);
  const auto v_late = late.model["vertices"].get<std::uint64_t>(), v_early = early.model["vertices"].get<std::uint64_t>();
  CHECK(v_early > 0);
  CHECK(v_late < v_early + v_early / 2);
  CHECK(f.model["tab"] == "plots");
}

TEST_CASE("a host that crashed shows its connection's TCB gone and the crash edge") {
  // Issue 14's lab: the load generator crashes at 100 ms while its clients wait.
  const Frame f = render("crash", lab("crash-while-clients-run.toml") + " --at 101ms");
  CHECK(endpoint(f.model, "loadgen")["state"] == "gone");
  CHECK(endpoint(f.model, "server")["state"] == "ESTABLISHED");  // half-open: it never heard
  CHECK(diagram(f.model, "loadgen")["taken"] == json({"ESTABLISHED", "CLOSED"}));
  CHECK(f.model["text"]["current"].get<std::string>().find("crash") != std::string::npos);
}

TEST_CASE("at 1280x720 and 1024x768 with and without projector zoom nothing is cut off") {
  struct Case {
    const char* name;
    const char* size;
    float scale;
    int w, h;
  };
  for (const Case& c : {Case{"small-1280", "1280x720", 1.0F, 1280, 720}, Case{"small-1024", "1024x768", 1.0F, 1024, 768},
                        Case{"zoom-1600", "1600x1000", 1.25F, 1600, 1000}, Case{"zoom-1280", "1280x720", 1.1F, 1280, 720}}) {
    INFO(std::string(c.name));
    const std::string zoom = c.scale == 1.0F ? "" : " --scale " + std::to_string(c.scale);
    const Frame f = render(c.name, "lost-fin --at 1100ms" + zoom, c.size);
    check_scale(f, c.scale, c.w, c.h);
    CHECK(endpoint(f.model, "client")["state"] == "FIN_WAIT_1");
    check_readable(f);
    check_state_pixels(f, "client", "FIN_WAIT_1");
    const Frame g = render(std::string(c.name) + "-hs", "handshake --step 5" + zoom, c.size);
    check_readable(g);
    check_state_pixels(g, "server", "ESTABLISHED");
  }
}

// Projector mode (issue 18, item 20): at zoom 1.25 on 1024x768 TCB values were cut off, on
// 1280x720 the why box ran below its panel, and the control bar's last buttons were off its
// right edge. One case per window size and zoom, each over four moments.
static void check_projector(const char* size, int w, int h, const char* zoom) {
  for (const char* args : {"handshake --step 5", "blind-reset --at 200ms", "lost-fin --at 1100ms", "handshake --at 30s"}) {
    INFO(std::string(args) << " at " << std::string(size) << " zoom " << std::string(zoom));
    const Frame f = render("projector", std::string(args) + " --scale " + zoom, size);
    check_scale(f, std::stod(zoom), w, h);
    check_control_bar(f);
    REQUIRE_FALSE(f.model["endpoints"].empty());
    for (const auto& e : f.model["endpoints"]) {
      INFO(e["host"].get<std::string>() << " in " << e["state"].get<std::string>());
      CHECK(e["tcb_rects"].size() == 13);  // ISS, IRS, SND.*, RCV.*, cwnd, ssthresh, SRTT, RTO, both buffers
    }
    for (const auto& d : f.model["diagrams"]) {
      CHECK_FALSE(d["taken"].is_null());
      CHECK(d["figure"] == (d["boxes"].empty() ? "hover" : "inline"));
    }
    check_readable(f);
  }
  if (std::string(zoom) == "1") {  // at zoom 1 both panels are side by side, Figure 5 in each
    const Frame f = render("projector-1", "handshake --step 5", size);
    CHECK(f.model["endpoints"].size() == 2);
    for (const auto& d : f.model["diagrams"]) CHECK(d["figure"] == "inline");
  }
}

TEST_CASE("projector mode at 1024x768 zoom 1: every button and TCB value whole and on screen") {
  check_projector("1024x768", 1024, 768, "1");
}
TEST_CASE("projector mode at 1024x768 zoom 1.25: every button and TCB value whole and on screen") {
  check_projector("1024x768", 1024, 768, "1.25");
}
TEST_CASE("projector mode at 1024x768 zoom 1.5: every button and TCB value whole and on screen") {
  check_projector("1024x768", 1024, 768, "1.5");
}
TEST_CASE("projector mode at 1280x720 zoom 1: every button and TCB value whole and on screen") {
  check_projector("1280x720", 1280, 720, "1");
}
TEST_CASE("projector mode at 1280x720 zoom 1.25: every button and TCB value whole and on screen") {
  check_projector("1280x720", 1280, 720, "1.25");
}
TEST_CASE("projector mode at 1280x720 zoom 1.5: every button and TCB value whole and on screen") {
  check_projector("1280x720", 1280, 720, "1.5");
}

TEST_CASE("projector zoom draws the same frame larger") {
  // Zoom 2 in a window twice the size is the same layout, every rectangle twice as large.
  const Frame a = render("zoom-1", "handshake --step 5", "1000x700");
  const Frame b = render("zoom-2", "handshake --step 5 --scale 2", "2000x1400");
  check_scale(b, 2.0, 2000, 1400);
  auto twice = [](const json& r1, const json& r2) {
    for (int i = 0; i < 4; ++i) CHECK(num(r2[i]) == doctest::Approx(2 * num(r1[i])).epsilon(0.01));
  };
  twice(endpoint(a.model, "client")["badge"], endpoint(b.model, "client")["badge"]);
  twice(diagram(a.model, "server")["boxes"]["ESTABLISHED"], diagram(b.model, "server")["boxes"]["ESTABLISHED"]);
  REQUIRE(a.model["ladder"]["arrows"].size() == b.model["ladder"]["arrows"].size());
  for (std::size_t i = 0; i < a.model["ladder"]["arrows"].size(); ++i)
    twice(a.model["ladder"]["arrows"][i]["line"], b.model["ladder"]["arrows"][i]["line"]);
  check_state_pixels(b, "client", "ESTABLISHED");
  check_state_pixels(b, "server", "ESTABLISHED");
}

TEST_CASE("a socket with no peer yet shows dashes and a listener's panel says it listens") {
  const Frame f = render("hs-nopeer", "handshake --step 2");
  const json& c = endpoint(f.model, "client");
  CHECK(c["state"] == "SYN_SENT");
  const std::string dash = "\u2013";
  CHECK(c["tcb"]["IRS"] == dash);
  CHECK(c["tcb"]["RCV.NXT"] == dash);
  CHECK(c["tcb"]["SND.WND"] == dash);
  CHECK(c["tcb"]["ISS"] == "3654526670");
  CHECK(c["tcb"]["SND.NXT"] == "1");
  const json& s = endpoint(f.model, "server");
  CHECK(s["state"] == "LISTEN");
  CHECK(s["title"].get<std::string>().find("listening on 10.0.0.2:") != std::string::npos);
  CHECK(s["title"].get<std::string>().find("10.0.0.1") == std::string::npos);  // not the client's connection
  // Once established, the numbers are there and the title names the connection.
  const Frame g = render("hs-peer", "handshake --step 5");
  CHECK(endpoint(g.model, "client")["tcb"]["IRS"] == "494211253");
  CHECK(endpoint(g.model, "client")["tcb"]["cwnd"] != dash);
  CHECK(endpoint(g.model, "server")["title"].get<std::string>().find("10.0.0.1") != std::string::npos);
}

TEST_CASE("crowded ladders: labels apart and off the crosses and lifelines with repeats grouped") {
  for (const char* args : {"syn-flood --at 2s", "syn-flood --at 1200ms", "lossy-transfer --at 2s", "fin-wait-1-pileup --at 3s",
                           "port-scan --at 1s"}) {
    for (const char* size : {"1024x768", "1600x1000"}) {
      INFO(std::string(args) << " at " << std::string(size));
      const Frame f = render("crowd", args, size);
      const json& arrows = f.model["ladder"]["arrows"];
      std::vector<json> labels, crosses;
      for (const auto& a : arrows) {
        if (!a["shown"].get<std::string>().empty()) labels.push_back(a["label_rect"]);
        if (a.contains("cross")) {
          const double cx = a["cross"][0], cy = a["cross"][1];
          crosses.push_back(json({cx - 7, cy - 7, cx + 7, cy + 7}));
        }
      }
      for (std::size_t i = 0; i < labels.size(); ++i) {
        for (std::size_t j = i + 1; j < labels.size(); ++j) CHECK_FALSE(overlap(labels[i], labels[j]));
        for (const auto& c : crosses) CHECK_FALSE(overlap(labels[i], c));
      }
      // Only the cursor's segment may put its label across a lifeline (when nothing else fits).
      for (const auto& a : arrows) {
        if (a["shown"].get<std::string>().empty() || a["current"] == true) continue;
        for (const auto& x : f.model["ladder"]["lifelines"]) {
          INFO(a["shown"].get<std::string>() << " " << a["label_rect"].dump() << " lifeline " << x.get<double>());
          CHECK_FALSE((num(a["label_rect"][0]) < x.get<double>() && x.get<double>() < num(a["label_rect"][2])));
        }
      }
    }
  }
  // The flood's retransmitted SYN-ACKs to spoofed addresses: one label for the run, not a wall.
  const Frame f = render("flood", "syn-flood --at 2s", "1280x720");
  int grouped = 0, shown = 0;
  for (const auto& a : f.model["ladder"]["arrows"]) {
    const std::string l = a["shown"];
    shown += !l.empty();
    if (l.find("[S.] \u00d7") == 0) ++grouped;
  }
  CHECK(grouped == 1);
  CHECK(shown <= 3);
}

TEST_CASE("--var and --student choose the lab's variant") {
  // lost-fin's {{outage}}: every FIN before it is lost; 4000ms loses five copies (the FIN, its
  // loss probe, three retransmissions), 1200ms one.
  const Frame one = render("var-1200", "lost-fin --var outage=1200ms --at 1100ms");
  const Frame four = render("var-4000", "lost-fin --var outage=4000ms --at 1100ms");
  CHECK(four.model["ladder"]["segments_total"].get<int>() == one.model["ladder"]["segments_total"].get<int>() + 4);
  // Students draw their own outage (seeded by the id): these two differ, and with no
  // student the lab's default (1200ms) applies.
  const Frame alice = render("student-alice", "lost-fin --student alice --at 1100ms");
  const Frame bob = render("student-bob", "lost-fin --student bob --at 1100ms");
  const Frame nobody = render("student-none", "lost-fin --at 1100ms");
  CHECK(alice.model["ladder"]["segments_total"] != bob.model["ladder"]["segments_total"]);
  CHECK(nobody.model["ladder"]["segments_total"] == one.model["ladder"]["segments_total"]);
  const Cmd bad = run_cli("lost-fin --var outage --screenshot /tmp/x.png");
  CHECK(bad.rc == 2);
  CHECK(line_count(bad.err) == 1);
  CHECK(bad.err.find("NAME=VALUE") != std::string::npos);
}

namespace {

// The share of pixels of colour c in the part of rect [x0, y0, x1, y1] from x = from_x on.
double share_right_of(const Image& img, const json& rect, std::array<int, 3> c, double from_x) {
  json r = rect;
  r[0] = std::max(num(rect[0]), from_x);
  return share(img, r, c, 1);
}

std::array<int, 3> rgb(const json& c) { return {c[0].get<int>(), c[1].get<int>(), c[2].get<int>()}; }

const json& cc_panel(const json& m, const std::string& kind) {
  for (const auto& p : m["congestion"]["panels"])
    if (p["kind"] == kind) return p;
  FAIL("no congestion panel " << kind);
  static json none;
  return none;
}

std::string click_at(double x, double y) {
  return " --click " + std::to_string(static_cast<int>(x)) + "," + std::to_string(static_cast<int>(y)) + " --frames 6";
}

}  // namespace

TEST_CASE("congestion pane: two flows through a bottleneck with windows and queue and RTT and throughput and Jain's index") {
  const Frame f = render("cc-two-flows", lab("two-flows.toml") + " --tab congestion --at 3s", "1600x1000");
  CHECK(f.model["tab"] == "congestion");
  const json& cc = f.model["congestion"];
  CHECK(cc["error"] == "");
  REQUIRE(cc["flows"].size() == 2);
  CHECK(cc["flows"][0]["host"] == "s1");
  CHECK(cc["flows"][1]["host"] == "s2");
  for (const auto& fl : cc["flows"]) {
    INFO(fl.dump());
    CHECK_FALSE(fl["cc"].get<std::string>().empty());
    CHECK_FALSE(fl["phase"].get<std::string>().empty());  // at 3 s both are sending
    CHECK(fl["cwnd"].get<double>() > 0);
  }
  std::vector<std::string> kinds;
  for (const auto& p : cc["panels"]) kinds.push_back(p["kind"]);
  CHECK(kinds == std::vector<std::string>{"cwnd", "queue", "rtt", "throughput"});
  // Two NewReno-like flows over 6 s share the link fairly but not equally (s2 starts later).
  REQUIRE(cc["jain"].is_number());
  CHECK(cc["jain"].get<double>() > 0.7);
  CHECK(cc["jain"].get<double>() <= 1.0);
  CHECK(cc["loss_marks"].get<int>() >= 4);
  CHECK(cc["drop_marks"].get<int>() >= 4);
  CHECK(cc["hidden_marks"] == 0);
  // Each flow's colour is drawn in the cwnd panel, and the queue's in the queue panel.
  for (const auto& fl : cc["flows"]) {
    INFO("flow " << fl["host"].get<std::string>() << " colour " << fl["color"].dump());
    CHECK(share(f.png, cc_panel(f.model, "cwnd")["plot"], rgb(fl["color"]), 1) > 0.003);
    CHECK(share(f.png, cc_panel(f.model, "throughput")["plot"], rgb(fl["color"]), 1) > 0.002);
  }
  // The cursor line (accent) is inside the plots, at 3 s of 6.
  const json& plot = cc_panel(f.model, "cwnd")["plot"];
  const double frac = (cc["cursor_x"].get<double>() - num(plot[0])) / (num(plot[2]) - num(plot[0]));
  CHECK(frac == doctest::Approx(0.5).epsilon(0.03));
}

TEST_CASE("congestion pane: a click on a loss mark moves the cursor there with the lost segment selected") {
  const Frame before = render("cc-marks", lab("two-flows.toml") + " --tab congestion --at 3s", "1600x1000");
  std::vector<json> losses;
  for (const auto& m : before.model["congestion"]["marks"])
    if (m["series"] == "loss" && m["event"].is_number() && m["send_k"].is_number()) losses.push_back(m);
  REQUIRE(losses.size() >= 2);
  const json& m = losses[1];
  const Frame after = render("cc-click-loss", lab("two-flows.toml") + " --tab congestion --at 3s" + click_at(num(m["x"]), num(m["y"])),
                             "1600x1000");
  INFO("mark " << m.dump());
  // The cursor is at the end of the step holding the mark's event, at the loss's instant.
  CHECK(after.model["cursor"].get<std::uint64_t>() > m["event"].get<std::uint64_t>());
  CHECK(after.model["now_ns"] == m["t_ns"]);
  CHECK(after.model["picked_segment"] == m["send_k"]);
  // A drop mark selects the segment the queue dropped.
  std::optional<json> drop;
  for (const auto& d : before.model["congestion"]["marks"])
    if (d["series"] == "drop" && d["send_k"].is_number() && !drop) drop = d;
  REQUIRE(drop);
  const Frame dropped = render("cc-click-drop", lab("two-flows.toml") + " --tab congestion --at 3s" + click_at(num((*drop)["x"]), num((*drop)["y"])),
                               "1600x1000");
  CHECK(dropped.model["now_ns"] == (*drop)["t_ns"]);
  CHECK(dropped.model["picked_segment"] == (*drop)["send_k"]);
}

TEST_CASE("congestion pane: predict hides cwnd and the queue after the cursor until a guess and then reveals") {
  const Frame f = render("cc-predict", lab("two-flows.toml") + " --tab congestion --at 1s --predict-cc", "1600x1000");
  const json& cc = f.model["congestion"];
  CHECK(cc["hiding"] == true);
  CHECK(cc["hidden_marks"].get<int>() > 0);
  CHECK(cc["predict"]["choices"] == json::array({"halve", "to 70 %", "to one segment", "keep"}));
  CHECK(cc["predict"]["prompt"].get<std::string>().find("What will its cwnd do?") != std::string::npos);
  const double cx = cc["cursor_x"].get<double>();
  for (const auto& fl : cc["flows"]) {
    INFO("flow " << fl["host"].get<std::string>());
    CHECK(share_right_of(f.png, cc_panel(f.model, "cwnd")["plot"], rgb(fl["color"]), cx + 4) < 0.0005);
  }
  REQUIRE(f.model["items"].contains("cc-predict:halve"));
  const json& b = f.model["items"]["cc-predict:halve"];
  const Frame g = render("cc-predict-answered",
                         lab("two-flows.toml") + " --tab congestion --at 1s --predict-cc" + click_at((num(b[0]) + num(b[2])) / 2, (num(b[1]) + num(b[3])) / 2),
                         "1600x1000");
  const json& gc = g.model["congestion"];
  CHECK(gc["hiding"] == false);
  CHECK(gc["hidden_marks"] == 0);
  CHECK(gc["predict"]["asked"] == 1);
  CHECK((gc["predict"]["result"] == "right" || gc["predict"]["result"] == "wrong"));
  CHECK(share_right_of(g.png, cc_panel(g.model, "cwnd")["plot"], rgb(gc["flows"][0]["color"]), gc["cursor_x"].get<double>() + 4) > 0.002);
}

TEST_CASE("an unknown lab is one line and exit 2") {
  const Cmd c = run_cli("no-such-lab --screenshot /tmp/x.png");
  CHECK(c.rc == 2);
  CHECK(line_count(c.err) == 1);
  CHECK(c.err.find("tcplab-viz: ") == 0);
  CHECK(c.err.find("no-such-lab") != std::string::npos);
}

TEST_CASE("a bad option is one line and exit 2") {
  for (const char* args : {"handshake --step x", "handshake --at 5", "handshake --size 10", "handshake --bogus",
                           "handshake --step 1 --at 1s", "handshake --fork 'explode A>B#1'", "handshake --screenshot"}) {
    const Cmd c = run_cli(args);
    INFO(args << " -> " << c.err);
    CHECK(c.rc == 2);
    CHECK(line_count(c.err) == 1);
  }
}

TEST_CASE("no DISPLAY and no --screenshot says so") {
  const Cmd c = run_cli("handshake", "env -u DISPLAY -u WAYLAND_DISPLAY");
  CHECK(c.rc == 1);
  CHECK(c.err.find("DISPLAY") != std::string::npos);
  CHECK(c.err.find("xvfb-run") != std::string::npos);
  const Cmd s = run_cli("handshake --screenshot /tmp/x.png", "env -u DISPLAY -u WAYLAND_DISPLAY");
  CHECK(s.rc == 1);
  CHECK(s.err.find("xvfb-run") != std::string::npos);
}

namespace {
const json* observer_row(const json& m, int frame) {
  for (const auto& r : m["observer"]["rows"])
    if (r["frame"] == frame) return &r;
  return nullptr;
}
}  // namespace

TEST_CASE("observer pane: Linux's zero-window probes are keep-alives to Wireshark and a click on a row picks its segment") {
  const std::string args = "zero-window --tab observer --at 2s";
  const Frame f = render("obs-zero-window", args, "1400x1000");
  CHECK(f.model["tab"] == "observer");
  const json& o = f.model["observer"];
  CHECK(o["at"] == "client (10.0.0.1), the client");  // where `tcplab run --pcap` captures
  CHECK(o["frames"] == 120);
  CHECK(o["differ"] == 4);  // the four probes
  // Frame 17 (0.7775 s): the persist timer's probe, SEQ=SND.UNA-1 and no data.
  const json* probe = observer_row(f.model, 17);
  REQUIRE(probe != nullptr);
  CHECK((*probe)["labels"] == "[TCP Keep-Alive]");
  CHECK((*probe)["knew"] == "A>B#11 ACK: a zero-window probe (persist timer)");
  CHECK((*probe)["why"].get<std::string>().find("looks like a keep-alive") != std::string::npos);
  CHECK((*probe)["selected"] == false);
  // The receiver's answer says zero window, as it is.
  const json* answer = observer_row(f.model, 16);
  REQUIRE(answer != nullptr);
  CHECK((*answer)["labels"] == "[TCP ZeroWindow]");
  CHECK((*answer)["why"] == "");
  // A click on the probe's row picks its segment and moves the cursor to it: the ladder's
  // current arrow is that segment, and the row is the selected one.
  REQUIRE(f.model["items"].contains("observer:17"));
  const json& b = f.model["items"]["observer:17"];
  const Frame after = render("obs-zero-window-click", args + click_at((num(b[0]) + num(b[2])) / 2, (num(b[1]) + num(b[3])) / 2), "1400x1000");
  CHECK(after.model["picked_segment"] == (*probe)["send"]);
  const json* picked = observer_row(after.model, 17);
  REQUIRE(picked != nullptr);
  CHECK((*picked)["selected"] == true);
  bool current = false;
  for (const auto& a : after.model["ladder"]["arrows"])
    if (a["id"] == "A>B#11" && a["current"] == true) current = true;
  CHECK(current);
  // The cursor moved back from 2 s to the end of the probe's step (sent at 777.5 ms).
  CHECK(after.model["now_ns"].get<std::int64_t>() >= 777500000);
  CHECK(after.model["now_ns"].get<std::int64_t>() < 1000000000);
  CHECK(after.model["cursor"].get<std::uint64_t>() < f.model["cursor"].get<std::uint64_t>());
}

TEST_CASE("--export writes the panel as tcplab draw draws it and needs no display") {
  const fs::path dir = fs::path(VIZ_TEST_OUT) / "export";
  fs::create_directories(dir);
  const std::string tcplab = (fs::path(VIZ_BIN).parent_path() / "tcplab").string();
  for (const char* what : {"ladder", "diagram", "endpoint"}) {
    const std::string viz_svg = (dir / (std::string(what) + "-viz.svg")).string();
    const std::string cli_svg = (dir / (std::string(what) + "-cli.svg")).string();
    fs::remove(viz_svg);
    const Cmd c = run_cli(std::string("lost-fin --at 1.5s --export ") + what + " --out " + viz_svg, "env -u DISPLAY -u WAYLAND_DISPLAY");
    INFO(what << ": " << c.err);
    REQUIRE(c.rc == 0);
    const std::string cmd = tcplab + " draw lost-fin --at 1.5s --what " + what + " --out " + cli_svg + " >/dev/null 2>&1";
    REQUIRE(exit_code(std::system(cmd.c_str())) == 0);
    const std::string svg = slurp(viz_svg);
    CHECK(svg.find("<text") != std::string::npos);
    CHECK(svg.find(">lost-fin (seed 1) at 1.500 s</text>") != std::string::npos);
    CHECK(svg == slurp(cli_svg));  // one layout, one painter: the same picture
  }
  CHECK(slurp((dir / "ladder-viz.svg").string()).find(">[F.] seq 8, ack 19  LOST</text>") != std::string::npos);
  // The PNG: decoded, the size the picture takes (the ladder: 900 wide).
  const std::string png = (dir / "ladder.png").string();
  REQUIRE(run_cli("lost-fin --at 1.5s --export ladder --out " + png, "env -u DISPLAY -u WAYLAND_DISPLAY").rc == 0);
  int w = 0, h = 0, n = 0;
  unsigned char* px = stbi_load(png.c_str(), &w, &h, &n, 3);
  REQUIRE(px != nullptr);
  CHECK(w == 900);
  CHECK(h > 300);
  stbi_image_free(px);
  // Bad input: one line, exit 2.
  for (const char* args : {"lost-fin --export stairs --out x.svg", "lost-fin --export ladder --out x.jpg", "lost-fin --export ladder",
                           "lost-fin --out x.svg"}) {
    const Cmd b = run_cli(args);
    INFO(args << " -> " << b.err);
    CHECK(b.rc == 2);
    CHECK(line_count(b.err) == 1);
  }
}

// tests/import/linux/linux-close.pcap: Linux 6.18's own TCP recorded at the client by
// tests/kernel/record_captures.sh (two namespaces over veth, tcpdump): a 7-byte request, an
// 18-byte answer, the client closes first. 11 segments.
std::string linux_capture() { return std::string(VIZ_TEST_CAPTURES) + "/linux-close.pcap"; }

TEST_CASE("a capture of Linux's own TCP: both sides' inferred states and TCB estimates and every segment an arrow and netstat from the capture") {
  // At the end: the client (the capture host) in TIME_WAIT, the server CLOSED after LAST_ACK.
  const Frame f = render("cap-end", linux_capture() + " --step 21 --tab netstat", "1600x1000");
  CHECK(f.model["timeline"] == "capture");
  CHECK(f.model["lab"] == "linux-close");
  const json& c = endpoint(f.model, "10.77.0.1");
  CHECK(c["state"] == "TIME_WAIT");
  CHECK(c["tcb"]["SND.NXT"] == "9");   // SYN + 7 bytes + FIN, relative to the ISS
  CHECK(c["tcb"]["RCV.NXT"] == "20");  // SYN + 18 bytes + FIN, relative to the IRS
  CHECK(c["tcb"]["ISS"] == "122174342");
  CHECK(c["tcb"]["wscale"] == "10");
  CHECK(c["timers"].empty());  // not on the wire
  const json& s = endpoint(f.model, "10.77.0.2");
  CHECK(s["state"] == "CLOSED");
  CHECK(s["tcb"]["IRS"] == "122174342");
  CHECK(s["tcb"]["SND.NXT"] == "20");
  // The diagrams show the edges the inference took, with its rule.
  const json& sd = diagram(f.model, "10.77.0.2");
  CHECK(sd["highlight"] == "CLOSED");
  CHECK(sd["taken"][0] == "LAST_ACK");
  CHECK(sd["cause"].get<std::string>().find("far side") != std::string::npos);
  CHECK(diagram(f.model, "10.77.0.1")["highlight"] == "TIME_WAIT");
  // Every captured segment is an arrow between the two hosts, delivered; the client's own
  // leave at their capture time and reach the server later; the server's arrive when captured.
  const json& arrows = f.model["ladder"]["arrows"];
  CHECK(arrows.size() == 11);
  CHECK(f.model["ladder"]["segments_total"] == 11);
  for (const auto& a : arrows) {
    CHECK(a["fate"] == "delivered");
    CHECK_FALSE(a.contains("cross"));
  }
  CHECK(labels(f.model).front() == "[S] seq 122174342");
  // netstat at the end: the client's TIME_WAIT and the server's listener, as `tcplab netstat CAPTURE` prints them.
  const auto& drawn = f.model["netstat"]["drawn"];
  CHECK(std::find(drawn.begin(), drawn.end(), "0 0 10.77.0.1:34710 10.77.0.2:9502 TIME_WAIT") != drawn.end());
  CHECK(std::find(drawn.begin(), drawn.end(), "0 0 0.0.0.0:9502 0.0.0.0:* LISTEN") != drawn.end());
  check_state_pixels(f, "10.77.0.1", "TIME_WAIT");
  check_state_pixels(f, "10.77.0.2", "CLOSED");
  // Mid-way, after the request and its ACK: both ESTABLISHED, the client's 7 bytes acknowledged.
  const Frame g = render("cap-mid", linux_capture() + " --step 9", "1600x1000");
  const json& gc = endpoint(g.model, "10.77.0.1");
  CHECK(gc["state"] == "ESTABLISHED");
  CHECK(gc["tcb"]["SND.UNA"] == "8");
  CHECK(gc["tcb"]["SND.NXT"] == "8");
  CHECK(endpoint(g.model, "10.77.0.2")["state"] == "ESTABLISHED");
  check_state_pixels(g, "10.77.0.1", "ESTABLISHED");
  // The tcpdump pane: a line per segment and per inferred state change.
  CHECK(g.model["text"]["lines"] == 21);
}

TEST_CASE("a capture with --seed is one line and exit 2") {
  const fs::path dir = VIZ_TEST_OUT;
  fs::create_directories(dir);
  const std::string err = (dir / "cap-seed.stderr").string();
  const std::string cmd = std::string(VIZ_BIN) + " " + linux_capture() + " --seed 3 --screenshot /dev/null 2>" + err;
  CHECK(exit_code(std::system(cmd.c_str())) == 2);
  const std::string text = slurp(err);
  CHECK(text.find("--seed") != std::string::npos);
  CHECK(text.find("is a capture") != std::string::npos);
  CHECK(std::count(text.begin(), text.end(), '\n') == 1);
}
