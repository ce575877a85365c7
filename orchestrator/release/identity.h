// Who is deploying, from where, and under which release id: the identity a release records.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace golive {

class GitRepo;

// This machine's host name ("localhost" when it has none): lock owners and OS identities.
std::string local_host_name();

// True when running under a CI system (CI=true/1/yes, or a known provider's marker variable).
bool running_in_ci(const std::map<std::string, std::string>& env);

// The person or CI actor deploying: "github:octocat", "gitlab:jane", "buildkite:Jane Doe",
// "circleci:jane", "ci:runner" in CI; otherwise git's user.name <user.email> (when `repo` is set
// and configured), otherwise the OS user as user@hostname.
std::string detect_deployer(GitRepo* repo, const std::map<std::string, std::string>& env);

// "ci" under CI, else "cli" (the ledger's `trigger` column; rollbacks set "rollback" themselves).
std::string detect_trigger(const std::map<std::string, std::string>& env);

// Link to the CI run that is deploying (GitHub Actions, GitLab, Buildkite, CircleCI); empty when
// not in CI or unknown.
std::string ci_run_url(const std::map<std::string, std::string>& env);

// Release id unique across machines and ledgers: UTC second, short commit and 16 random bits,
// e.g. "20261129T101500Z-3f2a9c1-07be". Ids sort by time to the second (docs/ledger.md).
std::string make_release_id(std::chrono::system_clock::time_point at, const std::string& sha,
                            std::uint16_t nonce);

// 16 bits from the OS's random source: two deploys of one commit in one second, from two
// machines or two ledgers, get different ids.
std::uint16_t random_release_nonce();

// The UTC-second prefix of a release id ("20261129T101500Z"): ids compare by time with it.
std::string release_time(const std::string& id);

}  // namespace golive
