// Predict-then-step: before the next step is shown, ask what the followed endpoints will
// do (the flags of the segment, the next state), with buttons; then score the answer and
// show the right one with the rule that decides it.
#include "viz/rfc.hpp"
#include "viz/theme.hpp"
#include "viz/view.hpp"

namespace tcplab::viz {
namespace {

void results(const std::vector<Answered>& list) {
  for (const auto& a : list) {
    if (a.correct) {
      ImGui::TextColored(ImVec4(0.45F, 0.9F, 0.5F, 1.0F), "%s", shown("✓ right: " + a.q.answer).c_str());
    } else {
      ImGui::TextColored(ImVec4(1.0F, 0.45F, 0.45F, 1.0F), "%s",
                         shown("✗ you said " + a.given + "; it is " + a.q.answer).c_str());
    }
    ImGui::PushTextWrapPos(ImGui::GetContentRegionAvail().x + ImGui::GetCursorPosX());
    ImGui::TextDisabled("%s", shown(a.q.rule).c_str());
    ImGui::PopTextWrapPos();
  }
}

}  // namespace

void draw_predict(const WorldView& v, UiState&, Commands& cmd, DrawRecord& rec) {
  const Predictor& p = v.session.predictor();
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(kAccent), "Predict, then step");
  ImGui::SameLine();
  ImGui::TextDisabled("score %d / %d", p.right(), p.asked());
  if (const Question* q = p.current()) {
    rec.predict_prompt = q->prompt;
    rec.predict_choices = q->choices;
    ImGui::TextUnformatted(q->prompt.c_str());
    int i = 0;
    for (const auto& c : q->choices) {
      ImGui::PushID(i++);
      if (q->kind == Question::Kind::State) {
        const State st = parse_state(c).value_or(State::Closed);
        ImGui::PushStyleColor(ImGuiCol_Button, ImGui::ColorConvertU32ToFloat4(state_color(st, 0.75F)));
        ImGui::PushStyleColor(ImGuiCol_ButtonHovered, ImGui::ColorConvertU32ToFloat4(state_color(st, 1.0F)));
        if (ImGui::Button(c.c_str())) cmd.answer(c);
        record_item(rec, "predict:" + c);
        ImGui::PopStyleColor(2);
      } else {
        if (ImGui::Button(("[" + c + "]").c_str(), ImVec2(52, 0))) cmd.answer(c);
        record_item(rec, "predict:" + c);
      }
      ImGui::PopID();
      if (i % (q->kind == Question::Kind::State ? 4 : 8) != 0) ImGui::SameLine();
    }
    ImGui::NewLine();
    if (!p.answered().empty()) results(p.answered());
  } else if (!p.answered().empty()) {
    results(p.answered());
    ImGui::TextDisabled("%s", shown("Now step (→) to see it happen.").c_str());
  } else if (!p.previous().empty()) {
    results(p.previous());
  } else {
    ImGui::TextDisabled("%s", shown("Nothing to predict in the next step: step on (→).").c_str());
  }
}

}  // namespace tcplab::viz
