#pragma once
// The state colours, one per RFC 9293 state (the rationale is in viz/palette.hpp, which the
// visualizer includes): the same in its panels and in the headless pictures.
#include <array>

#include "stack/state.hpp"

namespace tcplab {

std::array<int, 3> state_rgb(State s);
// True when text on this state's fill should be dark (the fill is light).
bool state_text_dark(State s);

}  // namespace tcplab
