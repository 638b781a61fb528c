// Large working buffers: reserved with a hint to back them with transparent huge pages.
#ifndef SALESOPS_CORE_MEMORY_HPP
#define SALESOPS_CORE_MEMORY_HPP

#include <cstddef>
#include <cstdint>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace salesops {
namespace detail {

// Buffers from this size on get the hint. glibc serves allocations above its mmap threshold
// (at most 32 MiB) with fresh pages from the kernel on every call, so a call writing such a
// buffer pays one page fault per 4 KiB page. On the VM of docs/benchmarks.md the hint took 0.5
// ns/event off the 100 M-event funnel (its fifth round, an A/B of the two commits). Below it,
// freed memory is reused and only the first call pays.
inline constexpr std::size_t huge_page_advice_bytes = std::size_t{32} << 20;

// Asks the kernel to back the whole 2 MiB pages inside [p, p + bytes) with transparent huge
// pages (Linux, with /sys/kernel/mm/transparent_hugepage/enabled at `madvise` or `always`): one
// fault per 2 MiB instead of 512. Only advice: nothing changes where the kernel ignores it, and
// the memory stays the allocator's. Call it before the buffer is first written: pages already
// faulted in stay small.
inline void advise_huge_pages(const void* p, std::size_t bytes) noexcept {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (bytes < huge_page_advice_bytes) return;
  constexpr std::uintptr_t huge = std::uintptr_t{1} << 21;
  const auto address = reinterpret_cast<std::uintptr_t>(p);
  const std::uintptr_t first = (address + huge - 1) & ~(huge - 1),
                       last = (address + bytes) & ~(huge - 1);
  if (last > first) (void)::madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
#else
  (void)p;
  (void)bytes;
#endif
}

// v.reserve(n), with the advice above for the storage when it is large.
template <class T> void reserve_large(std::vector<T>& v, std::size_t n) {
  v.reserve(n);
  advise_huge_pages(v.data(), v.capacity() * sizeof(T));
}

} // namespace detail
} // namespace salesops

#endif // SALESOPS_CORE_MEMORY_HPP
