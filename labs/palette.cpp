#include "labs/palette.hpp"

namespace tcplab {

std::array<int, 3> state_rgb(State s) {
  switch (s) {
    case State::Closed: return {129, 129, 129};
    case State::Listen: return {120, 100, 255};
    case State::SynSent: return {183, 212, 250};
    case State::SynReceived: return {92, 144, 172};
    case State::Established: return {97, 210, 63};
    case State::FinWait1: return {172, 155, 254};
    case State::FinWait2: return {107, 76, 170};
    case State::CloseWait: return {219, 210, 173};
    case State::Closing: return {211, 164, 176};
    case State::LastAck: return {150, 100, 20};
    case State::TimeWait: return {113, 86, 110};
  }
  return {128, 128, 128};
}

bool state_text_dark(State s) {
  const auto c = state_rgb(s);
  // Relative luminance, roughly (sRGB weights on gamma values): above ~0.55, black reads better.
  return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2] > 140.0;
}

}  // namespace tcplab
