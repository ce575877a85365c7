// The boundary to the app's git repository: release identity and a clean export to build from.
// The libgit2 adapter is the only code that includes libgit2.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "golive/error.h"

namespace golive {

struct CommitInfo {
  std::string sha;      // full 40-hex id
  std::string ref;      // as asked (--ref), e.g. HEAD, v1.2, main
  std::string branch;   // branch or tag name when known
  std::string subject;  // first line of the message
  std::string author;
  bool dirty = false;     // working tree had uncommitted changes (only allowed with --allow-dirty)
  std::int64_t time = 0;  // committer time, seconds since the epoch (0 when unknown)
};

class GitRepo {
 public:
  virtual ~GitRepo() = default;
  // Resolves a ref to a commit; error names the ref when it does not exist.
  virtual Result<CommitInfo> resolve(const std::string& ref) = 0;
  // True when tracked files differ from HEAD (untracked ignored files do not count).
  virtual Result<bool> is_dirty() = 0;
  // Writes the tree of `sha` into `dir` (created), so a build sees exactly the commit.
  virtual Status export_tree(const std::string& sha, const std::string& dir) = 0;
  // The repository's working directory (absolute), so a runbook in a subdirectory builds there.
  virtual std::string workdir() = 0;
  // git config user.name <user.email>, empty when unset.
  virtual std::string configured_user() = 0;
  // Whether the repository holds the commit `sha` (a full or abbreviated id).
  virtual bool has_commit(const std::string& sha) {
    (void)sha;
    return false;
  }
  // What `git log from..to` lists: commits reachable from `to` and not from `from`, newest first,
  // at most `limit` (sha, subject, author, time); an empty `from` lists `to` and its ancestors.
  // Error when a commit is not in the repository.
  virtual Result<std::vector<CommitInfo>> log(const std::string& from, const std::string& to,
                                              int limit) {
    (void)from, (void)to, (void)limit;
    return fail("this repository cannot list commits");
  }
};

// Opens the repository containing `path`; error when there is none.
Result<std::unique_ptr<GitRepo>> open_git_repo(const std::string& path);

}  // namespace golive
