// How much slower the code under test runs in this build: wall-clock bounds in tests multiply by
// it, so a sanitizer build (2-5x slower, and on a loaded 2-core CI runner) checks the same
// property instead of the machine's speed.
#pragma once

#include <chrono>

namespace golive::testing {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr int kTimeScale = 4;
#else
inline constexpr int kTimeScale = 1;
#endif

// `d` stretched by kTimeScale: the bound a timing assertion uses in this build.
template <class Rep, class Period>
constexpr auto scaled(std::chrono::duration<Rep, Period> d) {
  return d * kTimeScale;
}

}  // namespace golive::testing
