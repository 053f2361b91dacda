// The panels' shared layout (labs/panel_layout.hpp) and the headless painters over it
// (labs/panel_draw.hpp), on the lost-fin lab: the ladder's columns and the lost FIN's cross,
// labels that never overlap, Figure 5's boxes in the figure's places, the TCB table's dashes
// before the peer's SYN, the timer rows, and the SVG's text.
#include <doctest/doctest.h>

#include <algorithm>

#include "labs/panel_draw.hpp"

using namespace tcplab;
using namespace tcplab::layout;

namespace {

struct LostFin {
  draw::Recorded rec = draw::record(load_lab("lost-fin"));
  const TraceIndex& ix = *rec.index;
  World at(Instant t) const { return rec.world_at(ix.cursor_at_time(t)); }
};

}  // namespace

TEST_SUITE("panel layout") {
  TEST_CASE("ladder: the followed hosts' columns, the lost FIN's cross halfway, labels apart") {
    LostFin lf;
    const World end = lf.at(sec(100));
    const LadderColumns c = ladder_columns(lf.ix, end, lf.ix.default_pair(), 100, 500);
    REQUIRE(c.names == std::vector<std::string>{"client", "server"});
    CHECK(c.ips == std::vector<std::string>{"10.0.0.1", "10.0.0.2"});
    CHECK(c.x == std::vector<float>{200, 400});
    // The 5th segment the client sent is its FIN, lost on the way: the cross is halfway, on its row band.
    const auto& segs = lf.ix.segments();
    const auto fin = std::find_if(segs.begin(), segs.end(), [](const SegInfo& s) { return s.fate == SegFate::LostOnWay; });
    REQUIRE(fin != segs.end());
    CHECK(label_flags(fin->label) == "[F.]");
    const auto y_of = [](std::uint32_t r) { return 10.0F + 26.0F * static_cast<float>(r); };
    const ArrowGeom g = arrow_geometry(lf.ix, c, static_cast<std::uint32_t>(fin - segs.begin()), 0, y_of, 26, lf.ix.size(), sec(100), false);
    CHECK(g.lost);
    CHECK_FALSE(g.head);
    CHECK(g.b.x == doctest::Approx(300));
    CHECK(g.b.y == doctest::Approx(g.a.y + 26 * 0.9));
    CHECK(ladder_label(lf.ix.trace()[fin->send_k], *fin, 0, " x") == fin->label + "  LOST");
    // Two labels asking for the same spot: the second goes elsewhere or nowhere, never on top.
    const LabelAsk ask{{0, 100}, {600, 200}, {600, 200}, false, true, false, "[P.] seq 1:8, ack 1", "[P.]", 0, 0, false};
    const auto placed = place_labels({ask, ask}, [](const std::string& s) { return 7.0F * static_cast<float>(s.size()); }, 12,
                                     {0, 0, 600, 400}, {}, {});
    REQUIRE(placed.size() == 2);
    CHECK_FALSE(overlaps(placed[0].second.rect, placed[1].second.rect));
  }

  TEST_CASE("Figure 5: CLOSED on top in the middle, ESTAB below it, SYN-SENT right, SYN-RCVD left") {
    const Fig5Geometry g = fig5_geometry({0, 0}, 600, 400, 120, 18, 21, 20);
    const auto centre = [&](State s) { return g.box[static_cast<int>(s)].center(); };
    CHECK(centre(State::Closed).x == doctest::Approx(300));
    CHECK(centre(State::Established).x == doctest::Approx(300));
    CHECK(centre(State::Established).y > centre(State::Listen).y);
    CHECK(centre(State::SynSent).x > centre(State::Established).x);
    CHECK(centre(State::SynReceived).x < centre(State::Established).x);
    CHECK(centre(State::TimeWait).y > centre(State::Closing).y);
    // An edge runs from one box's border to the other's.
    const auto path = fig5_edge_path(g, State::Established, State::FinWait1);
    REQUIRE(path.size() == 2);
    const Box& from = g.box[static_cast<int>(State::Established)];
    CHECK((path[0].x == doctest::Approx(from.min.x) || path[0].y == doctest::Approx(from.max.y)));
    CHECK(fig5_name(State::SynReceived) == "SYN-RCVD");
    CHECK(figure5_edge(State::FinWait1, State::TimeWait) == nullptr);  // the stack takes it; the figure does not draw it
    CHECK(figure5_edge(State::FinWait2, State::TimeWait) != nullptr);
  }

  TEST_CASE("endpoint: the peer's numbers are dashes before its SYN; TIME_WAIT's timer counts down") {
    LostFin lf;
    const std::uint32_t client = lf.ix.default_pair().front();
    const auto lookup_in = [](const World& w) { return [&w](int h, const std::string& l) { return find_conn(w, h, l); }; };
    const World early = lf.at(us(1));  // the SYN sent, no answer yet
    const EndpointAt e0 = endpoint_at(lf.ix, early, client, lookup_in(early));
    REQUIRE(e0.conn != nullptr);
    CHECK(e0.state == State::SynSent);
    const TcbTable t0 = tcb_table(*e0.conn, false);
    CHECK(t0.rows[0].first.known);          // ISS
    CHECK_FALSE(t0.rows[0].second->known);  // IRS
    CHECK(t0.rows[1].first.value == "0");   // SND.UNA relative to ISS
    const World later = lf.at(ms(1500));
    const EndpointAt e1 = endpoint_at(lf.ix, later, client, lookup_in(later));
    REQUIRE(e1.conn != nullptr);
    CHECK(e1.state == State::TimeWait);
    const auto timers = timer_rows(lf.ix, client, *e1.conn, lf.ix.cursor_at_time(ms(1500)), ms(1500));
    REQUIRE(timers.size() == 1);
    CHECK(timers[0].kind == TimerKind::TimeWait);
    CHECK(timers[0].due == ms(61280));
    CHECK(timers[0].left == ms(59780));
    CHECK(short_duration(timers[0].left) == "59.78 s");
  }

  TEST_CASE("the SVG: real text, escaped, the same bytes twice") {
    LostFin lf;
    const World w = lf.at(ms(1500));
    draw::Scene s;
    s.index = &lf.ix;
    s.world = &w;
    s.cursor = lf.ix.cursor_at_time(ms(1500));
    s.now = ms(1500);
    s.followed = lf.ix.default_pair();
    s.ep = s.followed.front();
    s.title = "a <b> & \"c\"";
    for (auto what : {draw::What::Ladder, draw::What::Diagram, draw::What::Endpoint}) {
      const auto [wd, ht] = draw::default_size(s, what);
      const std::string svg = draw::svg(s, what, wd, ht);
      CHECK(svg.find("<text") != std::string::npos);
      CHECK(svg.find(">a &lt;b&gt; &amp; &quot;c&quot;</text>") != std::string::npos);
      CHECK(svg == draw::svg(s, what, wd, ht));
    }
    CHECK(draw::Canvas::text_width("ab→", 10) == doctest::Approx(3 * draw::Canvas::kAdvance * 10));
  }
}
