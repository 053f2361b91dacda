#pragma once
// The options that say which moment, endpoint and rows a panel picture shows (`tcplab draw`,
// and the visualizer's --export): --at T or --step N, --host H, --from/--to.
#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "labs/panel_draw.hpp"

namespace tcplab::cli {

struct PictureArgs {
  std::string at, host, from, to;
  std::optional<std::uint32_t> step;
};
void add_picture_options(CLI::App& sub, PictureArgs& a);

// The scene those options choose in a recorded run, with the world it points to. Throws
// BadInput (a time after the run, a step past the last, an unknown host, an empty window).
struct PictureAt {
  std::unique_ptr<World> world;
  draw::Scene scene;
};
PictureAt picture_at(const draw::Recorded& rec, const PictureArgs& a);

// The cursor and the time shown: --at T (every event at or before T), --step N (after the
// N-th row of the ladder), or the end of the run. Throws BadInput.
struct Moment {
  std::uint64_t cursor = 0;
  Instant now = 0;
  bool given = false;  // --at or --step: the cursor's row is marked
};
Moment moment_of(const TraceIndex& ix, const Lab& lab, Instant end, const PictureArgs& a);
// The endpoint --host chooses among the lab's pair (default: the first of them, the client),
// else that host's first connection. Throws BadInput.
std::uint32_t endpoint_of_host(const TraceIndex& ix, const World& w, const std::vector<std::uint32_t>& pair, const std::string& host);
// The heading: "lost-fin (seed 1) at 1.234 s".
std::string picture_title(const Lab& lab, const Moment& m);

}  // namespace tcplab::cli
