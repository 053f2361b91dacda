// tcplab.html: the visualizer in a browser. The same session, panels and stack as
// tcplab-viz, compiled to WebAssembly; only what touches the outside differs:
//   - the frame loop is the browser's (emscripten_set_main_loop), the canvas follows the window;
//   - the lab and moment come from the page's link (#lab=lost-fin&step=12&seed=3), and the
//     link follows what is shown, so the address bar can be copied onto a slide;
//   - lab files come from a file picker or a drop (shell.html writes them to /uploads and
//     calls tcplab_open_file); exports and saved labs are offered as downloads;
//   - each time the moment shown changes, one status line goes to the console
//     ("tcplab: lab=lost-fin seed=3 step=12/40 ... client=FIN_WAIT_1 server=ESTABLISHED"),
//     which the browser tests read.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include <emscripten.h>
#include <emscripten/html5.h>
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include "viz/frame.hpp"
#include "viz/link.hpp"
#include "viz/theme.hpp"

namespace {

using namespace tcplab;
using namespace tcplab::viz;

// ------------------------------------------------------------ the page (JavaScript side)

EM_JS(char*, js_location_hash, (), {
  const s = window.location.hash || "";
  const n = lengthBytesUTF8(s) + 1;
  const p = _malloc(n);
  stringToUTF8(s, p, n);
  return p;
});

EM_JS(void, js_replace_hash, (const char* link), {
  const h = UTF8ToString(link);
  if (window.location.hash !== h) history.replaceState(null, "", h);
});

EM_JS(int, js_window_width, (), { return window.innerWidth; });
EM_JS(int, js_window_height, (), { return window.innerHeight; });
EM_JS(double, js_device_pixel_ratio, (), { return window.devicePixelRatio || 1; });

EM_JS(void, js_pick_file, (), { document.getElementById("labfile").click(); });

EM_JS(void, js_download, (const char* path), {
  const p = UTF8ToString(path);
  const name = p.substring(p.lastIndexOf("/") + 1);
  const blob = new Blob([FS.readFile(p)], {type: "application/octet-stream"});
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 0);
});

// F12: the canvas as a PNG, taken right after drawing (before the browser clears it).
EM_JS(void, js_download_canvas, (const char* name), {
  const n = UTF8ToString(name);
  Module.canvas.toBlob(function(blob) {
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = n;
    a.click();
  });
});

// ------------------------------------------------------------ state

struct Page {
  GLFWwindow* window = nullptr;
  std::unique_ptr<Session> session;
  UiState ui;
  std::vector<std::string> catalogue;
  std::vector<Command> pending;  // from the page (a dropped file, a new link) for the next frame
  std::string last_status, last_link, last_model_key, last_error, title;
  int model_in = 0;  // frames until the model of the moment shown is logged (layout settles)
  double last_time = 0;
};

Page& page() {
  static Page p;
  return p;
}

void say(const std::string& line) { std::printf("tcplab: %s\n", line.c_str()); }

// Opens what the link says; a bad link or lab leaves the current lab (or the default) shown
// with the error in the status line and on the console, and the picker open.
void open_link(const std::string& hash) {
  Page& p = page();
  std::string err;
  std::optional<VizOptions> opt = hash.empty() ? VizOptions{} : parse_link(hash, &err);
  Started st;
  if (opt) {
    st = start_session(*opt);
    err = st.error;
  }
  if (!st.session) {
    say("error: " + err);
    if (!p.session) {
      st = start_session(VizOptions{});
      if (!st.session) return;
    } else {
      st.session = std::move(p.session);
      st.ui = p.ui;
    }
    st.ui.status = err;
    st.ui.status_error = true;
    st.ui.show_picker = true;
  } else if (!st.note.empty()) {
    st.ui.status = st.note;
  }
  st.ui.web = true;
  st.ui.show_picker = st.ui.show_picker || hash.empty() || !opt || opt->lab.empty();
  p.session = std::move(st.session);
  p.ui = std::move(st.ui);
  if (p.ui.status_error) p.last_error = p.ui.status;  // already said
}

// The canvas fills the window in CSS pixels (shell.html) and its drawing buffer has
// devicePixelRatio times as many pixels (HiDPI), so the page is sharp on a laptop's or a
// projector's scaled display. Returns the CSS size and the pixels per CSS pixel.
struct CanvasSize {
  int css_w = 0, css_h = 0;
  float dpr = 1.0F;
};
CanvasSize fit_canvas() {
  Page& p = page();
  int w = 0, h = 0;
  glfwGetWindowSize(p.window, &w, &h);
  const int ww = js_window_width(), wh = js_window_height();
  if (ww > 0 && wh > 0 && (ww != w || wh != h)) glfwSetWindowSize(p.window, ww, wh);  // resets the buffer to CSS size
  CanvasSize c;
  glfwGetWindowSize(p.window, &c.css_w, &c.css_h);
  c.dpr = static_cast<float>(std::clamp(js_device_pixel_ratio(), 1.0, 4.0));
  const int bw = static_cast<int>(static_cast<float>(c.css_w) * c.dpr + 0.5F), bh = static_cast<int>(static_cast<float>(c.css_h) * c.dpr + 0.5F);
  int cw = 0, ch = 0;
  emscripten_get_canvas_element_size("#canvas", &cw, &ch);
  if (cw != bw || ch != bh) emscripten_set_canvas_element_size("#canvas", bw, bh);
  return c;
}

void frame() {
  Page& p = page();
  const CanvasSize cs = fit_canvas();
  glfwPollEvents();
  const double now_s = glfwGetTime();
  const double dt = now_s - p.last_time;
  p.last_time = now_s;
  Session& s = *p.session;
  s.tick(dt, p.ui, s.followed(p.ui));
  if (p.ui.predict) s.predictor().prepare(s.index(), s.cursor(), s.followed(p.ui));

  // HiDPI and the projector zoom, as in the desktop window (viz/main.cpp): ImGui lays out in
  // units of zoom CSS pixels, the renderer scales by dpr x zoom, glyphs are rasterised for it.
  // The mouse comes in drawing-buffer pixels (Emscripten scales it to the canvas).
  const float density = cs.dpr * p.ui.zoom;
  if (std::abs(density - fonts_density()) > 1e-3F) {
    load_fonts(density);
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    ImGui_ImplOpenGL3_CreateFontsTexture();
  }
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(static_cast<float>(cs.css_w) / p.ui.zoom, static_cast<float>(cs.css_h) / p.ui.zoom);
  io.DisplayFramebufferScale = ImVec2(density, density);
  if (io.MousePos.x > -FLT_MAX / 2) io.MousePos = ImVec2(io.MousePos.x / density, io.MousePos.y / density);
  ImGui::NewFrame();
  Commands cmd;
  const DrawRecord rec = draw_session_frame(s, p.ui, p.catalogue, ImGui::GetIO().DisplayFramebufferScale.x, cmd);
  ImGui::Render();
  int fw = 0, fh = 0;
  emscripten_get_canvas_element_size("#canvas", &fw, &fh);
  glViewport(0, 0, fw, fh);
  glClearColor(0.07F, 0.075F, 0.09F, 1.0F);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  if (p.ui.screenshot_requested) {
    p.ui.screenshot_requested = false;
    js_download_canvas(("tcplab-" + s.lab().name + ".png").c_str());
  }

  // What the student asked for, then what the page asked for (a new lab, a dropped file).
  for (const Command& c : cmd.queue) p.session->apply(c, p.ui);
  for (const Command& c : p.pending) p.session->apply(c, p.ui);
  p.pending.clear();
  if (const std::string title = "tcplab: " + p.session->lab().name; title != p.title) {
    glfwSetWindowTitle(p.window, title.c_str());
    p.title = title;
  }
  p.ui.web = true;  // a LoadLab keeps UiState; this is only a guard
  if (p.ui.pick_file_requested) {
    p.ui.pick_file_requested = false;
    js_pick_file();
  }
  if (!p.ui.written_file.empty()) {
    js_download(p.ui.written_file.c_str());
    p.ui.status = "downloaded " + p.ui.written_file.substr(p.ui.written_file.find_last_of('/') + 1);
    p.ui.written_file.clear();
  }
  if (p.ui.status_error && p.ui.status != p.last_error) say("error: " + p.ui.status);
  p.last_error = p.ui.status_error ? p.ui.status : "";
  const std::string status = status_line(*p.session, p.ui);
  if (status != p.last_status) {
    say(status);
    p.last_status = status;
  }
  // What was drawn, as tcplab-viz --dump-model writes it, once the layout has settled on a
  // new moment, tab or window: the browser tests locate badges and buttons with it.
  const std::string key = status + " tab=" + rec.tab + (rec.picker_open ? " picker" : "") +
                          (p.ui.predict ? " predict: " + rec.predict_prompt : "") + " w=" + std::to_string(fw) + "x" +
                          std::to_string(fh) + (rec.items.count("segmenu:drop") ? " segmenu" : "");
  if (key != p.last_model_key) {
    p.last_model_key = key;
    p.model_in = 3;
  } else if (p.model_in > 0 && --p.model_in == 0) {
    std::printf("tcplab-model: %s\n", draw_record_json(rec).c_str());
  }
  const std::string link = link_for(*p.session, p.ui);
  if (link != p.last_link) {
    js_replace_hash(link.c_str());
    p.last_link = link;
  }
}

}  // namespace

// Called by shell.html.
extern "C" {

// A lab file the student picked or dropped, already written to the in-memory file system.
EMSCRIPTEN_KEEPALIVE void tcplab_open_file(const char* path) {
  Command c;
  c.kind = Command::Kind::LoadLab;
  c.text = path;
  page().pending.push_back(c);
  page().ui.show_picker = false;
}

// The address's #... changed (edited by hand, or a link followed within the page).
EMSCRIPTEN_KEEPALIVE void tcplab_open_link(const char* hash) {
  if (page().last_link == hash) return;  // our own replaceState
  open_link(hash);
  page().last_link.clear();
}

}  // extern "C"

int main() {
  // The built-in labs are embedded at /catalogue; files the page writes go to the working directory.
  setenv("TCPLAB_CATALOGUE", "/catalogue", 1);
  Page& p = page();
  p.catalogue = catalogue_names();
  char* hash = js_location_hash();
  open_link(hash);
  std::free(hash);
  if (!p.session) {
    say("error: no lab could be loaded");
    return 1;
  }

  if (!glfwInit()) {
    say("error: cannot start GLFW");
    return 1;
  }
  glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
  p.window = glfwCreateWindow(js_window_width(), js_window_height(), "tcplab", nullptr, nullptr);
  if (!p.window) {
    say("error: this browser gives no WebGL 2 context");
    return 1;
  }
  glfwMakeContextCurrent(p.window);
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;
  setup_style_and_fonts();
  glfwSetKeyCallback(p.window, [](GLFWwindow*, int key, int, int action, int) {
    if (action == GLFW_PRESS) note_key_press(key);
  });
  ImGui_ImplGlfw_InitForOpenGL(p.window, true);
  ImGui_ImplOpenGL3_Init("#version 300 es");
  p.last_time = glfwGetTime();
  emscripten_set_main_loop(frame, 0, true);
  return 0;
}
