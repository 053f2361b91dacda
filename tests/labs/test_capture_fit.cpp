// Issue 21: capture -> lab fitted by replaying it (labs/capture_fit.hpp): the far side's
// segments lost before the capture point, which the capture cannot show, found by running
// the lab and comparing its capture with the real one.
#include <doctest/doctest.h>

#include <map>

#include "labs/capture_fit.hpp"
#include "labs/runner.hpp"
#include "sim/capture.hpp"

using namespace tcplab;

namespace {

// A 4-segment transfer over 10 ms each way (or `bytes`, and the link's other keys); the server
// acknowledges every second segment.
std::string transfer_lab(const std::string& faults, std::uint32_t bytes = 5792, const std::string& link = "") {
  return "title = \"t\"\nseed = 1\nuntil = \"5s\"\nfaults = [" + faults +
         "]\n"
         "[[host]]\nname = \"client\"\nip = \"10.0.0.1\"\n"
         "[[host]]\nname = \"server\"\nip = \"10.0.0.2\"\n"
         "[link]\ndelay = \"10ms\"\n" + link +
         "[[app]]\nhost = \"server\"\nscript = [\"listen 5001\", \"accept\", \"recv all\", \"close\"]\n"
         "[[app]]\nhost = \"client\"\nstart = \"1ms\"\nscript = [\"connect server 5001 from 40000\", \"send " +
         std::to_string(bytes) + "\", \"close\"]\n";
}

// What a capture at `host` of that run would give `tcplab import`: each segment at its capture
// time, numbered per direction in the order the capture saw them.
std::vector<TraceEvent> captured_at(const LabRun& run, int host) {
  std::vector<TraceEvent> sends;
  std::map<std::string, std::uint32_t> seen;
  for_each_captured(run.sink->events, run.lab.hosts.size(), host, [&](const CapturedFrame& f) {
    TraceEvent e = run.sink->events[f.send];
    e.t_ns = f.t_ns;
    const std::string dir = std::string(e.id).substr(0, std::string(e.id).find('#'));
    e.id = dir + "#" + std::to_string(++seen[dir]);
    sends.push_back(e);
  });
  return sends;
}

std::vector<std::string> ids_sent(const LabRun& run, const char* from) {
  std::vector<std::string> ids;
  for (const TraceEvent& e : run.sink->events)
    if (e.type == TraceType::Send && std::string(e.id).starts_with(from)) ids.push_back(std::string(e.id) + " " + std::string(e.kind));
  return ids;
}

CaptureLabInput input_from(const std::vector<TraceEvent>& sends, int near) {
  CaptureLabInput in;
  in.capture = "t.pcap";
  in.sends = sends;
  in.addresses = {"10.0.0.1", "10.0.0.2"};
  in.near = near;
  in.rtt = ms(20);
  return in;
}

}  // namespace

TEST_CASE("capture -> lab fit: the server's ACK lost before the client's capture point is found by replaying the lab") {
  const LabRun real = run_lab(parse_lab(transfer_lab("\"drop B>A#2\""), "real.toml"), std::nullopt, false);
  // The server's second segment is its ACK of the first two data segments.
  REQUIRE(ids_sent(real, "B>A").size() >= 3);
  REQUIRE(ids_sent(real, "B>A")[1] == "B>A#2 ACK");
  const std::vector<TraceEvent> sends = captured_at(real, 0);
  const CaptureLabInput in = input_from(sends, 0);

  // Without the fit the lab's replay has that ACK, which the capture lacks.
  const LabRun plain = run_lab(parse_lab(capture_lab_toml(in), "plain.toml"), std::nullopt, false);
  const auto want = captured_segments(sends);
  const auto plain_got = captured_segments(captured_at(plain, 0));
  REQUIRE(first_difference(want, plain_got) < want.size());
  CHECK_FALSE(plain_got[first_difference(want, plain_got)].from_opener);

  const CaptureFit fit = fit_capture_lab(in);
  CHECK(fit.rules == std::vector<std::string>{"drop B>A#2"});
  CHECK(fit.captured == want.size());
  CHECK(fit.replayed == want.size());
  CHECK(fit.toml.find("\"drop B>A#2\"") != std::string::npos);
  CHECK(fit.toml.find("found by replaying this lab") != std::string::npos);
  const LabRun fitted = run_lab(parse_lab(fit.toml, "fitted.toml"), std::nullopt, false);
  CHECK(captured_segments(captured_at(fitted, 0)) == want);
}

TEST_CASE("capture -> lab fit: the client's data lost before the server's capture point, numbered as the client sent it") {
  // The client's 4th segment is its second data segment; the server's capture never has it,
  // and its copy later is the first the server sees of those bytes.
  const LabRun real = run_lab(parse_lab(transfer_lab("\"drop A>B#4\""), "real.toml"), std::nullopt, false);
  REQUIRE(ids_sent(real, "A>B")[3] == "A>B#4 DATA");
  const std::vector<TraceEvent> sends = captured_at(real, 1);
  const CaptureFit fit = fit_capture_lab(input_from(sends, 1));
  CHECK(fit.rules == std::vector<std::string>{"drop A>B#4"});
  CHECK(fit.replayed == fit.captured);
}

TEST_CASE("capture -> lab fit: a capture that replays as it is gets no rule, one on the path is not fitted") {
  const LabRun real = run_lab(parse_lab(transfer_lab(""), "real.toml"), std::nullopt, false);
  const std::vector<TraceEvent> sends = captured_at(real, 0);
  const CaptureFit fit = fit_capture_lab(input_from(sends, 0));
  CHECK(fit.rules.empty());
  CHECK(fit.replayed == fit.captured);
  CHECK(fit.toml == capture_lab_toml(input_from(sends, 0)));
  const CaptureFit on_path = fit_capture_lab(input_from(sends, -1));
  CHECK(on_path.rules.empty());
  CHECK(on_path.replayed == 0);
}

TEST_CASE("capture -> lab fit: a far side whose timing no one-connection lab makes replays as captured, as a script") {
  // Up to 8 ms of random extra delay on every segment: the server's ACKs reach the client's
  // capture when no fixed path would bring them, and the client's sending follows them.
  const LabRun real = run_lab(parse_lab(transfer_lab("", 200'000, "jitter = \"8ms\"\n"), "real.toml"), std::nullopt, false);
  const std::vector<TraceEvent> sends = captured_at(real, 0);
  const CaptureLabInput in = input_from(sends, 0);
  const auto want = captured_segments(sends);
  const LabRun plain = run_lab(parse_lab(capture_lab_toml(in), "plain.toml"), std::nullopt, false);
  REQUIRE(first_difference(want, captured_segments(captured_at(plain, 0))) < want.size());

  const CaptureFit fit = fit_capture_lab(in);
  CHECK(fit.far_scripted);
  CHECK(fit.replayed == want.size());
  // The server is a script that sends the capture's segments and checks nothing it receives.
  CHECK(fit.toml.find("[app.peer]\ntarget = \"client\"\nport = 40000\nown_port = 5001\ncheck_arrivals = false\n") != std::string::npos);
  CHECK(fit.toml.find("listen 5001") == std::string::npos);
  CHECK(fit.toml.find("kind = \"peer\"\nhost = \"server\"") != std::string::npos);
  const LabRun fitted = run_lab(parse_lab(fit.toml, "fitted.toml"), std::nullopt, true);
  CHECK(captured_segments(captured_at(fitted, 0)) == want);
  REQUIRE(fitted.results.size() == 1);
  CHECK(fitted.all_passed());  // the server's script ran to its end
}

TEST_CASE("capture -> lab fit: a capture host whose PSH no application's calls give replays as captured, the far side a stack") {
  // Linux marks PSH inside a long write (tests/pkt/scripts/b-psh-inside-write.pkt); tcplab only
  // where a segment reaches the end of what was written. The client's capture with PSH on its
  // 2nd data segment, as a Linux client's might show it.
  const LabRun real = run_lab(parse_lab(transfer_lab(""), "real.toml"), std::nullopt, false);
  std::vector<TraceEvent> sends = captured_at(real, 0);
  std::size_t data = 0, marked = 0;
  for (std::size_t i = 0; i < sends.size(); ++i)
    if (std::string(sends[i].id).starts_with("A>B") && sends[i].len > 0 && ++data == 2) {
      REQUIRE_FALSE(sends[i].seg.has(kPsh));
      sends[i].seg.flags |= kPsh;
      marked = i;
    }
  REQUIRE(marked > 0);
  const CaptureLabInput in = input_from(sends, 0);
  const auto want = captured_segments(sends);
  const LabRun plain = run_lab(parse_lab(capture_lab_toml(in), "plain.toml"), std::nullopt, false);
  CHECK(first_difference(want, captured_segments(captured_at(plain, 0))) == marked);

  const CaptureFit fit = fit_capture_lab(in);
  CHECK(fit.near_scripted);
  CHECK_FALSE(fit.far_scripted);
  CHECK(fit.replayed == want.size());
  // The client is a script that sends the capture's segments, each after what the capture shows
  // arriving before it, and checks those; the server keeps its stack and application.
  CHECK(fit.toml.find("[app.peer]\ntarget = \"server\"\nport = 5001\nown_port = 40000\nscript = ") != std::string::npos);
  CHECK(fit.toml.find("check_arrivals") == std::string::npos);
  CHECK(fit.toml.find("\"listen 5001\", \"accept\"") != std::string::npos);
  const LabRun fitted = run_lab(parse_lab(fit.toml, "fitted.toml"), std::nullopt, true);
  CHECK(captured_segments(captured_at(fitted, 0)) == want);
  REQUIRE(fitted.results.size() == 1);
  CHECK(fitted.all_passed());  // every server segment the client's script expected came as captured
}

TEST_CASE("capture -> lab fit: a far side that ACKed back-to-back segments once each run replays with its tcp.gro") {
  // The server's kernel merges what arrives back to back (GRO, or its socket backlog): the
  // client's flight of four segments reaches its TCP as one segment, ACKed once, where a
  // receiver without it ACKs every second segment.
  std::string lab = transfer_lab("");
  const std::string server = "name = \"server\"\nip = \"10.0.0.2\"\n";
  REQUIRE(lab.find(server) != std::string::npos);
  lab.replace(lab.find(server), server.size(), server + "tcp = { gro = \"20us\" }\n");
  const LabRun real = run_lab(parse_lab(lab, "real.toml"), std::nullopt, false);
  const std::vector<TraceEvent> sends = captured_at(real, 0);
  const CaptureLabInput in = input_from(sends, 0);
  const auto want = captured_segments(sends);
  CHECK(far_gro_candidate(in) == us(1));  // the flight left in one instant
  const LabRun plain = run_lab(parse_lab(capture_lab_toml(in), "plain.toml"), std::nullopt, false);
  CHECK(first_difference(want, captured_segments(captured_at(plain, 0))) < want.size());

  const CaptureFit fit = fit_capture_lab(in);
  CHECK(fit.far_gro == us(1));
  CHECK(fit.replayed == want.size());
  CHECK(fit.toml.find("tcp = { gro = \"1us\" }") != std::string::npos);
  const LabRun fitted = run_lab(parse_lab(fit.toml, "fitted.toml"), std::nullopt, false);
  CHECK(captured_segments(captured_at(fitted, 0)) == want);
}
