// Tests for salesops/core/memory.hpp: reserve_large reserves as reserve does, and on Linux
// marks the storage of large buffers (and only theirs) for transparent huge pages. Reference:
// the kernel's own record of the advice, the flag "hg" in the mapping's VmFlags line of
// /proc/self/smaps (Documentation/filesystems/proc.rst).
#include <salesops/core/memory.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {
// The VmFlags line of the mapping that holds `address` ("" when there is none).
std::string vm_flags_at(std::uintptr_t address) {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool holds = false;
  while (std::getline(smaps, line)) {
    std::uintmax_t start = 0, end = 0;
    char dash = 0;
    std::istringstream header(line);
    if (header >> std::hex >> start >> dash >> end && dash == '-') { // "start-end perms ..."
      holds = start <= address && address < end;
      continue;
    }
    if (holds && line.rfind("VmFlags:", 0) == 0) return line + " ";
  }
  return "";
}

bool has_huge_page_flag(const std::string& flags) {
  return flags.find(" hg ") != std::string::npos;
}

// The first 2 MiB boundary inside a buffer: where the advice starts.
std::uintptr_t first_huge_page(const void* p) {
  constexpr std::uintptr_t huge = std::uintptr_t{1} << 21;
  return (reinterpret_cast<std::uintptr_t>(p) + huge - 1) & ~(huge - 1);
}
} // namespace

TEST_CASE("reserve_large: reserves at least n and keeps the elements", "[core][memory]") {
  std::vector<int> v = {3, 1, 2};
  salesops::detail::reserve_large(v, 1000);
  CHECK(v.capacity() >= 1000);
  CHECK(v == std::vector<int>{3, 1, 2});
  std::vector<std::uint64_t> big;
  salesops::detail::reserve_large(big, salesops::detail::huge_page_advice_bytes / 8 + 1);
  CHECK(big.capacity() >= salesops::detail::huge_page_advice_bytes / 8 + 1);
}

TEST_CASE("reserve_large: large buffers are advised for huge pages, small ones are not",
          "[core][memory]") {
  if (!std::ifstream("/sys/kernel/mm/transparent_hugepage/enabled").good()) {
    WARN("no transparent huge pages in this kernel: nothing to check");
    return;
  }
  // 64 MiB: above the threshold, and a mapping of its own under glibc.
  std::vector<std::uint64_t> big;
  salesops::detail::reserve_large(big, std::size_t{8} << 20);
  const std::string big_flags = vm_flags_at(first_huge_page(big.data()));
  INFO("64 MiB buffer: " << big_flags);
  CHECK(has_huge_page_flag(big_flags));
  // 16 MiB: below the threshold (also a mapping of its own), so no advice.
  std::vector<std::uint64_t> small;
  salesops::detail::reserve_large(small, std::size_t{2} << 20);
  const std::string small_flags = vm_flags_at(first_huge_page(small.data()));
  INFO("16 MiB buffer: " << small_flags);
  REQUIRE_FALSE(small_flags.empty());
  CHECK_FALSE(has_huge_page_flag(small_flags));
}
