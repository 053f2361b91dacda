// tcplab-viz [LAB]: a Dear ImGui window (GLFW + OpenGL 3) over a lab's timeline. Each frame
// is drawn from the world snapshot at the cursor; what the student asks for comes back as
// Commands that the session carries out between frames. With --screenshot / --dump-model it
// renders one frame of the chosen moment (under Xvfb if need be) and exits.
#include <cfloat>
#include <cmath>
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
#include "viz/frame.hpp"
#include "viz/panel_export.hpp"
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

int run(const VizOptions& opt) {
  // The lab first: a bad lab or option is reported before any window opens.
  Started started = start_session(opt);
  if (!started.session) {
    std::cerr << "tcplab-viz: " << started.error << "\n";
    return 2;
  }
  if (!started.note.empty()) std::cerr << "tcplab-viz: note: " << started.note << "\n";
  std::unique_ptr<Session>& session = started.session;
  UiState& ui = started.ui;
  if (!opt.export_what.empty()) {  // a picture of one panel at the cursor: no window, no display
    if (const std::string err = export_panel(*session, ui, *draw::parse_what(opt.export_what), opt.export_out); !err.empty()) {
      std::cerr << "tcplab-viz: --out: " << err << "\n";
      return 2;
    }
    std::cout << opt.export_out << ": the " << opt.export_what << " of " << export_scene(*session, ui).title << "\n";
    return 0;
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
  setup_style_and_fonts(ui.zoom);
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

    // Projector zoom: ImGui lays out in units of `zoom` window pixels (DisplaySize shrinks, the
    // framebuffer scale grows, the mouse follows), and the glyphs are rasterised for it.
    {
      int ww = 0, wh = 0, fbw = 0, fbh = 0;
      glfwGetWindowSize(window, &ww, &wh);
      glfwGetFramebufferSize(window, &fbw, &fbh);
      const float density = ui.zoom * (ww > 0 ? static_cast<float>(fbw) / static_cast<float>(ww) : 1.0F);
      if (std::abs(density - fonts_density()) > 1e-3F) {
        load_fonts(density);
        ImGui_ImplOpenGL3_DestroyFontsTexture();
        ImGui_ImplOpenGL3_CreateFontsTexture();
      }
    }
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    io.DisplaySize = ImVec2(io.DisplaySize.x / ui.zoom, io.DisplaySize.y / ui.zoom);
    io.DisplayFramebufferScale = ImVec2(io.DisplayFramebufferScale.x * ui.zoom, io.DisplayFramebufferScale.y * ui.zoom);
    if (io.MousePos.x > -FLT_MAX / 2) io.MousePos = ImVec2(io.MousePos.x / ui.zoom, io.MousePos.y / ui.zoom);
    if (opt.headless() && opt.click) {
      // --click X,Y: the mouse rests there from the first frame (so hovering is known), is
      // pressed in the third and released after; what the click asks for is carried out.
      io.MousePos = ImVec2((*opt.click)[0] / ui.zoom, (*opt.click)[1] / ui.zoom);
      io.MouseDown[0] = frame == 2;
    }
    ImGui::NewFrame();
    Commands cmd;
    DrawRecord rec = draw_session_frame(*session, ui, catalogue, io.DisplayFramebufferScale.x, cmd);
    ImGui::Render();
    rec.vertices = static_cast<std::uint64_t>(ImGui::GetDrawData()->TotalVtxCount);

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
    if (!opt.headless() || opt.click) {
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
  if (opt->version) {
    std::cout << "tcplab-viz " << TCPLAB_VERSION << "\n";
    return 0;
  }
  return run(*opt);
}
