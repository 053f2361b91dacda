#include "viz/capture_model.hpp"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "import/import_file.hpp"
#include "import/sockets.hpp"
#include "sim/capture.hpp"
#include "sim/labels.hpp"

namespace tcplab::viz {

namespace {

using capture::ConnInfo;

// The sending side of a captured segment at its capture time: its estimate from that frame.
const CaptureTcbAt* sender_at(const CaptureModel& m, const TraceEvent& e) { return m.tcb_at(e.host, e.conn, e.t_ns); }

// Each segment from its sender's send to its receiver's arrival (see the header), then the
// whole trace in time order (ties keep the import's order: a state change placed at an
// instant stays before the segment it explains).
TraceEvents drawable_trace(const CaptureModel& m, const std::vector<TraceEvent>& captured) {
  std::map<std::uint64_t, Duration> handshake_delay;  // by connection: for segments before the first RTT sample
  for (const ConnInfo& c : m.conns) handshake_delay[c.number] = c.delay;
  std::vector<TraceEvent> out;
  out.reserve(captured.size() * 2);
  for (const TraceEvent& e : captured) {
    if (e.type != TraceType::Send) {
      out.push_back(e);
      continue;
    }
    const CaptureTcbAt* s = sender_at(m, e);
    Duration d = s ? s->delay : -1;
    if (s && d <= 0) d = handshake_delay[s->conn];  // the SYN: no sample yet when it was sent
    if (d < 0 || m.capture_host.empty()) d = 0;
    const bool near = s && s->side.near;
    TraceEvent sent = e;
    if (!near) sent.t_ns = std::max<Instant>(0, e.t_ns - d);
    TraceEvent arrived;
    arrived.type = TraceType::Deliver;
    arrived.t_ns = near ? e.t_ns + d : e.t_ns;
    arrived.conn = reversed_pair(e.conn);
    arrived.id = e.id;
    arrived.kind = e.kind;
    arrived.host = -1;
    for (std::size_t h = 0; h < m.hosts.ips.size(); ++h)
      if (m.hosts.ips[h] == e.seg.dst.ip) arrived.host = static_cast<int>(h);
    out.push_back(std::move(sent));
    if (arrived.host >= 0) out.push_back(std::move(arrived));
  }
  std::stable_sort(out.begin(), out.end(), [](const TraceEvent& a, const TraceEvent& b) { return a.t_ns < b.t_ns; });
  TraceEvents trace;
  for (std::size_t k = 0; k < out.size(); ++k) {
    out[k].seq_no = k;
    trace.push_back(std::move(out[k]));
  }
  return trace;
}

}  // namespace

const std::vector<CaptureTcbAt>* CaptureModel::tcb_series(int host, const std::string& label) const {
  auto it = tcb.find({host, label});
  return it == tcb.end() ? nullptr : &it->second;
}

const CaptureTcbAt* CaptureModel::tcb_at(int host, const std::string& label, Instant t) const {
  const auto* v = tcb_series(host, label);
  if (!v) return nullptr;
  auto it = std::upper_bound(v->begin(), v->end(), t, [](Instant x, const CaptureTcbAt& a) { return x < a.t; });
  return it == v->begin() ? nullptr : &*std::prev(it);
}

std::vector<CwndSample> CaptureModel::flight_series(int host, const std::string& label) const {
  std::vector<CwndSample> out;
  const auto* v = tcb_series(host, label);
  if (!v) return out;
  for (const CaptureTcbAt& a : *v) {
    CwndSample s;
    s.t_ns = a.t;
    s.flight = a.side.snd_nxt - a.side.snd_una;  // modulo 2^32: the sequence space wraps
    s.snd_wnd = static_cast<std::uint32_t>(std::min<std::uint64_t>(a.peer_wnd, UINT32_MAX));
    s.ssthresh = UINT32_MAX;  // unknown: not drawn
    s.rtt = a.side.rtt_samples ? a.side.rtt_last : 0;
    if (!out.empty() && out.back().flight == s.flight && out.back().snd_wnd == s.snd_wnd && out.back().rtt == s.rtt) continue;
    if (out.size() >= kMaxCwndSamples) break;
    out.push_back(s);
  }
  return out;
}

std::vector<CaptureSocketRow> CaptureModel::sockets_at(std::uint64_t cursor) const {
  // A segment counts for its sender when sent and for its receiver when it arrives.
  capture::CaptureSockets socks;
  std::map<std::string, std::uint64_t> sent_by_id;  // the send each deliver is the arrival of
  for (std::uint64_t k = 0; k < cursor && k < trace.size(); ++k) {
    const TraceEvent& e = trace[k];
    if (e.type == TraceType::Send) {
      socks.sent(e);
      sent_by_id[e.id] = k;
    } else if (e.type == TraceType::Deliver) {
      if (auto it = sent_by_id.find(e.id); it != sent_by_id.end()) socks.arrived(trace[it->second]);
    } else {
      socks.event(e);
    }
  }
  std::vector<CaptureSocketRow> out;
  for (int h : socks.hosts())
    for (const SocketRow& r : socks.rows(h))
      out.push_back({r, r.listener ? std::string() : socks.label(h, r.conn)});
  return out;
}

std::string CaptureModel::address_text(Ipv4 key) const {
  auto it = v6_text.find(key);
  return it != v6_text.end() ? it->second : ip_to_string(key);
}

std::string CaptureModel::endpoint_text(const Endpoint& e) const {
  if (v6_text.count(e.ip)) return address_text(e.ip) + ":" + std::to_string(e.port);  // as net-tools writes it
  return endpoint_to_string(e);
}

bool is_capture_file(const std::string& path) { return capture::looks_like_capture(path); }

std::shared_ptr<const CaptureModel> load_capture(const std::string& path) {
  auto m = std::make_shared<CaptureModel>();
  m->path = path;
  m->name = std::filesystem::path(path).stem().string();
  std::vector<TraceEvent> captured;
  capture::ImportRequest req;
  req.path = path;
  const capture::AddressBook* book = nullptr;
  std::size_t samples = 0;
  auto learn_hosts = [&] {  // the book grows as hosts appear: keep their names and keys
    for (int h = static_cast<int>(m->hosts.ips.size()); h < static_cast<int>(book->host_names().size()); ++h) {
      const Ipv4 key = book->host_key(h).value_or(0);
      m->hosts.names.push_back(book->host_names()[static_cast<std::size_t>(h)]);
      m->hosts.tags.push_back(h < 26 ? std::string(1, static_cast<char>('A' + h)) : "H" + std::to_string(h));
      m->hosts.ips.push_back(key);
      if (book->is_v6(key)) m->v6_text[key] = book->text(key);
    }
  };
  const capture::ImportSummary s = capture::import_capture(
      req, [&](const TraceEvent& e) { captured.push_back(e); },
      [&](const ConnInfo& c) { m->conns.push_back(c); }, &book,
      [&](const ConnInfo& c) {
        learn_hosts();
        if (samples >= CaptureModel::kMaxTcbSamples) {
          m->tcb_truncated = true;
          return;
        }
        for (std::size_t k = 0; k < 2; ++k) {
          CaptureTcbAt a;
          a.t = c.last;
          a.side = c.side[k];
          a.peer_wnd = c.side[1 - k].wnd_bytes;
          a.peer_iss = c.side[1 - k].iss;
          a.delay = c.delay_now;
          a.conn = c.number;
          m->tcb[{c.side[k].host, c.side_label[k]}].push_back(std::move(a));
          ++samples;
        }
      });
  if (!s.ok) throw std::runtime_error(path + ": " + s.error);
  if (s.source.tcp == 0) throw std::runtime_error(path + ": no TCP segment in " + std::to_string(s.source.frames) + " frames");
  for (const ConnInfo& c : s.live) m->conns.push_back(c);
  std::sort(m->conns.begin(), m->conns.end(), [](const ConnInfo& a, const ConnInfo& b) { return a.number < b.number; });
  m->capture_host = s.capture_host;
  m->notes = s.notes;
  m->frames = s.source.frames;
  m->segments = s.source.tcp;
  m->capture_note = s.notes.back();
  // Times from the first frame, as Wireshark shows them by default (the clock time is the origin's).
  m->origin = s.first;
  for (TraceEvent& e : captured) e.t_ns = std::max<Instant>(0, e.t_ns - m->origin);
  for (auto& [key, v] : m->tcb)
    for (CaptureTcbAt& a : v) a.t = std::max<Instant>(0, a.t - m->origin);  // import_capture's last note: where the capture was taken
  m->trace = drawable_trace(*m, captured);
  return m;
}

}  // namespace tcplab::viz
