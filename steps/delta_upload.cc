#include "steps/delta_upload.h"

#include <algorithm>

#include "golive/shell_quote.h"

namespace golive {
namespace {

constexpr std::size_t kArgsPerCommand = 256;            // paths per ln/cp, far below ARG_MAX
constexpr std::uint64_t kDeltaMemoryLimit = 64 * 1024;  // per host: spooled to disk beyond

std::string parent_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

// One line of the link script: `ln` (or `cp`) of `sources` (shell words, "$b"/'path') into `dir`. A
// link the file system refuses (another device, too many links) becomes a copy that first removes
// what `ln` may have made, so nothing is ever written through a link into the base release. A
// source that is gone fails nothing here: the verification finds the file missing and it is sent.
std::string reuse_into_dir(const std::string& dir, const std::vector<std::string>& sources,
                           ReuseMode mode) {
  std::string args;
  for (const auto& s : sources) args += " " + s;  // already quoted
  const std::string copy = "cp -p --reflink=auto --remove-destination -t " + shell_quote(dir) +
                           " --" + args + " 2>/dev/null || :";
  if (mode == ReuseMode::kCopy) return copy + "\n";
  return "ln -t " + shell_quote(dir) + " --" + args + " 2>/dev/null || " + copy + "\n";
}

// The base release's `.golive-files`, "" when it offers nothing: no such dir, no manifest, or a
// host without GNU find and sha256sum (the verification needs both). Read through on_output: the
// exec result keeps only the output's tail.
Result<std::string> read_base_manifest(RemoteHost& host, const std::string& base_dir) {
  ExecRequest req;
  req.timeout = std::chrono::seconds(60);
  req.command = "cd -- " + shell_quote(base_dir) +
                " 2>/dev/null || exit 0\n"
                "command -v sha256sum >/dev/null 2>&1 || exit 0\n"
                "find . -maxdepth 0 -printf '' 2>/dev/null || exit 0\n"
                "cat ./" +
                std::string(kFilesManifestName) + " 2>/dev/null\nexit 0";
  std::string text;
  req.on_output = [&text](Stream s, std::string_view chunk) {
    if (s == Stream::kStdout) text.append(chunk);
  };
  GOLIVE_TRY(r, host.exec(req));
  if (r->exit_status != 0) return std::string();
  return text;
}

// The path a tree-listing line names ("f <mode> <size> <path>", "d <mode> <path>",
// "l <path> -> <target>", "? <path>").
std::string path_of_listing_line(const std::string& line) {
  auto after_spaces = [&](int n) {
    std::size_t from = 0;
    for (int i = 0; i < n; ++i) {
      const auto at = line.find(' ', from);
      if (at == std::string::npos) return std::string();
      from = at + 1;
    }
    return line.substr(from);
  };
  if (line.starts_with("f ")) return after_spaces(3);
  if (line.starts_with("d ")) return after_spaces(2);
  if (line.starts_with("l ")) return line.substr(2, line.rfind(" -> ") - 2);
  return after_spaces(1);
}

StepResult failed(StepResult r, const std::string& why) {
  r.outcome = StepOutcome::kFailed;
  r.error = why;
  return r;
}

std::string joined(const std::vector<std::string>& lines, std::size_t max) {
  std::string out;
  for (std::size_t i = 0; i < lines.size() && i < max; ++i) out += (i ? "; " : "") + lines[i];
  if (lines.size() > max) out += "; and " + std::to_string(lines.size() - max) + " more";
  return out;
}

}  // namespace

DeltaPlan plan_delta(const std::vector<FileEntry>& files,
                     const std::map<std::string, FileEntry>& base, const std::string& base_dir,
                     ReuseMode mode) {
  // The base's files by (content, mode): a hard link shares both.
  std::map<std::pair<std::string, unsigned>, std::string> by_content;
  for (const auto& [path, e] : base) by_content.emplace(std::pair(e.sha256, e.mode), path);
  DeltaPlan plan;
  std::map<std::string, std::vector<std::string>> same_path;  // new dir -> base sources
  std::string renames;
  for (const auto& f : files) {
    if (f.type != 'f') continue;
    std::string source;
    if (auto it = base.find(f.path);
        it != base.end() && it->second.sha256 == f.sha256 && it->second.mode == f.mode) {
      source = f.path;
    } else if (auto c = by_content.find({f.sha256, f.mode}); c != by_content.end()) {
      source = c->second;
    }
    if (source.empty()) {
      plan.send.insert(f.path);
      plan.send_bytes += f.size;
      continue;
    }
    plan.reused.insert(f.path);
    plan.reused_bytes += f.size;
    // "$b" is the base dir, set once at the top: the script is built per host, fifty at once.
    const std::string from = "\"$b\"/" + shell_quote(source);
    if (source == f.path) {
      same_path[parent_of(f.path)].push_back(from);
    } else {
      const std::string args = " -- " + from + " " + shell_quote(f.path);
      const std::string copy =
          "cp -p --reflink=auto --remove-destination" + args + " 2>/dev/null || :\n";
      renames += mode == ReuseMode::kCopy ? copy : "ln" + args + " 2>/dev/null || " + copy;
    }
  }
  plan.script = "b=" + shell_quote(base_dir) + "\n";
  for (const auto& [dir, sources] : same_path) {
    for (std::size_t i = 0; i < sources.size(); i += kArgsPerCommand) {
      const auto end = std::min(sources.size(), i + kArgsPerCommand);
      plan.script += reuse_into_dir(
          dir,
          std::vector<std::string>(sources.begin() + static_cast<std::ptrdiff_t>(i),
                                   sources.begin() + static_cast<std::ptrdiff_t>(end)),
          mode);
    }
  }
  plan.script += renames;
  return plan;
}

std::string verify_release_command() {
  const std::string files(kFilesManifestName), tree(kTreeListingName);
  return "v=\"$t/verify\"\n"
         "sed -n 's/^\\([0-9a-f]\\{64\\}\\) [0-7]* [0-9]* /\\1  /p' ./" +
         files +
         " | LC_ALL=C sha256sum -c --quiet --strict 2>/dev/null"
         " | sed -n 's/^\\(.*\\): FAILED.*$/golive-bad:\\1/p' >\"$v\"\n" +
         tree_listing_command() +
         " >\"$t/tree\"\n"
         "LC_ALL=C comm -13 \"$t/tree\" ./" +
         tree + " | sed 's/^/golive-missing:/' >>\"$v\"\n" + "LC_ALL=C comm -23 \"$t/tree\" ./" +
         tree +
         " | sed 's/^/golive-extra:/' >>\"$v\"\n"
         "if [ -s \"$v\" ]; then head -n 200 \"$v\"; echo golive-verify:mismatch; "
         "else rm -f ./" +
         tree + "; echo golive-verify:ok; fi\n";
}

ReleaseVerification take_verify_report(std::string& output) {
  ReleaseVerification v;
  std::string kept;
  std::size_t at = 0;
  while (at < output.size()) {
    auto nl = output.find('\n', at);
    if (nl == std::string::npos) nl = output.size();
    const std::string line = output.substr(at, nl - at);
    at = nl + 1;
    if (line == "golive-verify:ok" || line == "golive-verify:mismatch") {
      v.ran = true;
      v.ok = line == "golive-verify:ok";
    } else if (line.starts_with("golive-bad:")) {
      v.paths.insert(line.substr(11));
      v.lines.push_back("content differs: " + line.substr(11));
    } else if (line.starts_with("golive-missing:")) {
      v.paths.insert(path_of_listing_line(line.substr(15)));
      v.lines.push_back("expected " + line.substr(15));
    } else if (line.starts_with("golive-extra:")) {
      v.paths.insert(path_of_listing_line(line.substr(13)));
      v.lines.push_back("found " + line.substr(13));
    } else {
      kept += line + "\n";
    }
  }
  output = std::move(kept);
  return v;
}

std::optional<StepResult> upload_delta(const DeltaRequest& q, std::string& why_not) {
  RemoteHost& host = *q.host;
  // The base's manifest, its parse and the plan's script live only as long as they are needed:
  // every host of a parallel batch holds its own at once.
  DeltaPlan plan;
  {
    auto base_text = read_base_manifest(host, q.base_dir);
    if (!base_text) {
      why_not = "the base release could not be read: " + base_text.error().message;
      return std::nullopt;
    }
    auto base = parse_files_manifest(*base_text);
    if (base_text->empty() || !base || base->empty()) {
      why_not = base_text->empty() || base
                    ? "the base release has no usable manifest"
                    : "the base release's manifest is damaged (" + base.error().message + ")";
      return std::nullopt;
    }
    plan = plan_delta(q.full->files(), *base, q.base_dir, q.mode);
  }
  if (plan.reused.empty()) {
    why_not = "no file of the base release is reusable";
    return std::nullopt;
  }
  ArchiveOptions opts;
  opts.zstd = q.full->zstd();
  opts.only_files = &plan.send;
  opts.memory_limit = kDeltaMemoryLimit;
  opts.extra_files.emplace_back(std::string(kFilesManifestName), q.full->manifest_text());
  opts.extra_files.emplace_back(std::string(kTreeListingName), q.full->tree_text());
  opts.extra_files.emplace_back(std::string(kLinkScriptName), plan.script);
  StepResult r;
  r.step = "upload";
  r.host = host.name();
  r.started = std::chrono::system_clock::now();
  auto delta = UploadArchive::build(q.artifact_dir, opts);
  std::string().swap(plan.script);  // in the archive now
  if (!delta) return failed(r, delta.error().message);
  const std::string after = "sh ./" + std::string(kLinkScriptName) +
                            " || { echo 'golive: reusing files of the base release failed'; "
                            "exit 1; }\nrm -f ./" +
                            std::string(kLinkScriptName) + "\n" + verify_release_command();
  r = send_archive(
      host, **delta,
      upload_remote_command(q.remote_dir, after, (*delta)->sha256(), false, (*delta)->zstd()),
      q.remote_dir, q.timeout, q.cancel, q.progress);
  if (!r.ok()) return r;
  ReleaseVerification v = take_verify_report(r.output);
  const Millis first_duration = r.duration;
  std::string summary =
      "delta against " + q.base_dir + ": sent " + std::to_string(plan.send.size()) + " files (" +
      std::to_string(plan.send_bytes) + " bytes, archive " + std::to_string((*delta)->size()) +
      " bytes), reused " + std::to_string(plan.reused.size()) + " (" +
      std::to_string(plan.reused_bytes) + " bytes) by " +
      (q.mode == ReuseMode::kCopy ? "copy" : "hard link");
  if (!v.ran) return failed(r, "the new release on " + host.name() + " was not verified");
  if (!v.ok) {
    // Only reused files may differ: their base copy was changed after it shipped (by hand, or by
    // an app writing into its release dir). Anything else is a damaged transfer.
    const bool base_damage = std::all_of(
        v.paths.begin(), v.paths.end(), [&](const std::string& p) { return plan.reused.count(p); });
    if (!base_damage) {
      return failed(r, "the new release on " + host.name() +
                           " differs from its manifest after the upload: " + joined(v.lines, 5));
    }
    ArchiveOptions repair;
    repair.zstd = q.full->zstd();
    repair.memory_limit = kDeltaMemoryLimit;
    repair.only_files = &v.paths;
    auto again = UploadArchive::build(q.artifact_dir, repair);
    if (!again) return failed(r, again.error().message);
    r = send_archive(host, **again,
                     upload_remote_command(q.remote_dir, verify_release_command(),
                                           (*again)->sha256(), false, (*again)->zstd()),
                     q.remote_dir, q.timeout, q.cancel, q.progress);
    if (!r.ok()) return r;
    ReleaseVerification v2 = take_verify_report(r.output);
    if (!v2.ok) {
      return failed(r, "the new release on " + host.name() +
                           " differs from its manifest after the upload: " + joined(v2.lines, 5));
    }
    summary += "; the base release's copies of " + joined({v.paths.begin(), v.paths.end()}, 10) +
               " differ from its manifest (changed after it shipped): sent in full";
    r.duration += first_duration;
  }
  r.output += summary + "; verified " + std::to_string(q.full->files().size()) +
              " entries against the manifest\n";
  return r;
}

}  // namespace golive
