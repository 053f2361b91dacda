#pragma once
// Links to a lab and a moment: "#lab=lost-fin&step=12&seed=3" opens the web page exactly
// there (a teacher puts it on a slide). A link is the command line in another spelling:
// each key is an option of tcplab-viz, so both are read by parse_viz_options.
#include <optional>
#include <string>
#include <vector>

#include "viz/cli_options.hpp"
#include "viz/session.hpp"

namespace tcplab::viz {

// "#lab=lost-fin&step=12&seed=3&fork=drop%20A%3EB%231" -> {"lost-fin", "--step", "12", "--seed",
// "3", "--fork", "drop A>B#1"}. Keys: lab, seed, step, at, fork (repeatable), tab, speed,
// predict, play (the last two take 1/0 or no value). Values are %-decoded ('+' is a space).
// An unknown key or a bad escape is one line in *error and nullopt.
std::optional<std::vector<std::string>> link_to_args(const std::string& hash, std::string* error);

// Both steps at once: the link's options, checked as the command line is.
std::optional<VizOptions> parse_link(const std::string& hash, std::string* error);

// The link to what is shown: lab, seed, step (visible steps from the start, as --step
// counts them), the fork's rules when the fork is shown, the tab when it is not the first,
// predict when on. Always starts with '#'.
std::string link_for(const Session& s, const UiState& ui);

}  // namespace tcplab::viz
