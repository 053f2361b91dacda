#include <doctest/doctest.h>

#include "viz/cli_options.hpp"

using namespace tcplab;
using namespace tcplab::viz;

namespace {
std::optional<VizOptions> parse(std::vector<std::string> a, std::string* err) { return parse_viz_options(a, err); }
}  // namespace

TEST_SUITE("command line") {
  TEST_CASE("--var, --student and --scale") {
    std::string err;
    auto o = parse({"lost-fin", "--var", "outage=4000ms", "--var=msl=10s", "--student", "alice", "--scale", "1.5"}, &err);
    REQUIRE(o);
    CHECK(o->vars == std::vector<std::string>{"outage=4000ms", "msl=10s"});
    CHECK(o->student == "alice");
    CHECK(o->scale == doctest::Approx(1.5));
    CHECK(parse({"lost-fin"}, &err)->scale == doctest::Approx(1.0));
    for (std::vector<std::string> bad : {std::vector<std::string>{"--scale", "x"}, {"--scale", "1.5x"}, {"--scale", "5"}, {"--scale", "0.5"},
                                         {"--var"}, {"--student"}, {"--student="}}) {
      err.clear();
      CHECK_FALSE(parse(bad, &err));
      CHECK(!err.empty());
      CHECK(err.find('\n') == std::string::npos);
    }
    CHECK(zoom_step(1.0F, 1) == doctest::Approx(1.1F));
    CHECK(zoom_step(1.0F, -1) == doctest::Approx(0.9F));
    CHECK(zoom_step(3.0F, 1) == doctest::Approx(3.0F));
    CHECK(zoom_step(0.75F, -1) == doctest::Approx(0.75F));
  }

  TEST_CASE("headless options") {
    std::string err;
    auto o = parse({"handshake", "--step", "5", "--seed=3", "--screenshot", "a.png", "--size", "1280x720", "--tab", "plots"}, &err);
    REQUIRE(o);
    CHECK(o->lab == "handshake");
    CHECK(*o->step == 5);
    CHECK(*o->seed == 3);
    CHECK(o->screenshot == "a.png");
    CHECK(o->width == 1280);
    CHECK(o->height == 720);
    CHECK(*o->tab == Tab::Plots);
    CHECK(o->headless());
    o = parse({"lost-fin", "--at", "250ms", "--fork", "drop A>B#3", "--play", "--speed", "10ms"}, &err);
    REQUIRE(o);
    CHECK(*o->at == ms(250));
    CHECK(o->forks == std::vector<std::string>{"drop A>B#3"});
    CHECK(o->play);
    CHECK(*o->speed == ms(10));
    CHECK_FALSE(o->headless());
  }

  TEST_CASE("every mistake is one line") {
    const std::vector<std::vector<std::string>> bad = {
        {"--step"}, {"--step", "-1"}, {"--at", "5"}, {"--at", "5 parsecs"}, {"--size", "100x100"}, {"--size", "big"},
        {"--bogus"}, {"a", "b"}, {"--step", "1", "--at", "1s"}, {"--fork", "drop"}, {"--tab", "nope"}, {"--frames", "0"},
        {"--speed", "0ms"}};
    for (const auto& args : bad) {
      std::string err;
      INFO(args.front());
      CHECK_FALSE(parse(args, &err));
      CHECK(!err.empty());
      CHECK(err.find('\n') == std::string::npos);
    }
  }
}
