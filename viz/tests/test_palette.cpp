// The state palette (viz/palette.hpp) under simulated colour-vision deficiencies: every two
// state colours stay apart (CIEDE2000) for normal vision and under the Machado, Oliveira and
// Fernandes (2009) simulation of protanopia, deuteranopia and tritanopia (severity 1.0, applied
// to linear RGB); no state is the red of a lost segment.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "viz/palette.hpp"

namespace {

using tcplab::State;
using Mat = std::array<std::array<double, 3>, 3>;
using CieLab = std::array<double, 3>;
constexpr double kPi = 3.14159265358979323846;

// Machado et al. 2009, Table 1 (severity 1.0).
constexpr Mat kNormal = {{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}};
constexpr Mat kProtan = {{{0.152286, 1.052583, -0.204868}, {0.114503, 0.786281, 0.099216}, {-0.003882, -0.048116, 1.051998}}};
constexpr Mat kDeutan = {{{0.367322, 0.860646, -0.227968}, {0.280085, 0.672501, 0.047413}, {-0.011820, 0.042940, 0.968881}}};
constexpr Mat kTritan = {{{1.255528, -0.076749, -0.178779}, {-0.078411, 0.930809, 0.147602}, {0.004733, 0.691367, 0.303900}}};

double to_linear(double c) {
  c /= 255.0;
  return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}

// sRGB (0..255) through the simulation matrix, then to CIELAB (D65). The simulated linear
// values are clamped to the gamut, as a display would show them.
CieLab simulated_lab(std::array<int, 3> rgb, const Mat& m) {
  const std::array<double, 3> l = {to_linear(rgb[0]), to_linear(rgb[1]), to_linear(rgb[2])};
  std::array<double, 3> s{};
  for (int i = 0; i < 3; ++i) s[i] = std::clamp(m[i][0] * l[0] + m[i][1] * l[1] + m[i][2] * l[2], 0.0, 1.0);
  const double x = (0.4124 * s[0] + 0.3576 * s[1] + 0.1805 * s[2]) / 0.95047;
  const double y = 0.2126 * s[0] + 0.7152 * s[1] + 0.0722 * s[2];
  const double z = (0.0193 * s[0] + 0.1192 * s[1] + 0.9505 * s[2]) / 1.08883;
  auto f = [](double t) { return t > 216.0 / 24389.0 ? std::cbrt(t) : (24389.0 / 27.0 * t + 16.0) / 116.0; };
  return {116.0 * f(y) - 16.0, 500.0 * (f(x) - f(y)), 200.0 * (f(y) - f(z))};
}

double deg(double r) { return r * 180.0 / kPi; }
double rad(double d) { return d * kPi / 180.0; }

// CIEDE2000 (Sharma, Wu and Dalal 2005), kL = kC = kH = 1.
double ciede2000(const CieLab& p, const CieLab& q) {
  const double c1 = std::hypot(p[1], p[2]), c2 = std::hypot(q[1], q[2]);
  const double cb7 = std::pow((c1 + c2) / 2.0, 7.0);
  const double g = 0.5 * (1.0 - std::sqrt(cb7 / (cb7 + std::pow(25.0, 7.0))));
  const double a1 = (1.0 + g) * p[1], a2 = (1.0 + g) * q[1];
  const double c1p = std::hypot(a1, p[2]), c2p = std::hypot(a2, q[2]);
  auto hue = [](double b, double a) {
    if (a == 0 && b == 0) return 0.0;
    const double h = deg(std::atan2(b, a));
    return h < 0 ? h + 360.0 : h;
  };
  const double h1 = hue(p[2], a1), h2 = hue(q[2], a2);
  const double dl = q[0] - p[0], dc = c2p - c1p;
  double dh = 0;
  if (c1p * c2p != 0) {
    dh = h2 - h1;
    if (dh > 180) dh -= 360;
    else if (dh < -180) dh += 360;
  }
  const double dH = 2.0 * std::sqrt(c1p * c2p) * std::sin(rad(dh / 2.0));
  const double lb = (p[0] + q[0]) / 2.0, cbp = (c1p + c2p) / 2.0;
  double hb = h1 + h2;
  if (c1p * c2p != 0) hb = std::abs(h1 - h2) <= 180 ? (h1 + h2) / 2.0 : (h1 + h2 < 360 ? (h1 + h2 + 360) / 2.0 : (h1 + h2 - 360) / 2.0);
  const double t = 1 - 0.17 * std::cos(rad(hb - 30)) + 0.24 * std::cos(rad(2 * hb)) + 0.32 * std::cos(rad(3 * hb + 6)) -
                   0.20 * std::cos(rad(4 * hb - 63));
  const double dth = 30.0 * std::exp(-std::pow((hb - 275.0) / 25.0, 2.0));
  const double cbp7 = std::pow(cbp, 7.0);
  const double rc = 2.0 * std::sqrt(cbp7 / (cbp7 + std::pow(25.0, 7.0)));
  const double sl = 1 + 0.015 * (lb - 50) * (lb - 50) / std::sqrt(20 + (lb - 50) * (lb - 50));
  const double sc = 1 + 0.045 * cbp, sh = 1 + 0.015 * cbp * t;
  const double rt = -std::sin(rad(2 * dth)) * rc;
  return std::sqrt(std::pow(dl / sl, 2) + std::pow(dc / sc, 2) + std::pow(dH / sh, 2) + rt * (dc / sc) * (dH / sh));
}

}  // namespace

TEST_SUITE("palette") {
  TEST_CASE("CIEDE2000 matches Sharma et al.'s test data") {
    // Pairs 1, 7 and 17 of the paper's table 1.
    CHECK(ciede2000({50.0, 2.6772, -79.7751}, {50.0, 0.0, -82.7485}) == doctest::Approx(2.0425).epsilon(1e-4));
    CHECK(ciede2000({50.0, 0.0, 0.0}, {50.0, -1.0, 2.0}) == doctest::Approx(2.3669).epsilon(1e-4));
    CHECK(ciede2000({50.0, 2.5, 0.0}, {73.0, 25.0, -18.0}) == doctest::Approx(27.1492).epsilon(1e-4));
  }

  TEST_CASE("the simulations merge what each deficiency cannot tell apart") {
    // A protanope and a deuteranope see pure red and a dark olive green alike; normal vision does not.
    const std::array<int, 3> red = {200, 40, 40}, olive = {150, 120, 20};
    CHECK(ciede2000(simulated_lab(red, kNormal), simulated_lab(olive, kNormal)) > 20.0);
    CHECK(ciede2000(simulated_lab(red, kProtan), simulated_lab(olive, kProtan)) <
          ciede2000(simulated_lab(red, kNormal), simulated_lab(olive, kNormal)) / 2.0);
    // Grey stays grey under every simulation (each row of each matrix sums to 1).
    for (const Mat* m : {&kProtan, &kDeutan, &kTritan})
      CHECK(ciede2000(simulated_lab({128, 128, 128}, *m), simulated_lab({128, 128, 128}, kNormal)) < 0.5);
  }

  TEST_CASE("every two state colours differ by at least 12 CIEDE2000 under each simulated deficiency") {
    const std::pair<const char*, const Mat*> sims[] = {{"normal", &kNormal}, {"protan", &kProtan}, {"deutan", &kDeutan}, {"tritan", &kTritan}};
    for (const auto& sim : sims) {
      // Not a structured binding: INFO captures `name` in a lambda, which clang 14 refuses.
      const char* name = sim.first;
      const Mat* m = sim.second;
      for (int a = 0; a < tcplab::kStateCount; ++a)
        for (int b = a + 1; b < tcplab::kStateCount; ++b) {
          const auto sa = static_cast<State>(a), sb = static_cast<State>(b);
          const double d = ciede2000(simulated_lab(tcplab::viz::state_rgb(sa), *m), simulated_lab(tcplab::viz::state_rgb(sb), *m));
          INFO(std::string(name) << ": " << tcplab::state_name(sa) << " vs " << tcplab::state_name(sb) << " dE2000 = " << d);
          CHECK(d >= 12.0);
        }
    }
  }

  TEST_CASE("no state looks like the red of a lost segment") {
    const CieLab lost = simulated_lab({235, 64, 64}, kNormal);
    for (int a = 0; a < tcplab::kStateCount; ++a) {
      const auto c = tcplab::viz::state_rgb(static_cast<State>(a));
      INFO(tcplab::state_name(static_cast<State>(a)));
      CHECK(ciede2000(simulated_lab(c, kNormal), lost) > 25.0);
      // Not a red hue: red clearly above both green and blue.
      CHECK_FALSE((c[0] > c[1] + 60 && c[0] > c[2] + 60 && c[2] < 120));
    }
  }
}
