#include "stack/page_regions.hpp"

#include <cstdint>
#include <new>
#include <utility>

#ifndef __EMSCRIPTEN__
#include <sys/mman.h>
#endif

namespace tcplab {

namespace {

constexpr std::size_t kTakeAlign = 64;

std::size_t round_up(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }

#ifndef __EMSCRIPTEN__
// mmap gives page alignment only: map one region more than asked, keep the aligned part.
void* map_region(std::size_t bytes) {
  const std::size_t align = PageRegions::kRegionBytes;
  void* raw = mmap(nullptr, bytes + align, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  const auto start = reinterpret_cast<std::uintptr_t>(raw);
  const std::uintptr_t aligned = round_up(start, align);
  if (aligned > start) munmap(raw, aligned - start);
  const std::size_t tail = (start + bytes + align) - (aligned + bytes);
  if (tail > 0) munmap(reinterpret_cast<void*>(aligned + bytes), tail);
  void* base = reinterpret_cast<void*>(aligned);
  madvise(base, bytes, MADV_HUGEPAGE);  // a hint: refused (THP off) is fine
  return base;
}
void unmap_region(void* base, std::size_t bytes) { munmap(base, bytes); }
#else
void* map_region(std::size_t bytes) { return ::operator new(bytes, std::align_val_t(kTakeAlign)); }
void unmap_region(void* base, std::size_t) { ::operator delete(base, std::align_val_t(kTakeAlign)); }
#endif

}  // namespace

PageRegions::PageRegions(PageRegions&& o) noexcept
    : regions_(std::exchange(o.regions_, {})), used_(std::exchange(o.used_, 0)) {}

PageRegions& PageRegions::operator=(PageRegions&& o) noexcept {
  if (this != &o) {
    release();
    regions_ = std::exchange(o.regions_, {});
    used_ = std::exchange(o.used_, 0);
  }
  return *this;
}

void* PageRegions::take(std::size_t bytes) {
  bytes = round_up(bytes, kTakeAlign);
  if (regions_.empty() || used_ + bytes > regions_.back().bytes) {
    const std::size_t size = round_up(bytes, kRegionBytes);
    regions_.reserve(regions_.size() + 1);  // so that a throw below leaks nothing
    regions_.push_back({map_region(size), size});
    used_ = 0;
  }
  void* p = static_cast<char*>(regions_.back().base) + used_;
  used_ += bytes;
  return p;
}

void PageRegions::release() {
  for (const Region& r : regions_) unmap_region(r.base, r.bytes);
  regions_.clear();
  used_ = 0;
}

}  // namespace tcplab
