// PcapWriter for the WebAssembly build: the same file as the libtins writer (pcap.cpp),
// written with the plain record functions (tests/wire/test_encode_plain.cpp compares them).
// In the page the file goes to the in-memory file system and is then offered as a download.
#include <cerrno>
#include <cstring>
#include <fstream>

#include "stack/wire/codec.hpp"
#include "stack/wire/encode_plain.hpp"
#include "stack/wire/pcap.hpp"

namespace tcplab {

struct PcapWriter::Impl {
  std::ofstream out;
};

PcapWriter::PcapWriter(const std::string& path) {
  const std::string what = "cannot open pcap file '" + path + "' for writing";
  if (path.empty()) {
    error_ = what + ": empty path";
    return;
  }
  impl_ = std::make_unique<Impl>();
  errno = 0;
  impl_->out.open(path, std::ios::binary | std::ios::trunc);
  if (!impl_->out) {
    const int e = errno;
    error_ = what + ": " + (e != 0 ? std::string(std::strerror(e)) : std::string("open failed"));
    impl_.reset();
    return;
  }
  impl_->out << pcap_file_header_raw();
}

PcapWriter::~PcapWriter() = default;
PcapWriter::PcapWriter(PcapWriter&&) noexcept = default;
PcapWriter& PcapWriter::operator=(PcapWriter&&) noexcept = default;

void PcapWriter::close() { impl_.reset(); }

void PcapWriter::write(const Segment& seg, std::int64_t t_ns, std::uint16_t ip_id) {
  if (!impl_) return;
  const std::vector<std::uint8_t> bytes = encode_ipv4(seg, ip_id);
  if (bytes.empty()) return;
  std::string rec;
  append_pcap_record(rec, bytes, t_ns);
  impl_->out << rec;
  if (!impl_->out && error_.empty()) error_ = "pcap write failed";
  ++written_;
}

}  // namespace tcplab
