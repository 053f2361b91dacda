// tcplab-viz [LAB]: a Dear ImGui window (GLFW + OpenGL 3) over a lab's timeline. Each frame
// is drawn from the world snapshot at the cursor; what the student asks for comes back as
// Commands that the session carries out between frames. With --screenshot / --dump-model it
// renders one frame of the chosen moment (under Xvfb if need be) and exits.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include "viz/cli_options.hpp"
#include "viz/screenshot.hpp"
#include "viz/session.hpp"
#include "viz/theme.hpp"
#include "viz/view.hpp"

namespace {

using namespace tcplab;
using namespace tcplab::viz;

std::string g_glfw_error;

bool has_display() {
  const char* d = std::getenv("DISPLAY");
  const char* wl = std::getenv("WAYLAND_DISPLAY");
  return (d && *d) || (wl && *wl);
}

std::string default_lab() {
  const auto names = catalogue_names();
  for (const auto& n : names)
    if (n == "handshake") return n;
  return names.empty() ? "handshake" : names.front();
}

int run(const VizOptions& opt) {
  // The lab first: a bad lab or option is reported before any window opens.
  LoadOptions lo;
  lo.seed = opt.seed;
  std::unique_ptr<Session> session;
  try {
    session = std::make_unique<Session>(opt.lab.empty() ? default_lab() : opt.lab, lo);
  } catch (const std::exception& e) {
    std::cerr << "tcplab-viz: " << e.what() << "\n";
    return 2;
  }
  for (const auto& rule : opt.forks) {
    if (const std::string err = session->fork_rule(rule, 0); !err.empty()) {
      std::cerr << "tcplab-viz: --fork: " << err << "\n";
      return 2;
    }
  }
  UiState ui;
  ui.predict = opt.predict;
  ui.playing = opt.play;
  if (opt.speed) ui.speed_per_s = *opt.speed;
  if (opt.tab) {
    ui.tab = *opt.tab;
    ui.tab_requested = true;
  }
  if (opt.step) {
    std::uint64_t done = 0;
    while (done < *opt.step && session->step(1)) ++done;
    if (done < *opt.step)
      std::cerr << "tcplab-viz: note: the timeline has " << done << " steps; showing the end\n";
  } else if (opt.at) {
    session->seek_time(*opt.at);
  }

  if (!has_display()) {
    if (opt.headless())
      std::cerr << "tcplab-viz: rendering a frame still needs an X display (DISPLAY is not set): run it under Xvfb, "
                   "e.g. xvfb-run -a tcplab-viz "
                << (opt.lab.empty() ? "LAB" : opt.lab) << " --screenshot out.png\n";
    else
      std::cerr << "tcplab-viz: no display (DISPLAY is not set). Run it in a desktop session, or render one frame "
                   "headless with: xvfb-run -a tcplab-viz LAB --step N --screenshot out.png\n";
    return 1;
  }
  glfwSetErrorCallback([](int code, const char* what) { g_glfw_error = "GLFW error " + std::to_string(code) + ": " + what; });
  if (!glfwInit()) {
    std::cerr << "tcplab-viz: cannot open the display: " << g_glfw_error << "\n";
    return 1;
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  if (opt.headless()) glfwWindowHint(GLFW_VISIBLE, GLFW_FALSE);
  const std::string title = "tcplab-viz: " + session->lab().name;
  GLFWwindow* window = glfwCreateWindow(opt.width, opt.height, title.c_str(), nullptr, nullptr);
  if (!window) {
    std::cerr << "tcplab-viz: cannot create an OpenGL 3.3 window: " << g_glfw_error << "\n";
    glfwTerminate();
    return 1;
  }
  glfwMakeContextCurrent(window);
  glfwSwapInterval(0);  // no vsync (under Xvfb it stalls frames); the loop paces itself

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // tiles are laid out by code; nothing to remember
  setup_style_and_fonts();
  // Installed before the backend's, which calls it after its own (ImGui 1.86 chains callbacks).
  glfwSetKeyCallback(window, [](GLFWwindow*, int key, int, int action, int) {
    if (action == GLFW_PRESS) note_key_press(key);
  });
  ImGui_ImplGlfw_InitForOpenGL(window, true);
  ImGui_ImplOpenGL3_Init("#version 330");

  const std::vector<std::string> catalogue = catalogue_names();
  int status = 0;
  double last = glfwGetTime();
  for (int frame = 0; !glfwWindowShouldClose(window); ++frame) {
    if (opt.headless()) {
      glfwPollEvents();
    } else {
      // At most ~60 frames a second while playing, ~10 when idle; any input wakes it at once.
      const double wait = (ui.playing ? 1.0 / 60.0 : 0.1) - (glfwGetTime() - last);
      if (wait > 0) glfwWaitEventsTimeout(wait);
      else glfwPollEvents();
    }
    const double now_s = glfwGetTime();
    const double dt = now_s - last;
    last = now_s;
    // Headless play is deterministic: each frame is 1/60 s of real time.
    session->tick(opt.headless() ? 1.0 / 60.0 : dt, ui, session->followed(ui));
    if (ui.predict) session->predictor().prepare(session->index(), session->cursor(), session->followed(ui));

    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGui::NewFrame();
    WorldView v{*session, session->index(), session->world(), session->cursor(), session->display_time(),
                session->followed(ui)};
    v.catalogue = &catalogue;
    if (ui.tab == Tab::Plots) {
      v.cwnd_ep = plot_sender(v.index, v.followed);
      if (v.cwnd_ep != kNone) {
        const EndpointInfo& e = v.index.endpoints()[v.cwnd_ep];
        v.cwnd = &session->cwnd(e.host, e.label);
      }
    }
    DrawRecord rec;
    rec.scale = io.DisplayFramebufferScale.x;
    rec.lab = session->lab().name;
    rec.timeline = session->slot(session->active()).name;
    rec.cursor = v.cursor;
    rec.events = v.index.size();
    rec.now = v.now;
    rec.first_difference = session->first_difference();
    Commands cmd;
    const auto t0 = std::chrono::steady_clock::now();
    draw_frame(v, ui, cmd, rec);
    rec.draw_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    forget_key_presses();
    ImGui::Render();

    int fw = 0, fh = 0;
    glfwGetFramebufferSize(window, &fw, &fh);
    glViewport(0, 0, fw, fh);
    glClearColor(0.07F, 0.075F, 0.09F, 1.0F);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    if (opt.headless() && frame + 1 >= opt.frames) {
      if (!opt.screenshot.empty()) {
        if (const std::string err = save_screenshot(opt.screenshot, fw, fh); !err.empty()) {
          std::cerr << "tcplab-viz: --screenshot: " << err << "\n";
          status = 1;
        }
      }
      if (!opt.dump_model.empty()) {
        if (const std::string err = write_draw_record(rec, opt.dump_model); !err.empty()) {
          std::cerr << "tcplab-viz: --dump-model: " << err << "\n";
          status = 1;
        }
      }
      break;
    }
    if (ui.screenshot_requested) {  // F12: this frame, before the swap
      ui.screenshot_requested = false;
      std::string path;
      for (int n = 1; path.empty() || std::filesystem::exists(path); ++n)
        path = "tcplab-viz-" + session->lab().name + "-" + std::to_string(n) + ".png";
      const std::string err = save_screenshot(path, fw, fh);
      ui.status = err.empty() ? "saved " + std::filesystem::absolute(path).string() : "screenshot: " + err;
      ui.status_error = !err.empty();
    }
    glfwSwapBuffers(window);
    if (!opt.headless()) {
      const std::string before = session->lab().path;
      for (const Command& c : cmd.queue) session->apply(c, ui);
      if (session->lab().path != before) glfwSetWindowTitle(window, ("tcplab-viz: " + session->lab().name).c_str());
    }
  }

  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window);
  glfwTerminate();
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string err;
  const auto opt = tcplab::viz::parse_viz_options(args, &err);
  if (!opt) {
    std::cerr << "tcplab-viz: " << err << "\n";
    return 2;
  }
  if (opt->help) {
    std::cout << tcplab::viz::viz_usage();
    return 0;
  }
  return run(*opt);
}
