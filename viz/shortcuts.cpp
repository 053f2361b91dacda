// Keyboard shortcuts, with ImGui 1.86's key API (io.KeysDown indexed by GLFW key codes,
// io.KeyMap for the named keys; 1.87 replaced both with ImGuiKey). 1.86 only sees whether a
// key is down at the start of a frame, so a tap shorter than a frame would be lost; the
// GLFW key callback also notes presses here, and a shortcut fires on either.
#include <algorithm>
#include <vector>

#include <GLFW/glfw3.h>

#include "viz/view.hpp"

namespace tcplab::viz {

void change_speed(UiState& ui, int by);  // controls.cpp

namespace {

std::vector<int> g_taps;  // keys pressed since the last frame (from the GLFW callback)

bool tapped(int glfw_key) { return std::find(g_taps.begin(), g_taps.end(), glfw_key) != g_taps.end(); }
bool pressed(int glfw_key, bool repeat = true) { return ImGui::IsKeyPressed(glfw_key, repeat) || tapped(glfw_key); }
bool pressed_named(ImGuiKey k, bool repeat = true) { return ImGui::IsKeyPressed(ImGui::GetKeyIndex(k), repeat); }

}  // namespace

void note_key_press(int glfw_key) {
  if (g_taps.size() < 64) g_taps.push_back(glfw_key);
}
void forget_key_presses() { g_taps.clear(); }

void handle_shortcuts(const WorldView& v, UiState& ui, Commands& cmd) {
  const ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput) return;
  const bool shift = io.KeyShift;
  if (pressed_named(ImGuiKey_RightArrow) || pressed(GLFW_KEY_PERIOD)) shift ? cmd.step_state(1) : cmd.step(1);
  if (pressed_named(ImGuiKey_LeftArrow) || pressed(GLFW_KEY_COMMA)) shift ? cmd.step_state(-1) : cmd.step(-1);
  if (pressed(GLFW_KEY_N)) cmd.step_state(1);
  if (pressed(GLFW_KEY_P)) cmd.step_state(-1);
  if (pressed_named(ImGuiKey_Space, false)) ui.playing = !ui.playing;
  if (pressed_named(ImGuiKey_Home, false) || pressed(GLFW_KEY_R, false)) cmd.restart();
  if (pressed_named(ImGuiKey_End, false)) cmd.run_to_end();
  if (io.KeyCtrl) {  // projector zoom, as in a browser
    if (pressed(GLFW_KEY_EQUAL) || pressed(GLFW_KEY_KP_ADD)) ui.zoom = zoom_step(ui.zoom, 1);
    if (pressed(GLFW_KEY_MINUS) || pressed(GLFW_KEY_KP_SUBTRACT)) ui.zoom = zoom_step(ui.zoom, -1);
    if (pressed(GLFW_KEY_0, false) || pressed(GLFW_KEY_KP_0, false)) ui.zoom = 1.0F;
  } else {
    if (pressed(GLFW_KEY_EQUAL) || pressed(GLFW_KEY_KP_ADD) || pressed(GLFW_KEY_RIGHT_BRACKET)) change_speed(ui, 1);
    if (pressed(GLFW_KEY_MINUS) || pressed(GLFW_KEY_KP_SUBTRACT) || pressed(GLFW_KEY_LEFT_BRACKET)) change_speed(ui, -1);
  }
  if (pressed(GLFW_KEY_Q, false)) ui.predict = !ui.predict;
  if (pressed(GLFW_KEY_G, false)) ui.show_future = !ui.show_future;
  if (pressed(GLFW_KEY_C, false)) ui.predict_cc = !ui.predict_cc;
  if (pressed(GLFW_KEY_L, false)) ui.ladder_labels = !ui.ladder_labels;
  if (pressed(GLFW_KEY_F, false)) ui.follow_cursor = !ui.follow_cursor;
  if (pressed(GLFW_KEY_F12, false)) ui.screenshot_requested = true;
  if (pressed(GLFW_KEY_F1, false) || pressed(GLFW_KEY_H, false)) ui.show_help = !ui.show_help;
  if (pressed_named(ImGuiKey_Escape, false)) {
    ui.show_help = false;
    ui.picked_segment.reset();
  }
  // The segment picked in the ladder: drop / duplicate / delay it in a fork.
  if (ui.picked_segment) {
    if (pressed(GLFW_KEY_D, false)) cmd.fork(*ui.picked_segment, FaultAction::Drop, 0);
    if (pressed(GLFW_KEY_U, false)) cmd.fork(*ui.picked_segment, FaultAction::Duplicate, 0);
    if (pressed(GLFW_KEY_Y, false)) cmd.fork(*ui.picked_segment, FaultAction::Delay, ms(ui.delay_ms));
  }
  // Tabs: 1..7.
  const Tab tabs[] = {Tab::Text, Tab::Netstat, Tab::Plots, Tab::Fork, Tab::Lab, Tab::Congestion, Tab::Observer};
  for (int i = 0; i < 7; ++i)
    if (!io.KeyCtrl && pressed(GLFW_KEY_1 + i, false)) {
      ui.tab = tabs[i];
      ui.tab_requested = true;
    }
  if (io.KeyCtrl && pressed(GLFW_KEY_S, false) && v.session.has_fork()) {
    ui.tab = Tab::Fork;
    ui.tab_requested = true;
  }
  // Predict mode: answer with the digit keys 1..9 is not offered (they pick tabs); use the buttons.
}

}  // namespace tcplab::viz
