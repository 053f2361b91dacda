// What every capture reader shares (libpcap's natively, ours in the browser): decoding a
// record and counting what was skipped, the report's lines, and the stream reader's loop.
#include <algorithm>

#include <fmt/format.h>

#include "import/capture_reader.hpp"
#include "import/pcap_source.hpp"

namespace tcplab::capture {
namespace {

int note_index(std::uint8_t bit) { return __builtin_ctz(bit); }

// libpcap reports LINKTYPE_RAW (101) as DLT_RAW (12): so do we, so that notes read the same.
int as_dlt(int link) { return link == kLinkRawPcap ? kLinkRaw : link; }

}  // namespace

bool deliver_frame(int link, std::int64_t sec, std::uint32_t nsec, const std::uint8_t* data, std::uint32_t caplen,
                   std::uint32_t len, const FrameFn& fn, SourceReport& r) {
  ++r.frames;
  DecodedFrame f;
  const Skip s = link_type_supported(link) ? decode_frame(link, data, caplen, f) : Skip::Unsupported;
  if (s != Skip::None) {
    const auto i = static_cast<std::size_t>(s);
    if (r.skipped[i]++ == 0) r.skipped_first[i] = r.frames;
    return true;
  }
  if (caplen < len) f.notes |= kNoteSnapCut;
  for (std::uint8_t bits = f.notes; bits; bits &= static_cast<std::uint8_t>(bits - 1)) {
    const auto i = static_cast<std::size_t>(note_index(static_cast<std::uint8_t>(bits & -bits)));
    if (r.noted[i]++ == 0) r.noted_first[i] = r.frames;
  }
  ++r.tcp;
  // A damaged (or pcapng 64-bit) timestamp is kept in range: 0 .. year 2096, so the
  // inference's arithmetic on times cannot overflow. Microseconds, as libpcap gives them.
  const Instant secs = std::clamp<Instant>(sec, 0, 4'000'000'000);
  const Instant usecs = std::min<Instant>(nsec / 1000, 999'999);
  return fn(secs * 1'000'000'000 + usecs * 1000, r.frames, f);
}

std::vector<std::string> report_lines(const SourceReport& r) {
  std::vector<std::string> out;
  if (r.link >= 0 && !link_type_supported(r.link))
    out.push_back(fmt::format("note: link type {} is not one the importer reads (Ethernet, Linux cooked SLL/SLL2, raw IP, loopback)", r.link));
  for (int i = 1; i < kSkipKinds; ++i)
    if (r.skipped[i])
      out.push_back(fmt::format("note: {} frame{} skipped: {} (first: frame {})", r.skipped[i], r.skipped[i] == 1 ? "" : "s",
                                skip_text(static_cast<Skip>(i)), r.skipped_first[i]));
  for (int i = 0; i < kNoteKinds; ++i)
    if (r.noted[i])
      out.push_back(fmt::format("note: {} TCP segment{} with {} (first: frame {})", r.noted[i], r.noted[i] == 1 ? "" : "s",
                                note_text(static_cast<std::uint8_t>(1U << i)), r.noted_first[i]));
  if (!r.stopped.empty())
    out.push_back(fmt::format("note: reading stopped after frame {}: {} (the frames before it are used)", r.frames, r.stopped));
  return out;
}

bool read_capture_stream(std::istream& in, const std::string& name, const FrameFn& fn, SourceReport& r) {
  CaptureReader reader(in);
  if (!reader.error().empty()) {
    r.error = fmt::format("'{}' is {}", name, reader.error());
    return false;
  }
  r.link = as_dlt(reader.first_link());
  CaptureRecord rec;
  while (reader.next(rec))
    if (!deliver_frame(rec.link, rec.sec, rec.nsec, rec.data, rec.caplen, rec.len, fn, r)) return true;
  r.stopped = reader.stopped();
  if (r.frames == 0 && !r.stopped.empty()) {
    r.error = fmt::format("'{}': no frame could be read: {}", name, r.stopped);
    return false;
  }
  return true;
}

}  // namespace tcplab::capture
