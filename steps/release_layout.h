// The release layout on a host, read and changed only through RemoteHost:
//   <root>/releases/<id>/   one dir per release (+ .golive-release.json manifest)
//   <root>/current          symlink to releases/<id>, switched atomically (ln -s tmp + mv -T)
//   <root>/shared/          persists across releases (uploads, logs)
//   <root>/shared/env/<id>.env  each release's env file (0600), written before its switch
//   <root>/shared/.env      symlink to env/<id>.env of the live release, switched with `current`
//   <root>/.golive/         releases.log (append-only), good, bad, lock/
#pragma once

#include <set>
#include <string>
#include <vector>

#include "golive/error.h"
#include "golive/remote_host.h"

namespace golive {

// What a host says about its releases (the truth of what is deployed).
struct HostState {
  std::string current;                // release id `current` points at; empty when none
  std::vector<std::string> releases;  // present release ids, oldest first
  std::vector<std::string> good;      // ids that passed their gate, in order
  std::vector<std::string> bad;       // ids marked bad by a rollback
  bool is_bad(const std::string& id) const;
  bool has(const std::string& id) const;
};

// Reads the layout under `root` in one round trip; a missing root is an empty state.
Result<HostState> read_host_state(RemoteHost& host, const std::string& root);

// The one release to restore on every host when leaving `from`: the newest release recorded
// good (a `good` mark on any host, or in `recorded_good`, the ledger's succeeded releases) that
// every host has, no host marked bad, is not `from` and is not newer than it (ids compare by
// their time prefix). Only when nothing was ever recorded good (releases shipped before any
// gate) the newest such release. Empty when there is none.
std::string previous_good_release(const std::vector<HostState>& states, const std::string& from,
                                  const std::set<std::string>& recorded_good = {});

// Where release `id`'s env file lives on a host: <root>/shared/env/<id>.env.
std::string release_env_path(const std::string& root, const std::string& id);

// Creates releases/<id>, shared/env/ and .golive/ under root. A plain `shared/.env` file left by
// an older golive is first kept as the live release's own env file, so rolling back to that
// release restores its configuration too.
Status prepare_release_dir(RemoteHost& host, const std::string& root, const std::string& id);

// Links shared paths into the release, writes its manifest (unless `manifest_json` is empty, as
// on rollback: the restored release keeps its own), and switches `current` atomically; when the
// release has its own env file, `shared/.env` is switched to it in the same command, just
// before `current` (both are one rename each), so code and configuration move together.
Status switch_current(RemoteHost& host, const std::string& root, const std::string& id,
                      const std::vector<std::string>& shared, const std::string& manifest_json);

// Appends one JSON line to .golive/releases.log.
Status append_release_log(RemoteHost& host, const std::string& root, const std::string& json_line);

// Records `id` in .golive/good or .golive/bad.
Status mark_release(RemoteHost& host, const std::string& root, const std::string& id, bool good);

// Removes the release dir (and env file) of a release that never went live; refuses when
// `current` points at it. Callers pass only ids whose dir they created themselves.
Status remove_release_dir(RemoteHost& host, const std::string& root, const std::string& id);

// Deletes all but the newest `keep` releases, never `current` nor the last good release.
Result<std::vector<std::string>> prune_releases(RemoteHost& host, const std::string& root,
                                                int keep);

// Runs a short housekeeping command; exit status != 0 is an error naming the host and `what`.
Status run_admin(RemoteHost& host, const std::string& command, const std::string& what);

}  // namespace golive
