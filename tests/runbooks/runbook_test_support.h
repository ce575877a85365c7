// Helpers for runbook loader tests: a small valid runbook to vary, and error matchers.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "golive/runbook_loader.h"

namespace golive::testing_support {

// A minimal valid runbook; tests append or substitute sections.
inline const std::string kMinimalRunbook = R"(version: 1
app: portal
environments:
  staging:
    hosts:
      - { name: web1, address: 127.0.0.11, user: deploy }
release: { path: /srv/portal }
steps:
  - { name: switch, switch: current }
)";

inline std::string all_errors(const LoadResult& r) {
  std::string out;
  for (const auto& d : r.errors) out += "  " + format_diagnostic(d) + "\n";
  return out.empty() ? "  (no errors)\n" : out;
}

// Succeeds when some error has exactly this line, col and path and contains `fragment`.
inline ::testing::AssertionResult HasError(const LoadResult& r, int line, int col,
                                           const std::string& path, const std::string& fragment) {
  for (const auto& d : r.errors) {
    if (d.line == line && d.col == col && d.path == path &&
        d.message.find(fragment) != std::string::npos) {
      return ::testing::AssertionSuccess();
    }
  }
  return ::testing::AssertionFailure() << "no error " << line << ":" << col << " " << path
                                       << " containing \"" << fragment << "\"; got:\n"
                                       << all_errors(r);
}

// Succeeds when some error's message contains `fragment` (position not checked).
inline ::testing::AssertionResult HasErrorContaining(const LoadResult& r,
                                                     const std::string& fragment) {
  for (const auto& d : r.errors) {
    if (d.message.find(fragment) != std::string::npos) return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "no error containing \"" << fragment << "\"; got:\n"
                                       << all_errors(r);
}

inline ::testing::AssertionResult LoadsCleanly(const LoadResult& r) {
  if (r.runbook && r.errors.empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected no errors; got:\n" << all_errors(r);
}

}  // namespace golive::testing_support
