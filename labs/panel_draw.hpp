#pragma once
// One of the visualizer's panels as a picture, without a window: the sequence ladder, RFC 9293
// Figure 5 with the edge just taken, or an endpoint's state, TCB and timers, at a cursor. The
// layout is the visualizer's (labs/panel_layout.hpp); the colours are for paper and slides (a
// white background). Used by `tcplab draw`, `tcplab report` and the visualizer's export.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "labs/canvas.hpp"
#include "labs/checks.hpp"
#include "labs/lab.hpp"
#include "sim/timeline.hpp"
#include "sim/trace_index.hpp"

namespace tcplab::draw {

enum class What { Ladder, Diagram, Endpoint };
std::optional<What> parse_what(const std::string& name);
constexpr const char* kWhatNames = "ladder, diagram, endpoint";

enum class Format { Svg, Png };
// From the file's extension (.svg, .png; any case); nullopt for another one.
std::optional<Format> format_of(const std::string& path);

// What a picture is drawn from: as the visualizer's WorldView.
struct Scene {
  const TraceIndex* index = nullptr;
  const World* world = nullptr;         // right after the cursor's step
  std::uint64_t cursor = 0;             // events applied
  Instant now = 0;                      // the virtual time shown
  std::vector<std::uint32_t> followed;  // endpoints: their hosts' columns first in the ladder
  std::uint32_t ep = kNone;             // the endpoint of the diagram and endpoint pictures
  std::string title;                    // the picture's heading
  bool mark_cursor = true;              // highlight the cursor's row in the ladder
  std::optional<Instant> from, to;      // the ladder's rows: those in [from, to]
  layout::ConnLookup lookup;            // default: a scan of *world (layout::find_conn)
};

// The ladder's rows [first, last] (indices into index.rows()): those in [from, to] when given,
// else the whole run when at most `max_rows`, else `max_rows` around the cursor's row.
struct RowRange {
  std::uint32_t first = 0, last = 0;
  bool empty = true;
};
RowRange ladder_rows(const Scene& s, std::uint32_t max_rows);

// The size a picture takes when none is asked for (the ladder: a row each).
std::pair<int, int> default_size(const Scene& s, What what);
// Paints the picture on a canvas of width x height.
void paint(Canvas& c, const Scene& s, What what, int width, int height);
// The picture as SVG text (real <text> elements).
std::string svg(const Scene& s, What what, int width, int height);
// The picture as PNG bytes (cairo; not in the WebAssembly build).
std::string png(const Scene& s, What what, int width, int height);

// A lab run recorded as the visualizer records it (a Timeline and its TraceIndex), to draw
// at any cursor.
struct Recorded {
  Lab lab;
  std::unique_ptr<Timeline> timeline;
  std::unique_ptr<TraceIndex> index;
  std::vector<CheckResult> checks;
  World world_at(std::uint64_t cursor) const;  // the world after `cursor` events
};
Recorded record(Lab lab);

}  // namespace tcplab::draw
