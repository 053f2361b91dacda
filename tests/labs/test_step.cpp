// Predict-then-step: the items of the handshake lab, field-by-field scoring, and `tcplab step`
// driven through stdin with right and wrong predictions.
#include <doctest/doctest.h>

#include "labs/checks.hpp"
#include "labs/step.hpp"
#include "lab_fixture.hpp"

using namespace tcplab;
using labtest::contains;

namespace {


std::vector<StepItem> handshake_items() {
  static const LabRun run = run_lab(load_lab("handshake"), std::nullopt, false);
  return step_items(run);
}

const StepItem& item_at(const std::vector<StepItem>& items, std::uint64_t seq_no) {
  for (const auto& it : items)
    if (it.seq_no == seq_no && it.what != StepItem::What::Question) return it;
  FAIL("no item [" << seq_no << "]");
  return items.front();
}

std::string last_line(const std::string& s) {
  std::string t = s;
  while (!t.empty() && t.back() == '\n') t.pop_back();
  return t.substr(t.rfind('\n') + 1);
}

}  // namespace

TEST_SUITE("step: items") {
  TEST_CASE("the handshake's first events: LISTEN, SYN_SENT, the SYN, SYN_RECEIVED, the SYN-ACK") {
    const auto items = handshake_items();
    REQUIRE(items.size() >= 5);
    CHECK(items[0].what == StepItem::What::State);
    CHECK(items[0].answer == "LISTEN");
    CHECK(items[0].prompt == "[1] next: server 10.0.0.2:9502 \u2014 predict the next segment (flags seq ack len) or state:");
    CHECK(items[1].answer == "SYN_SENT");
    CHECK(items[1].prompt.rfind("[2] next: client 10.0.0.1:39870 \u2014", 0) == 0);
    CHECK(items[2].what == StepItem::What::Segment);
    CHECK(items[2].answer == "S 0 - 0");
    CHECK(items[3].answer == "SYN_RECEIVED (netstat: SYN_RECV)");
    CHECK(items[4].answer == "S. 0 1 0");
    CHECK(contains(items[4].why, "acknowledges client's SYN: ack = its ISN + 1 = 1"));
    CHECK(contains(items[4].line, "Flags [S.]"));
  }

  TEST_CASE("the data segments and the FINs in relative numbers, with the reason for each number") {
    const auto items = handshake_items();
    std::vector<std::string> segs;
    for (const auto& it : items)
      if (it.what == StepItem::What::Segment) segs.push_back(it.answer);
    const std::vector<std::string> want = {"S 0 - 0",  "S. 0 1 0", ". 1 1 0",  "P. 1 1 7",  ". 1 8 0",
                                           "P. 1 8 18", ". 8 19 0", "F. 8 19 0", "F. 19 9 0", ". 9 20 0"};
    // Three segments for the close: the server's FIN carries the delayed ACK of the client's.
    CHECK(segs == want);
    // Issue 18: the client's last ACK comes after 7 data bytes and its FIN, not 8 data bytes.
    for (const auto& it : items)
      if (it.answer == ". 9 20 0") {
        CHECK(contains(it.why, "seq 9 = SND.NXT: 1 for the SYN + 7 data bytes + 1 for its FIN client sent before."));
      } else if (it.answer == "F. 8 19 0") {
        CHECK(contains(it.why, "seq 8 = SND.NXT: 1 for the SYN + 7 data bytes client sent before."));
      }
    for (const auto& it : items)
      if (it.what == StepItem::What::Segment && it.answer == ". 9 20 0")
        CHECK(contains(it.why, "ack 20 = RCV.NXT, the next number client expects from server: its SYN (1) + 18 data bytes + its FIN (1)"));
  }
}

TEST_SUITE("step: scoring") {
  TEST_CASE("a right segment scores every field") {
    const auto items = handshake_items();
    const auto s = score_answer(item_at(items, 8), "S. 0 1 0");
    CHECK(s.points == 4);
    CHECK(s.max_points == 4);
    CHECK(s.verdict == "flags S. right, seq 0 right, ack 1 right, len 0 right");
  }

  TEST_CASE("a wrong ack costs one field and says what was said") {
    const auto s = score_answer(item_at(handshake_items(), 8), "S. 0 0 0");
    CHECK(s.points == 3);
    CHECK(s.verdict == "flags S. right, seq 0 right, ack 1 wrong (you said 0), len 0 right");
  }

  TEST_CASE("'-' skips a field; it scores nothing, except as the ack of a SYN") {
    const auto items = handshake_items();
    auto s = score_answer(item_at(items, 8), "S. - - 0");
    CHECK(s.points == 2);
    CHECK(s.verdict == "flags S. right, seq 0 skipped, ack 1 skipped, len 0 right");
    s = score_answer(item_at(items, 4), "S 0 - 0");
    CHECK(s.points == 4);
    s = score_answer(item_at(items, 4), "S 0 0 0");
    CHECK(s.points == 4);
    s = score_answer(item_at(items, 4), "");
    CHECK(s.points == 0);
    CHECK(s.verdict == "skipped");
  }

  TEST_CASE("tcpdump's seq range answers len too") {
    const auto items = handshake_items();
    const StepItem* data = nullptr;
    for (const auto& it : items)
      if (it.what == StepItem::What::Segment && it.answer == "P. 1 1 7") data = &it;
    REQUIRE(data);
    CHECK(score_answer(*data, "P. 1:8 1").points == 4);
    CHECK(score_answer(*data, "[P.] 1:9 1").points == 3);
    CHECK(score_answer(*data, ". 1 1 7").points == 3);  // PSH is part of the flags
  }

  TEST_CASE("states: either spelling; a segment where a state comes is wrong, and the other way round") {
    const auto items = handshake_items();
    CHECK(score_answer(item_at(items, 7), "SYN_RECV").points == 1);
    CHECK(score_answer(item_at(items, 7), "syn-received").points == 1);
    auto s = score_answer(item_at(items, 7), "ESTABLISHED");
    CHECK(s.points == 0);
    CHECK(s.verdict == "wrong (you said ESTABLISHED)");
    s = score_answer(item_at(items, 7), "S. 0 1 0");
    CHECK(s.verdict == "wrong: the next event is a state change, not a segment (at the same instant a state change "
                       "comes before the segment it sends)");
    s = score_answer(item_at(items, 8), "SYN_RECEIVED");
    CHECK(s.points == 0);
    CHECK(contains(s.verdict, "the next event is a segment, not a state change"));
  }

  TEST_CASE("feedback shows the answer, the trace line and the rule") {
    const auto items = handshake_items();
    const StepItem& it = item_at(items, 8);
    const std::string f = step_feedback(it, score_answer(it, "S. 0 0 0"), false);
    CHECK(contains(f, "  answer: S. 0 1 0\n"));
    CHECK(contains(f, "IP 10.0.0.2.9502 > 10.0.0.1.39870: Flags [S.]"));
    CHECK(contains(f, "why: a SYN-ACK carries server's own ISN"));
    CHECK(contains(f, ": 3/4"));
  }
}

TEST_SUITE("step: questions") {
  TEST_CASE("a [[question]] is asked just before its segment, and scored") {
    const std::string lab = labtest::handshake_lab(
        "[[question]]\nat = \"B>A#1\"\ntext = \"What will the SYN-ACK acknowledge (relative)?\"\nanswer = \"1\"\n"
        "[[question]]\ntext = \"Who closes first?\"\nanswer = \"the client\"\n");
    const LabRun run = run_lab(parse_lab(lab, "q.toml"), std::nullopt, false);
    const auto items = step_items(run);
    std::size_t q = items.size();
    for (std::size_t i = 0; i < items.size(); ++i)
      if (items[i].what == StepItem::What::Question) {
        q = i;
        break;
      }
    REQUIRE(q + 1 < items.size());
    CHECK(items[q].prompt == "[Q1] What will the SYN-ACK acknowledge (relative)?");
    CHECK(items[q + 1].answer == "S. 0 1 0");
    CHECK(score_answer(items[q], " 1 ").points == 1);
    CHECK(score_answer(items[q], "2").points == 0);
    // A question without `at` comes at the end.
    CHECK(items.back().prompt == "[Q2] Who closes first?");
    CHECK(score_answer(items.back(), "The  Client").points == 1);
  }
}

TEST_SUITE("step: questions beyond the exact text (issue 18)") {
  // The last item is the question (no `at`): asked at the end.
  static StepItem last_question(const std::string& question) {
    const LabRun run = run_lab(parse_lab(labtest::handshake_lab(question), "q.toml"), std::nullopt, false);
    const auto items = step_items(run);
    REQUIRE(items.back().what == StepItem::What::Question);
    return items.back();
  }

  TEST_CASE("multiple choice: the choices are shown with the question; the number or the text is right") {
    const std::string by_number = "[[question]]\ntext = \"Which side goes through TIME_WAIT?\"\n"
                                  "choices = [\"the server\", \"the client\", \"neither\"]\nanswer = 2\n";
    const StepItem q = last_question(by_number);
    CHECK(q.prompt == "[Q1] Which side goes through TIME_WAIT?\n    1) the server\n    2) the client\n    3) neither\n"
                      "  your choice (1-3):");
    CHECK(q.answer == "2) the client");
    CHECK(score_answer(q, "2").points == 1);
    CHECK(score_answer(q, " 2) ").points == 1);
    CHECK(score_answer(q, "The  Client").points == 1);
    CHECK(score_answer(q, "1").points == 0);
    CHECK(score_answer(q, "4").points == 0);
    CHECK(score_answer(q, "the server").points == 0);
    CHECK(score_answer(q, "").verdict == "skipped");
    // The right choice named by its text: the same question.
    const StepItem t = last_question("[[question]]\ntext = \"Which side goes through TIME_WAIT?\"\n"
                                     "choices = [\"the server\", \"the client\", \"neither\"]\nanswer = \"the client\"\n");
    CHECK(t.answer == "2) the client");
    CHECK(score_answer(t, "2").points == 1);
    CHECK(score_answer(t, "3").points == 0);
  }

  TEST_CASE("keywords: every entry must appear, in any case, each entry with alternatives separated by |") {
    const StepItem q = last_question("[[question]]\ntext = \"Why does the client wait before CLOSED?\"\n"
                                     "keywords = [\"TIME_WAIT\", \"2MSL|twice the MSL\"]\n");
    CHECK(q.answer == "an answer naming \"TIME_WAIT\" and (\"2MSL\" or \"twice the MSL\")");
    CHECK(score_answer(q, "It stays in time_wait for 2MSL").points == 1);
    CHECK(score_answer(q, "in TIME_WAIT, for Twice  the MSL, so old duplicates die").points == 1);
    CHECK(score_answer(q, "it waits for 2MSL").points == 0);        // TIME_WAIT missing
    CHECK(score_answer(q, "TIME_WAIT for a while").points == 0);    // no duration
    CHECK(score_answer(q, "").points == 0);
  }

  TEST_CASE("pattern: an ECMAScript regular expression, case-insensitive, found anywhere") {
    const StepItem q = last_question("[[question]]\ntext = \"How long does TIME_WAIT last here?\"\n"
                                     "pattern = '(2\\s*\\*?\\s*msl|20\\s*s(ec(ond)?s?)?\\b)'\n");
    CHECK(q.answer == "an answer matching /(2\\s*\\*?\\s*msl|20\\s*s(ec(ond)?s?)?\\b)/ (case-insensitive)");
    CHECK(score_answer(q, "2*MSL").points == 1);
    CHECK(score_answer(q, "about 20 seconds").points == 1);
    CHECK(score_answer(q, "2 msl, i.e. 20s").points == 1);
    CHECK(score_answer(q, "one minute").points == 0);
  }

  TEST_CASE("an exact answer still needs the text (case and spacing aside)") {
    const StepItem q = last_question("[[question]]\ntext = \"Who closes first?\"\nanswer = \"the client\"\n");
    CHECK(q.answer == "the client");
    CHECK(score_answer(q, "THE client").points == 1);
    CHECK(score_answer(q, "the client, of course").points == 0);
  }
}

TEST_SUITE("step: numbering and order (issue 18)") {
  TEST_CASE("items are numbered 1, 2, 3, ... without gaps; a question's numeric `at` is that number") {
    const auto items = handshake_items();
    std::size_t n = 0;
    for (const auto& it : items) {
      if (it.what == StepItem::What::Question) continue;
      ++n;
      CHECK(it.prompt.rfind("[" + std::to_string(n) + "] next: ", 0) == 0);
    }
    CHECK(n == 21);
    const std::string lab = labtest::handshake_lab("[[question]]\nat = \"3\"\ntext = \"What comes next?\"\nanswer = \"a SYN\"\n");
    const auto qi = step_items(run_lab(parse_lab(lab, "q.toml"), std::nullopt, false));
    REQUIRE(qi.size() > 3);
    CHECK(qi[2].prompt == "[Q1] What comes next?");
    CHECK(qi[3].prompt.rfind("[3] next: client", 0) == 0);
    CHECK(qi[3].answer == "S 0 - 0");
  }

  TEST_CASE("simultaneous close: the ACK of the crossing FIN counts the FIN, not a data byte") {
    const LabRun run = run_lab(load_lab("simultaneous-close"), std::nullopt, false);
    bool seen = false;
    for (const auto& it : step_items(run))
      if (it.answer == ". 2 2 0") {
        seen = true;
        CHECK(contains(it.why, "seq 2 = SND.NXT: 1 for the SYN + 0 data bytes + 1 for its FIN"));
        CHECK(!contains(it.why, "1 data bytes"));
      }
    CHECK(seen);
  }

  TEST_CASE("the session states the order of a state change and its segment at the same instant") {
    const auto r = labtest::tcplab_cmd("step handshake", "");
    CHECK(contains(r.out, "At the same instant a state change comes before the segment it sends"));
  }
}

TEST_SUITE("step: the command") {
  TEST_CASE("tcplab step scores predictions read from stdin, right and wrong") {
    // LISTEN right (1); SYN_SENT right (1); the SYN right (4); SYN_RECV right (1); the SYN-ACK with a
    // wrong ack (3 of 4);
    // a wrong state (0 of 1); then end of input: 10/12.
    const auto r = labtest::tcplab_cmd("step handshake", "LISTEN\nSYN_SENT\nS 0 - 0\nSYN_RECV\nS. 0 0 0\nCLOSED\n");
    CHECK(r.rc == 0);
    CHECK(r.err.empty());
    CHECK(contains(r.out, "SEED=1\n"));
    CHECK(contains(r.out, "[5] next: server 10.0.0.2:9502 \u2014 predict the next segment (flags seq ack len) or state: S. 0 0 0\n"
                          "  flags S. right, seq 0 right, ack 1 wrong (you said 0), len 0 right: 3/4\n"
                          "  answer: S. 0 1 0\n"));
    CHECK(contains(r.out, "  wrong (you said CLOSED): 0/1\n  answer: ESTABLISHED\n"));
    CHECK(contains(r.out, "stopped at end of input after 6 of 21 events predicted\n"));
    CHECK(last_line(r.out) == "score: 10/12");
  }

  TEST_CASE("tcplab step with no input at all ends gracefully with 0/0") {
    const auto r = labtest::tcplab_cmd("step handshake", "");
    CHECK(r.rc == 0);
    CHECK(last_line(r.out) == "score: 0/0");
  }

  TEST_CASE("tcplab step through the whole lab with every answer right") {
    const auto items = handshake_items();
    std::string input;
    for (const auto& it : items) input += it.answer.substr(0, it.answer.find(" (netstat")) + "\n";
    const auto r = labtest::tcplab_cmd("step handshake --student s1", input);
    CHECK(r.rc == 0);
    CHECK(contains(r.out, "done: 21 of 21 events predicted\n"));
    CHECK(last_line(r.out) == "score: 51/51");
    CHECK(contains(r.out, "TIME_WAIT -> CLOSED"));
  }

  TEST_CASE("tcplab step on a bad lab is bad input") {
    const auto r = labtest::tcplab_cmd("step no-such-lab");
    CHECK(r.rc == 2);
  }
}
