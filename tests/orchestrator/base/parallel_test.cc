#include "golive/parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace golive {
namespace {

TEST(ParallelFor, CallsEveryIndexExactlyOnce) {
  std::vector<std::atomic<int>> calls(1000);
  parallel_for(calls.size(), 7, [&](std::size_t i) { ++calls[i]; });
  for (std::size_t i = 0; i < calls.size(); ++i) EXPECT_EQ(calls[i], 1) << i;
}

TEST(ParallelFor, NothingToDoCallsNothing) {
  bool called = false;
  parallel_for(0, 4, [&](std::size_t) { called = true; });
  EXPECT_FALSE(called);
}

// Measures how many calls run at once when each waits a little.
std::size_t peak_concurrency(std::size_t n, std::size_t max_workers) {
  std::atomic<std::size_t> running{0}, peak{0};
  parallel_for(n, max_workers, [&](std::size_t) {
    std::size_t now = ++running;
    for (std::size_t p = peak; now > p && !peak.compare_exchange_weak(p, now);) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    --running;
  });
  return peak;
}

TEST(ParallelFor, NeverRunsMoreThanMaxWorkersAtOnce) {
  EXPECT_LE(peak_concurrency(12, 3), 3u);
  EXPECT_GE(peak_concurrency(12, 3), 2u);  // and does run in parallel
}

TEST(ParallelFor, NoMoreWorkersThanIndices) {
  std::mutex mu;
  std::set<std::thread::id> threads;
  parallel_for(2, workers::kHosts, [&](std::size_t) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::lock_guard lock(mu);
    threads.insert(std::this_thread::get_id());
  });
  EXPECT_LE(threads.size(), 2u);
}

TEST(ParallelFor, ZeroWorkersMeansOneOnTheCallingThread) {
  std::set<std::thread::id> threads;
  parallel_for(5, 0, [&](std::size_t) { threads.insert(std::this_thread::get_id()); });
  ASSERT_EQ(threads.size(), 1u);
  EXPECT_EQ(*threads.begin(), std::this_thread::get_id());
}

TEST(ParallelFor, ReturnsOnlyAfterEveryCallFinished) {
  std::atomic<int> finished{0};
  parallel_for(8, 4, [&](std::size_t) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ++finished;
  });
  EXPECT_EQ(finished, 8);
}

TEST(CpuWorkers, IsBetweenOneAndTheCap) {
  EXPECT_GE(cpu_workers(), 1u);
  EXPECT_LE(cpu_workers(), workers::kCpu);
  EXPECT_EQ(cpu_workers(1), 1u);
  EXPECT_EQ(cpu_workers(0), 1u);
}

}  // namespace
}  // namespace golive
