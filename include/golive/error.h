// Recoverable errors as values, and the process exit codes users and CI scripts depend on.
#pragma once

#include <expected>
#include <string>
#include <utility>

namespace golive {

// Exit codes from the product brief; stable interface for CI scripts.
enum class ExitCode : int {
  kOk = 0,
  kRolledBack = 1,      // deploy failed, automatic rollback restored the last good release
  kUsage = 2,           // usage or runbook error, nothing touched
  kPreflight = 3,       // preflight blocked the release, nothing touched
  kRollbackFailed = 4,  // rollback failed or exceeded its budget: a human must act
  kInfra = 5,           // could not reach hosts / infrastructure error before any change
};

// A recoverable failure: a message fit for the user (already redacted) and the exit code it maps
// to.
struct Error {
  std::string message;
  ExitCode exit = ExitCode::kUsage;
};

template <class T>
using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

// Shorthand for `return fail("...", ExitCode::kInfra);` in functions returning Result/Status.
inline std::unexpected<Error> fail(std::string message, ExitCode exit = ExitCode::kUsage) {
  return std::unexpected(Error{std::move(message), exit});
}

}  // namespace golive

// Propagation, for functions returning Result/Status:
//   GOLIVE_TRY(host, connector.connect(h));   // `host` is the Result; on error, returns it
//   GOLIVE_RETURN_IF_ERROR(lock.release());   // a Status (or Result) whose value is not needed
// Both replace the hand-written `if (!x) return std::unexpected(x.error());`.
#define GOLIVE_TRY(var, ...) \
  auto var = (__VA_ARGS__);  \
  if (!var) return std::unexpected(std::move(var).error())

#define GOLIVE_RETURN_IF_ERROR(...)                              \
  do {                                                           \
    if (auto golive_status_ = (__VA_ARGS__); !golive_status_)    \
      return std::unexpected(std::move(golive_status_).error()); \
  } while (0)
