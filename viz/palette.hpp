#pragma once
// The state colours, one per RFC 9293 state, the same in the badge, the diagram, the ladder
// and the plots. Chosen so that
//   - the states of one phase belong together: opening in blues (LISTEN, SYN_SENT,
//     SYN_RECEIVED), ESTABLISHED green, the active close in violets and mauves (FIN_WAIT_1,
//     FIN_WAIT_2, CLOSING, TIME_WAIT), the passive close in sand and amber (CLOSE_WAIT,
//     LAST_ACK), CLOSED grey;
//   - nothing normal looks like an error: no state is red (red is kept for lost segments);
//     TIME_WAIT, the normal end of an active close, is a quiet plum;
//   - any two states differ by at least 12 CIEDE2000 units for normal vision and under
//     the Machado et al. (2009) simulation of protanopia, deuteranopia and tritanopia
//     (viz/tests/test_palette.cpp checks it). Lightness carries much of the difference, so
//     light fills take dark text (state_text_dark).
// No ImGui here: the palette test runs without a display. The headless pictures (labs/) use
// the same colours, so the palette lives in labs/palette.hpp.
#include "labs/palette.hpp"

namespace tcplab::viz {

using tcplab::state_rgb;
using tcplab::state_text_dark;

}  // namespace tcplab::viz
