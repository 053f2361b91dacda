// `tcplab draw LAB --at T --what ladder|diagram|endpoint --out F.svg|F.png`: one of the
// visualizer's panels alone, as a picture for slides (labs/panel_draw.hpp): the same layout,
// on paper colours, the SVG with real text.
#include <fmt/format.h>
#include <iostream>

#include "labs/cli.hpp"
#include "labs/draw_options.hpp"
#include "labs/options.hpp"

namespace tcplab::cli {
namespace {

struct DrawArgs {
  std::string lab;
  LabOptionArgs common;
  PictureArgs pic;
  std::string what = "ladder", out, size;
};

int run(const DrawArgs& a) {
  const auto what = draw::parse_what(a.what);
  if (!what) throw BadInput("--what: '" + a.what + "' is not a panel (" + draw::kWhatNames + ")");
  const auto format = draw::format_of(a.out);
  if (!format) throw BadInput("--out: '" + a.out + "': unknown format (the file must end in .svg or .png)");
  std::optional<std::pair<int, int>> size;
  if (!a.size.empty()) size = size_arg(a.size);
  const draw::Recorded rec = draw::record(load_common(a.lab, a.common));
  const PictureAt at = picture_at(rec, a.pic);
  const draw::Scene& scene = at.scene;
  const auto [w, h] = size ? *size : draw::default_size(scene, *what);
  write_output(a.out, *format == draw::Format::Svg ? draw::svg(scene, *what, w, h) : draw::png(scene, *what, w, h));
  std::cout << fmt::format("{}: the {} of {}, {}x{}\n", a.out, a.what, scene.title, w, h);
  return kOk;
}

}  // namespace

Command draw_command() {
  return {"draw", [](CLI::App& sub) -> std::function<int()> {
    auto a = std::make_shared<DrawArgs>();
    sub.add_option("LAB", a->lab, "a built-in lab's name or a .toml file")->required();
    add_lab_options(sub, a->common);
    sub.add_option("--what", a->what, "the panel: ladder (the sequence ladder), diagram (RFC 9293 Figure 5 with the edge just "
                                      "taken) or endpoint (state, TCB and timers); default ladder");
    sub.add_option("--out", a->out, "the file to write: .svg (vector, real text) or .png")->required();
    add_picture_options(sub, a->pic);
    sub.add_option("--size", a->size, "picture size in pixels, WIDTHxHEIGHT (default: the ladder 900 wide, a row each; "
                                      "the diagram 600x500; the endpoint 600x360)");
    sub.footer("Examples:\n"
               "  tcplab draw lost-fin --out lost-fin.svg                       the whole ladder\n"
               "  tcplab draw lost-fin --at 1.5s --what diagram --out fig5.svg   Figure 5 at 1.5 s\n"
               "  tcplab draw lost-fin --step 6 --what endpoint --host server --out server.png\n"
               "  tcplab draw handshake --from 0ms --to 60ms --size 900x400 --out open.png\n"
               "The same pictures come from the visualizer: its Export menu, or tcplab-viz LAB --at T --export WHAT --out F.");
    return [a] { return run(*a); };
  }, "draw a lab's ladder, RFC 9293 Figure 5 or an endpoint at a moment, as SVG or PNG (for slides)"};
}

}  // namespace tcplab::cli
