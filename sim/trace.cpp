#include "sim/trace.hpp"

#include <nlohmann/json.hpp>

namespace tcplab {

std::string_view trace_type_name(TraceType t) {
  switch (t) {
    case TraceType::State: return "state";
    case TraceType::Send: return "send";
    case TraceType::Drop: return "drop";
    case TraceType::Deliver: return "deliver";
    case TraceType::Timer: return "timer";
    case TraceType::App: return "app";
  }
  return "?";
}

namespace {
std::string_view action_name(TimerAction a) {
  switch (a) {
    case TimerAction::Set: return "set";
    case TimerAction::Cancel: return "cancel";
    case TimerAction::Fire: return "fire";
  }
  return "?";
}
}  // namespace

std::string_view send_note(const TraceEvent& e) {
  if (e.retx_cause != RetxCause::None) return retx_cause_text(e.retx_cause);
  if (e.loss_probe) return "tail loss probe";  // of new data
  if (e.retx) return "retransmission";
  return "";
}

std::string to_json_line(const TraceEvent& e, const std::vector<std::string>& host_names) {
  // nlohmann::ordered_json keeps insertion order, so the bytes are stable run to run.
  nlohmann::ordered_json j;
  j["t_ns"] = e.t_ns;
  j["seq_no"] = e.seq_no;
  j["type"] = trace_type_name(e.type);
  const std::string host = e.host >= 0 && e.host < static_cast<int>(host_names.size()) ? host_names[e.host] : "";
  switch (e.type) {
    case TraceType::State:
      j["host"] = host;
      j["conn"] = e.conn.str();
      j["from"] = state_name(e.from);
      j["to"] = state_name(e.to);
      j["cause"] = e.cause.str();
      break;
    case TraceType::Send:
      j["host"] = host;
      j["conn"] = e.conn.str();
      j["id"] = e.id.str();
      j["kind"] = e.kind.str();
      j["flags"] = flag_letters(e.seg.flags);
      j["seq"] = e.seg.seq.raw();
      j["ack"] = e.seg.ack.raw();
      j["len"] = e.len;
      j["wnd"] = e.seg.wnd;
      j["retx"] = e.retx;
      if (e.loss_probe) j["loss_probe"] = true;  // only on probes: other lines stay as they were
      // Only on retransmissions and keep-alive / zero-window probes.
      if (e.retx_cause != RetxCause::None) j["retx_cause"] = retx_cause_name(e.retx_cause);
      break;
    case TraceType::Drop:
      j["id"] = e.id.str();
      j["where"] = e.where.str();
      j["reason"] = e.reason.str();
      break;
    case TraceType::Deliver:
      j["host"] = host;
      j["id"] = e.id.str();
      break;
    case TraceType::Timer:
      j["host"] = host;
      j["conn"] = e.conn.str();
      j["timer"] = timer_name(e.timer);
      j["action"] = action_name(e.action);
      j["deadline_ns"] = e.deadline_ns;
      break;
    case TraceType::App:
      j["host"] = host;
      j["conn"] = e.conn.str();
      j["call"] = e.call.str();
      j["result"] = e.result.str();
      if (e.bytes) j["bytes"] = e.bytes;
      break;
  }
  return j.dump();
}

}  // namespace tcplab
