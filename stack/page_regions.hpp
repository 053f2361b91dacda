#pragma once
// Memory for a large, append-only structure (the trace's chunks, stack/chunked.hpp) in regions
// of 2 MiB, aligned so that the kernel can back each with one transparent huge page.
//
// Why: a traced 100 MB bulk run writes ~80 MB of trace events into fresh memory, and each 4 KiB
// page's first touch is a page fault; on these virtual machines a fault costs ~6 µs, and the
// 20,800 faults were ~40 % of the run (`perf`, `/usr/bin/time -v`). With the regions marked
// MADV_HUGEPAGE (the machines' THP setting is `madvise`) the same run takes ~850 faults. Where
// huge pages are off, or in the browser build, the regions are ordinary memory: only the
// speed differs, never what is stored.
#include <cstddef>
#include <vector>

namespace tcplab {

class PageRegions {
 public:
  static constexpr std::size_t kRegionBytes = std::size_t{2} << 20;

  PageRegions() = default;
  PageRegions(const PageRegions&) = delete;  // the owner copies its elements, not their memory
  PageRegions& operator=(const PageRegions&) = delete;
  PageRegions(PageRegions&& o) noexcept;
  PageRegions& operator=(PageRegions&& o) noexcept;
  ~PageRegions() { release(); }

  // `bytes` of room aligned to 64 bytes, valid until release(). A request larger than a
  // region gets a region of its own (a multiple of kRegionBytes). Throws std::bad_alloc.
  void* take(std::size_t bytes);
  // Gives every region back to the system.
  void release();
  std::size_t regions() const { return regions_.size(); }

 private:
  struct Region {
    void* base = nullptr;
    std::size_t bytes = 0;
  };
  std::vector<Region> regions_;
  std::size_t used_ = 0;  // bytes taken from the last region
};

}  // namespace tcplab
