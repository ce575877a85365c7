#include "golive/parallel.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace golive {

std::size_t cpu_workers(std::size_t cap) {
  return std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1,
                                 std::max<std::size_t>(cap, 1));
}

void parallel_for(std::size_t n, std::size_t max_workers,
                  const std::function<void(std::size_t)>& fn) {
  if (n == 0) return;
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < n;) fn(i);
  };
  const std::size_t count = std::clamp<std::size_t>(max_workers, 1, n);
  std::vector<std::jthread> helpers;
  helpers.reserve(count - 1);
  for (std::size_t w = 1; w < count; ++w) helpers.emplace_back(work);
  work();
}

}  // namespace golive
