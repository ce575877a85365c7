// `golive diff`: what is about to ship, code and config, between what an environment serves and
// a git ref. Pure data and text; the CLI reads the hosts and git and fills the inputs.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "golive/git_repo.h"

namespace golive {

// One side of a diff: the live release (read from its manifest on a host) or the target (the
// runbook and env values as they are now). Old manifests lack env keys and sections.
struct ReleaseSide {
  std::string release;  // release id (empty for the target, or when nothing is live)
  std::string commit;   // full sha; empty when unknown
  std::string runbook_hash;
  std::map<std::string, std::string> env_keys;          // name -> fingerprint
  std::map<std::string, std::string> runbook_sections;  // section -> hash
  bool has_env_keys = false;
  bool has_sections = false;
};

struct EnvKeyChange {
  std::string name;
  std::string change;  // added|removed|changed
  std::string before;  // fingerprint, empty when added
  std::string after;   // fingerprint, empty when removed
};

struct ReleaseDiff {
  std::string environment;
  std::string target_ref;
  ReleaseSide live;
  ReleaseSide target;
  bool nothing_live = false;  // no host serves a release yet
  // Commits live..target, newest first (filled by the caller from git).
  std::vector<CommitInfo> commits;
  bool commits_truncated = false;
  std::string commits_note;  // why commits are unknown (e.g. live commit not in this repository)
  std::vector<EnvKeyChange> env_changes;
  bool env_known = true;  // false when the live manifest predates env fingerprints
  bool runbook_changed = false;
  std::vector<std::string> changed_sections;  // added, removed or edited top-level sections
  bool sections_known = true;
};

// Compares env keys and runbook sections of the two sides (commits are the caller's).
ReleaseDiff diff_sides(const ReleaseSide& live, const ReleaseSide& target);

// Human text: a header, commits, env keys, runbook. Never contains an env value (there is none
// in the inputs); untrusted text (subjects, authors) is stripped of control characters.
std::string format_diff(const ReleaseDiff& diff);

// One line for plan/deploy/notifications: "3 commits, env: +1 ~1 -0, runbook: steps changed".
std::string diff_summary_line(const ReleaseDiff& diff);

}  // namespace golive
