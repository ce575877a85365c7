// What a release carries that `golive diff` compares later: the env keys (names and a short HMAC
// fingerprint of each value, never the value) and a hash per top-level runbook section. Both are
// written into the release manifest on the hosts at deploy time.
#pragma once

#include <map>
#include <string>

namespace golive {

// The HMAC key for env fingerprints of one app and environment: stable across machines (a
// laptop and CI must agree) and derived from public names only, so it reveals nothing.
std::string env_fingerprint_key(const std::string& app, const std::string& environment);

// First 8 hex of HMAC-SHA-256(key, "NAME=value") for each key: enough to see a change, too short
// and keyed per app+environment so it is not a lookup table for the value.
std::map<std::string, std::string> env_fingerprints(
    const std::string& app, const std::string& environment,
    const std::map<std::string, std::string>& values);

// The runbook's top-level sections (`app:`, `environments:`, `steps:`...) and the first 12 hex of
// the SHA-256 of each section's text (comments and blank lines inside a section count).
std::map<std::string, std::string> runbook_section_hashes(const std::string& runbook_text);

}  // namespace golive
