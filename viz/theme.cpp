#include "viz/theme.hpp"

#include <filesystem>

namespace tcplab::viz {
namespace {

constexpr const char* kFontDir = "/usr/share/fonts/truetype/dejavu/";

float g_density = 1.0F;  // framebuffer pixels per ImGui unit the atlas was rasterised for

ImFont* add_ttf(const char* file, float px, const ImWchar* ranges) {
  const std::string path = std::string(kFontDir) + file;
  if (!std::filesystem::exists(path)) return nullptr;
  ImFontConfig cfg;
  cfg.OversampleH = 2;
  cfg.OversampleV = 1;
  return ImGui::GetIO().Fonts->AddFontFromFileTTF(path.c_str(), px * g_density, &cfg, ranges);
}

// The atlas holds glyphs rasterised at `density` times their size; their metrics are brought
// back to ImGui units, so that every panel keeps using FontSize as before while the renderer,
// which scales by DisplayFramebufferScale, draws them sharp (projector zoom, HiDPI screens).
void unscale_metrics(ImFontAtlas* atlas, float density) {
  if (density == 1.0F) return;
  atlas->Build();
  const float k = 1.0F / density;
  for (ImFont* f : atlas->Fonts) {
    f->FontSize *= k;
    f->Ascent *= k;
    f->Descent *= k;
    for (ImFontGlyph& g : f->Glyphs) {
      g.X0 *= k;
      g.Y0 *= k;
      g.X1 *= k;
      g.Y1 *= k;
      g.AdvanceX *= k;
    }
    f->BuildLookupTable();
  }
}

}  // namespace

Fonts& fonts() {
  static Fonts f;
  return f;
}

float fonts_density() { return g_density; }

void load_fonts(float density) {
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  g_density = density;
  static ImVector<ImWchar> ranges;  // must outlive the atlas build
  if (ranges.empty()) {
    ImFontGlyphRangesBuilder b;
    b.AddRanges(io.Fonts->GetGlyphRangesDefault());
    b.AddText("→←↑↓⇄↻▶◀■□●○✕✗✓…—–·▸▾×∞≤≥±✔❚");
    b.BuildRanges(&ranges);
  }
  Fonts& f = fonts();
  f.body = add_ttf("DejaVuSans.ttf", 15.0F, ranges.Data);
  if (f.body) {
    f.mono = add_ttf("DejaVuSansMono.ttf", 14.0F, ranges.Data);
    f.big = add_ttf("DejaVuSans-Bold.ttf", 24.0F, ranges.Data);
    if (!f.big) f.big = add_ttf("DejaVuSans.ttf", 24.0F, ranges.Data);  // the web page embeds no bold face
    f.small = add_ttf("DejaVuSans.ttf", 12.5F, ranges.Data);
  }
  if (!f.body || !f.mono || !f.big || !f.small) {  // no DejaVu: ImGui's own font at several sizes
    io.Fonts->Clear();
    ImFontConfig c;
    c.SizePixels = 13.0F * density;
    f.body = io.Fonts->AddFontDefault(&c);
    f.mono = f.body;
    f.small = f.body;
    c.SizePixels = 26.0F * density;
    f.big = io.Fonts->AddFontDefault(&c);
    f.unicode = false;
  } else {
    f.unicode = true;
  }
  io.FontDefault = f.body;
  unscale_metrics(io.Fonts, density);
}

void setup_style_and_fonts(float density) {
  load_fonts(density);
  ImGui::StyleColorsDark();
  ImGuiStyle& s = ImGui::GetStyle();
  s.WindowRounding = 4.0F;
  s.ChildRounding = 3.0F;
  s.FrameRounding = 3.0F;
  s.GrabRounding = 3.0F;
  s.PopupRounding = 4.0F;
  s.TabRounding = 3.0F;
  s.WindowPadding = ImVec2(8, 6);
  s.FramePadding = ImVec2(6, 3);
  s.ItemSpacing = ImVec2(7, 4);
  s.WindowBorderSize = 1.0F;
  s.ScrollbarSize = 12.0F;
  ImVec4* c = s.Colors;
  c[ImGuiCol_WindowBg] = ImVec4(0.105F, 0.113F, 0.133F, 1.0F);
  c[ImGuiCol_ChildBg] = ImVec4(0.085F, 0.092F, 0.110F, 1.0F);
  c[ImGuiCol_PopupBg] = ImVec4(0.12F, 0.13F, 0.155F, 0.97F);
  c[ImGuiCol_Border] = ImVec4(0.24F, 0.26F, 0.30F, 1.0F);
  c[ImGuiCol_TitleBg] = ImVec4(0.14F, 0.155F, 0.19F, 1.0F);
  c[ImGuiCol_TitleBgActive] = ImVec4(0.16F, 0.19F, 0.25F, 1.0F);
  c[ImGuiCol_FrameBg] = ImVec4(0.17F, 0.185F, 0.22F, 1.0F);
  c[ImGuiCol_FrameBgHovered] = ImVec4(0.22F, 0.25F, 0.31F, 1.0F);
  c[ImGuiCol_FrameBgActive] = ImVec4(0.26F, 0.30F, 0.38F, 1.0F);
  c[ImGuiCol_Button] = ImVec4(0.20F, 0.25F, 0.34F, 1.0F);
  c[ImGuiCol_ButtonHovered] = ImVec4(0.27F, 0.36F, 0.50F, 1.0F);
  c[ImGuiCol_ButtonActive] = ImVec4(0.32F, 0.44F, 0.62F, 1.0F);
  c[ImGuiCol_Header] = ImVec4(0.22F, 0.29F, 0.40F, 1.0F);
  c[ImGuiCol_HeaderHovered] = ImVec4(0.27F, 0.36F, 0.50F, 1.0F);
  c[ImGuiCol_Tab] = ImVec4(0.16F, 0.18F, 0.23F, 1.0F);
  c[ImGuiCol_TabHovered] = ImVec4(0.30F, 0.40F, 0.56F, 1.0F);
  c[ImGuiCol_TabActive] = ImVec4(0.24F, 0.33F, 0.48F, 1.0F);
  c[ImGuiCol_SliderGrab] = ImVec4(1.0F, 0.81F, 0.33F, 0.9F);
  c[ImGuiCol_SliderGrabActive] = ImVec4(1.0F, 0.86F, 0.45F, 1.0F);
  c[ImGuiCol_CheckMark] = ImVec4(1.0F, 0.81F, 0.33F, 1.0F);
  c[ImGuiCol_PlotHistogram] = ImVec4(0.36F, 0.62F, 0.95F, 1.0F);
  c[ImGuiCol_TableHeaderBg] = ImVec4(0.15F, 0.17F, 0.21F, 1.0F);
  c[ImGuiCol_TableRowBgAlt] = ImVec4(1.0F, 1.0F, 1.0F, 0.03F);
}

ImU32 state_color(State s, float alpha) {
  const auto c = state_rgb(s);
  return IM_COL32(c[0], c[1], c[2], static_cast<int>(alpha * 255.0F));
}

ImU32 state_text_color(State s, int alpha) {
  return state_text_dark(s) ? IM_COL32(16, 18, 24, alpha) : IM_COL32(255, 255, 255, alpha);
}

ImU32 kind_color(const std::string& kind) {
  if (kind == "SYN") return IM_COL32(244, 184, 64, 255);
  if (kind == "SYN-ACK") return IM_COL32(250, 150, 70, 255);
  if (kind == "DATA") return IM_COL32(96, 170, 255, 255);
  if (kind == "FIN") return IM_COL32(196, 140, 255, 255);
  if (kind == "RST") return IM_COL32(240, 90, 90, 255);
  return IM_COL32(186, 194, 208, 255);  // ACK
}

ImU32 timer_color(TimerKind k) {
  switch (k) {
    case TimerKind::Rto: return IM_COL32(240, 150, 50, 255);
    case TimerKind::TimeWait: return state_color(State::TimeWait);
    case TimerKind::DelAck: return IM_COL32(90, 170, 250, 255);
    case TimerKind::Keepalive: return IM_COL32(80, 190, 140, 255);
    case TimerKind::Persist: return IM_COL32(200, 120, 230, 255);
    case TimerKind::FinWait2: return state_color(State::FinWait2);
    case TimerKind::Reorder: return IM_COL32(250, 110, 90, 255);  // near the RTO's: it also leads to a retransmission
    case TimerKind::LossProbe: return IM_COL32(250, 200, 60, 255);  // a lighter shade of the RTO's
  }
  return kDim;
}

ImU32 with_alpha(ImU32 c, float alpha) {
  const ImU32 a = static_cast<ImU32>(static_cast<float>((c >> IM_COL32_A_SHIFT) & 0xFF) * alpha);
  return (c & ~IM_COL32_A_MASK) | (a << IM_COL32_A_SHIFT);
}

void help_marker(const char* text) {
  ImGui::TextDisabled("(?)");
  if (ImGui::IsItemHovered()) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 32.0F);
    ImGui::TextUnformatted(text);
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
}

std::string shown(const std::string& s) {
  if (fonts().unicode) return s;
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s.compare(i, 3, "→") == 0) {
      out += "->";
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

void centered_text(ImDrawList* dl, ImFont* f, float size, ImVec2 min, ImVec2 max, ImU32 col, const std::string& s) {
  const ImVec2 ts = f->CalcTextSizeA(size, FLT_MAX, 0.0F, s.c_str());
  dl->AddText(f, size, ImVec2((min.x + max.x - ts.x) * 0.5F, (min.y + max.y - ts.y) * 0.5F), col, s.c_str());
}

}  // namespace tcplab::viz
