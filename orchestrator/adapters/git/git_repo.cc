// The libgit2 adapter behind GitRepo: the only code that includes libgit2.
#include "golive/git_repo.h"

#include <git2.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <system_error>

namespace golive {
namespace {

// libgit2 must be initialised once per process before any call; it is never shut down because
// repositories may be open until exit.
void ensure_libgit2() {
  static std::once_flag once;
  std::call_once(once, [] { git_libgit2_init(); });
}

// libgit2's last error message for this thread, for errors we do not translate ourselves.
std::string last_git_error() {
  const git_error* e = git_error_last();
  return e != nullptr && e->message != nullptr ? e->message : "unknown libgit2 error";
}

// RAII owners for the libgit2 handles used here.
template <class T, void (*Free)(T*)>
struct Freer {
  void operator()(T* p) const { Free(p); }
};
using RepoPtr = std::unique_ptr<git_repository, Freer<git_repository, git_repository_free>>;
using ObjectPtr = std::unique_ptr<git_object, Freer<git_object, git_object_free>>;
using RefPtr = std::unique_ptr<git_reference, Freer<git_reference, git_reference_free>>;
using ConfigPtr = std::unique_ptr<git_config, Freer<git_config, git_config_free>>;
using StatusPtr = std::unique_ptr<git_status_list, Freer<git_status_list, git_status_list_free>>;
using IndexPtr = std::unique_ptr<git_index, Freer<git_index, git_index_free>>;
using RevwalkPtr = std::unique_ptr<git_revwalk, Freer<git_revwalk, git_revwalk_free>>;
using DescribePtr =
    std::unique_ptr<git_describe_result, Freer<git_describe_result, git_describe_result_free>>;

std::string oid_hex(const git_oid* oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, oid);
  return buf;
}

class LibGit2Repo final : public GitRepo {
 public:
  explicit LibGit2Repo(RepoPtr repo) : repo_(std::move(repo)) {}

  Result<CommitInfo> resolve(const std::string& ref_in) override {
    std::lock_guard lock(mu_);
    const std::string ref = ref_in.empty() ? "HEAD" : ref_in;
    git_object* raw_obj = nullptr;
    git_reference* raw_ref = nullptr;
    int rc = git_revparse_ext(&raw_obj, &raw_ref, repo_.get(), ref.c_str());
    ObjectPtr obj(raw_obj);
    RefPtr named(raw_ref);
    if (rc == GIT_ENOTFOUND || rc == GIT_EINVALIDSPEC || rc == GIT_EUNBORNBRANCH) {
      if (ref == "HEAD" && git_repository_head_unborn(repo_.get()) == 1) {
        return fail("git ref 'HEAD': the repository has no commits yet");
      }
      return fail("unknown git ref '" + ref + "': no such branch, tag or commit");
    }
    if (rc == GIT_EAMBIGUOUS) {
      return fail("ambiguous git ref '" + ref + "': use more characters of the commit id");
    }
    if (rc < 0) return fail("git ref '" + ref + "': " + last_git_error());

    git_object* raw_commit = nullptr;
    if (git_object_peel(&raw_commit, obj.get(), GIT_OBJECT_COMMIT) < 0) {
      return fail("git ref '" + ref + "' does not point to a commit");
    }
    ObjectPtr commit_obj(raw_commit);
    auto* commit = reinterpret_cast<git_commit*>(commit_obj.get());
    const git_oid* oid = git_commit_id(commit);

    CommitInfo info;
    info.sha = oid_hex(oid);
    info.ref = ref;
    info.branch = name_for(named.get(), oid);
    fill_commit(commit, info);
    GOLIVE_TRY(dirty, dirty_locked());
    info.dirty = *dirty;
    return info;
  }

  Result<bool> is_dirty() override {
    std::lock_guard lock(mu_);
    return dirty_locked();
  }

  Status export_tree(const std::string& sha, const std::string& dir) override {
    std::lock_guard lock(mu_);
    git_oid oid;
    if (git_oid_fromstr(&oid, sha.c_str()) < 0) {
      return fail("export of '" + sha + "': not a full commit id");
    }
    git_object* raw_tree = nullptr;
    git_object* raw_commit = nullptr;
    if (git_object_lookup(&raw_commit, repo_.get(), &oid, GIT_OBJECT_COMMIT) < 0) {
      return fail("export of " + sha + ": no such commit in the repository");
    }
    ObjectPtr commit(raw_commit);
    if (git_object_peel(&raw_tree, commit.get(), GIT_OBJECT_TREE) < 0) {
      return fail("export of " + sha + ": " + last_git_error(), ExitCode::kInfra);
    }
    ObjectPtr tree(raw_tree);

    // The build must see exactly the commit, so stale files from an earlier export are refused.
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return fail("export to " + dir + ": " + ec.message(), ExitCode::kInfra);
    if (!std::filesystem::is_empty(dir, ec) || ec) {
      return fail("export to " + dir + ": directory is not empty", ExitCode::kInfra);
    }
    // Given a relative target, libgit2 also creates a stray empty copy of it inside the target.
    const std::string target = std::filesystem::absolute(dir, ec).string();
    if (ec) return fail("export to " + dir + ": " + ec.message(), ExitCode::kInfra);

    // An empty baseline makes every file of the tree "new", and the index flags keep the
    // repository's own index untouched: only `dir` is written.
    git_index* raw_index = nullptr;
    if (git_index_new(&raw_index) < 0) {
      return fail("export of " + sha + ": " + last_git_error(), ExitCode::kInfra);
    }
    IndexPtr empty_baseline(raw_index);
    git_checkout_options opts;
    git_checkout_options_init(&opts, GIT_CHECKOUT_OPTIONS_VERSION);
    opts.checkout_strategy = GIT_CHECKOUT_FORCE | GIT_CHECKOUT_RECREATE_MISSING |
                             GIT_CHECKOUT_DONT_UPDATE_INDEX | GIT_CHECKOUT_DONT_WRITE_INDEX;
    opts.baseline_index = empty_baseline.get();
    opts.target_directory = target.c_str();
    if (git_checkout_tree(repo_.get(), tree.get(), &opts) < 0) {
      return fail("export of " + sha + " to " + dir + ": " + last_git_error(), ExitCode::kInfra);
    }
    return {};
  }

  bool has_commit(const std::string& sha) override {
    std::lock_guard lock(mu_);
    return commit_oid(sha).has_value();
  }

  Result<std::vector<CommitInfo>> log(const std::string& from, const std::string& to,
                                      int limit) override {
    std::lock_guard lock(mu_);
    auto from_oid = from.empty() ? std::optional<git_oid>() : commit_oid(from);
    if (!from.empty() && !from_oid) return fail("commit " + from + " is not in this repository");
    auto to_oid = commit_oid(to);
    if (!to_oid) return fail("commit " + to + " is not in this repository");
    git_revwalk* raw = nullptr;
    if (git_revwalk_new(&raw, repo_.get()) < 0) return fail("git log: " + last_git_error());
    RevwalkPtr walk(raw);
    git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
    if (git_revwalk_push(walk.get(), &*to_oid) < 0 ||
        (from_oid && git_revwalk_hide(walk.get(), &*from_oid) < 0)) {
      return fail("git log " + from + ".." + to + ": " + last_git_error());
    }
    std::vector<CommitInfo> out;
    git_oid oid;
    while (static_cast<int>(out.size()) < limit && git_revwalk_next(&oid, walk.get()) == 0) {
      git_object* raw_commit = nullptr;
      if (git_object_lookup(&raw_commit, repo_.get(), &oid, GIT_OBJECT_COMMIT) < 0) continue;
      ObjectPtr obj(raw_commit);
      CommitInfo info;
      info.sha = oid_hex(&oid);
      fill_commit(reinterpret_cast<git_commit*>(obj.get()), info);
      out.push_back(std::move(info));
    }
    return out;
  }

  std::string workdir() override {
    std::lock_guard lock(mu_);
    const char* dir = git_repository_workdir(repo_.get());
    return dir ? dir : "";
  }

  std::string configured_user() override {
    std::lock_guard lock(mu_);
    git_config* raw = nullptr;
    if (git_repository_config_snapshot(&raw, repo_.get()) < 0) return "";
    ConfigPtr cfg(raw);
    auto get = [&](const char* key) -> std::string {
      const char* value = nullptr;
      if (git_config_get_string(&value, cfg.get(), key) < 0 || value == nullptr) return "";
      return value;
    };
    const std::string name = get("user.name");
    const std::string email = get("user.email");
    if (name.empty()) return email.empty() ? "" : "<" + email + ">";
    return email.empty() ? name : name + " <" + email + ">";
  }

 private:
  // Subject, author and committer time of a commit.
  static void fill_commit(git_commit* commit, CommitInfo& info) {
    if (const char* summary = git_commit_summary(commit)) info.subject = summary;
    if (const git_signature* a = git_commit_author(commit)) {
      info.author = std::string(a->name) + " <" + a->email + ">";
    }
    info.time = static_cast<std::int64_t>(git_commit_time(commit));
  }

  // The commit a full or abbreviated id names, if the repository holds it.
  std::optional<git_oid> commit_oid(const std::string& sha) {
    if (sha.empty() || sha.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
      return std::nullopt;
    }
    git_object* raw = nullptr;
    if (git_revparse_single(&raw, repo_.get(), sha.c_str()) < 0) {
      git_error_clear();
      return std::nullopt;
    }
    ObjectPtr obj(raw);
    git_object* raw_commit = nullptr;
    if (git_object_peel(&raw_commit, obj.get(), GIT_OBJECT_COMMIT) < 0) {
      git_error_clear();
      return std::nullopt;
    }
    ObjectPtr commit(raw_commit);
    return *git_object_id(commit.get());
  }

  // The branch or tag a user would call this commit: the ref as named when it is a branch or tag
  // at the commit (HEAD resolves to its branch), otherwise a tag pointing exactly at the commit.
  std::string name_for(git_reference* named, const git_oid* commit) {
    if (named != nullptr) {
      git_reference* raw_direct = nullptr;
      if (git_reference_resolve(&raw_direct, named) == 0) {
        RefPtr direct(raw_direct);
        if (git_reference_is_branch(direct.get()) || git_reference_is_remote(direct.get()) ||
            git_reference_is_tag(direct.get())) {
          git_object* raw_peeled = nullptr;
          if (git_reference_peel(&raw_peeled, direct.get(), GIT_OBJECT_COMMIT) == 0) {
            ObjectPtr peeled(raw_peeled);
            // `main~1` parses through `main` but is not main: only name a ref at the commit.
            if (git_oid_equal(git_object_id(peeled.get()), commit)) {
              return git_reference_shorthand(direct.get());
            }
          }
        }
      }
    }
    return exact_tag(commit);
  }

  // `git describe --tags --exact-match`: git's choice when several tags point at the commit.
  std::string exact_tag(const git_oid* commit) {
    git_object* raw = nullptr;
    if (git_object_lookup(&raw, repo_.get(), commit, GIT_OBJECT_COMMIT) < 0) return "";
    ObjectPtr obj(raw);
    git_describe_options opts;
    git_describe_options_init(&opts, GIT_DESCRIBE_OPTIONS_VERSION);
    opts.describe_strategy = GIT_DESCRIBE_TAGS;
    opts.max_candidates_tags = 0;
    git_describe_result* raw_result = nullptr;
    if (git_describe_commit(&raw_result, obj.get(), &opts) < 0) {
      git_error_clear();
      return "";
    }
    DescribePtr result(raw_result);
    git_buf buf = GIT_BUF_INIT;
    git_describe_format_options fmt;
    git_describe_format_options_init(&fmt, GIT_DESCRIBE_FORMAT_OPTIONS_VERSION);
    std::string name;
    if (git_describe_format(&buf, result.get(), &fmt) == 0) name.assign(buf.ptr, buf.size);
    git_buf_dispose(&buf);
    return name;
  }

  Result<bool> dirty_locked() {
    if (git_repository_is_bare(repo_.get())) return false;
    git_status_options opts;
    git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION);
    opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
    opts.flags = 0;  // untracked and ignored files do not make a release dirty
    git_status_list* raw = nullptr;
    if (git_status_list_new(&raw, repo_.get(), &opts) < 0) {
      return fail("git status: " + last_git_error(), ExitCode::kInfra);
    }
    StatusPtr list(raw);
    return git_status_list_entrycount(list.get()) > 0;
  }

  std::mutex mu_;  // a git_repository must not be used from two threads at once
  RepoPtr repo_;
};

}  // namespace

Result<std::unique_ptr<GitRepo>> open_git_repo(const std::string& path) {
  ensure_libgit2();
  std::error_code ec;
  std::string start = path.empty() ? "." : path;
  if (std::filesystem::is_regular_file(start, ec)) {
    start = std::filesystem::path(start).parent_path().string();
    if (start.empty()) start = ".";
  }
  git_repository* raw = nullptr;
  int rc = git_repository_open_ext(&raw, start.c_str(), 0, nullptr);
  if (rc == GIT_ENOTFOUND) return fail("not a git repository (or any parent): " + path);
  if (rc < 0) return fail("cannot open git repository at " + path + ": " + last_git_error());
  return std::make_unique<LibGit2Repo>(RepoPtr(raw));
}

}  // namespace golive
