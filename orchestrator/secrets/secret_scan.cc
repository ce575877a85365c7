// scan_for_secrets: one RegexSet pass per file over every secret form and well-known key shape;
// only files that hit are searched again to place each finding at its byte offset.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <tuple>

#include "golive/env_check.h"
#include "orchestrator/adapters/regex/regex.h"
#include "golive/parallel.h"

namespace golive {

namespace {

namespace fs = std::filesystem;

// Shorter raw values would match ordinary bytes of a large artifact by chance.
constexpr std::size_t kMinScannedValue = 6;
// Files at least this big are mapped rather than read.
constexpr std::size_t kMapThreshold = std::size_t{1} << 20;

struct Pattern {
  std::string literal;      // a secret form, searched as bytes
  std::optional<Regex> re;  // or a key shape
  std::string what;
  bool is_value = false;  // a registered secret (preferred over a shape at the same place)
  std::vector<std::string> anchors;  // key shapes: the 4-byte starts a match can have
};

struct KeyShape {
  const char* regex;
  const char* what;
  std::initializer_list<const char*> anchors;  // every match starts with one of these 4 bytes
};

const KeyShape kKeyShapes[] = {
    {"AKIA[0-9A-Z]{16}", "AWS access key id", {"AKIA"}},
    {"sk_live_[0-9A-Za-z]{16,}", "Stripe live secret key", {"sk_l"}},
    {"rk_live_[0-9A-Za-z]{16,}", "Stripe live restricted key", {"rk_l"}},
    {"-----BEGIN[A-Z ]{0,32} PRIVATE KEY( BLOCK)?-----", "private key", {"----"}},
    {"gh[pousr]_[0-9A-Za-z]{36}", "GitHub token", {"ghp_", "gho_", "ghu_", "ghs_", "ghr_"}},
    {"github_pat_[0-9A-Za-z_]{22,}", "GitHub fine-grained token", {"gith"}},
    {"xox[baprs]-[0-9A-Za-z-]{10,}", "Slack token", {"xoxb", "xoxa", "xoxp", "xoxr", "xoxs"}},
};

// Every match of every pattern is at most this long, or has a match this short inside it.
constexpr std::size_t kShapeReach = 128;

// A prefilter in front of the RegexSet. Every pattern starts with a known 4-byte anchor, so a
// match can only start where a 4-gram of the text is an anchor. The filter reads one byte pair
// every 3 bytes (an anchor's 4 bytes always hold a pair at a position divisible by 3) against a
// 64 Kbit table of anchor pairs, and confirms survivors against a hashed 4-gram bitmap. This one
// cheap pass per file keeps the scan near the speed of reading the bytes; the DFA then runs only
// on windows that may match (all of a file when candidates are dense).
class AnchorFilter {
 public:
  void add(std::string_view anchor) {
    set(quads_, quad_hash(load32(anchor.data())));
    for (std::size_t k = 0; k < 3; ++k) set(pairs_, load16(anchor.data() + k));
  }
  // Merged windows [begin, end) of `data` that may hold a match; `reach` bytes from each start.
  void windows(std::string_view data, std::size_t reach,
               std::vector<std::pair<std::size_t, std::size_t>>& out) const {
    out.clear();
    const char* d = data.data();
    const std::size_t n = data.size();
    if (n < 4) return;
    // Raw table pointers: the compiler cannot prove `out`'s growth leaves the vectors alone, and
    // reloading their data pointers on every byte pair costs ~8% of the scan.
    const std::uint64_t* pairs = pairs_.data();
    const std::uint64_t* quads = quads_.data();
    for (std::size_t p = 0; p + 1 < n; p += 3) {
      if (!test(pairs, load16(d + p))) continue;
      for (std::size_t k = 3; k-- > 0;) {  // starts p-2, p-1, p: ascending
        if (p < k || p - k + 4 > n || !test(quads, quad_hash(load32(d + p - k)))) continue;
        std::size_t begin = p - k;
        std::size_t end = std::min(n, begin + reach);
        if (!out.empty() && begin <= out.back().second) {
          out.back().second = std::max(out.back().second, end);
        } else {
          out.emplace_back(begin, end);
        }
      }
    }
  }

 private:
  static constexpr int kQuadBits = 20;  // 128 KiB, touched only on pair hits
  static std::uint32_t load32(const char* p) {
    std::uint32_t x;
    std::memcpy(&x, p, sizeof x);
    return x;
  }
  static std::uint16_t load16(const char* p) {
    std::uint16_t x;
    std::memcpy(&x, p, sizeof x);
    return x;
  }
  static std::uint32_t quad_hash(std::uint32_t x) { return (x * 0x9E3779B1u) >> (32 - kQuadBits); }
  static void set(std::vector<std::uint64_t>& bits, std::uint32_t i) {
    bits[i >> 6] |= std::uint64_t{1} << (i & 63);
  }
  static bool test(const std::uint64_t* bits, std::uint32_t i) {
    return ((bits[i >> 6] >> (i & 63)) & 1) != 0;
  }
  std::vector<std::uint64_t> pairs_ = std::vector<std::uint64_t>(std::size_t{1} << 10);
  std::vector<std::uint64_t> quads_ = std::vector<std::uint64_t>(std::size_t{1} << (kQuadBits - 6));
};

RegexOptions scan_options() {
  RegexOptions options;
  options.encoding = RegexOptions::Encoding::kLatin1;  // artifacts are bytes, not UTF-8
  options.max_mem = std::int64_t{256} << 20;           // room for the DFA of many literals
  return options;
}

Result<std::vector<Pattern>> build_patterns(const EnvReport& report) {
  std::vector<Pattern> patterns;
  for (const auto& name : report.secret_names) {
    auto it = report.values.find(name);
    if (it == report.values.end() || it->second.value.size() < kMinScannedValue) continue;
    for (auto& form : secret_forms(it->second.value)) {
      if (form.text.size() < 4) continue;  // the prefilter anchors on 4 bytes
      std::string what = "value of " + name;
      if (form.kind != "raw") what += " (" + form.kind + ")";
      patterns.push_back({std::move(form.text), std::nullopt, std::move(what), true, {}});
    }
  }
  for (const auto& shape : kKeyShapes) {
    auto re = Regex::compile(shape.regex, scan_options());
    if (!re)
      return fail(std::string("secret scan: key shape ") + shape.what + ": " + re.error().message);
    patterns.push_back(
        {"", std::move(*re), shape.what, false, {shape.anchors.begin(), shape.anchors.end()}});
  }
  return patterns;
}

// Bytes of one file range: mapped (and prefaulted in bulk) when large, read when small.
class FileBytes {
 public:
  FileBytes() = default;
  FileBytes(const FileBytes&) = delete;
  FileBytes& operator=(const FileBytes&) = delete;
  ~FileBytes() {
    if (map_ != nullptr) munmap(map_, map_size_);
  }
  // Loads [begin, end) of `path`; `end` is clamped to the file's size.
  Status open(const fs::path& path, std::uint64_t begin, std::uint64_t end, std::string& buffer) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail(path.string() + ": cannot open: " + std::strerror(errno));
    Status st = load(fd, path, begin, end, buffer);
    ::close(fd);
    return st;
  }
  std::string_view view() const { return view_; }

 private:
  Status load(int fd, const fs::path& path, std::uint64_t begin, std::uint64_t end,
              std::string& buffer) {
    struct stat sb {};
    if (fstat(fd, &sb) != 0) return fail(path.string() + ": " + std::strerror(errno));
    if (!S_ISREG(sb.st_mode)) return {};
    end = std::min<std::uint64_t>(end, static_cast<std::uint64_t>(sb.st_size));
    if (begin >= end) return {};
    const std::size_t size = end - begin;
    if (size >= kMapThreshold) {
      const std::uint64_t page = static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
      const std::uint64_t aligned = begin / page * page;
      map_size_ = end - aligned;
      void* p = mmap(nullptr, map_size_, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd,
                     static_cast<off_t>(aligned));
      if (p == MAP_FAILED) return fail(path.string() + ": cannot map: " + std::strerror(errno));
      map_ = p;
      madvise(map_, map_size_, MADV_SEQUENTIAL);
      view_ = std::string_view(static_cast<const char*>(map_) + (begin - aligned), size);
      return {};
    }
    buffer.resize(size);
    std::size_t got = 0;
    while (got < size) {
      ssize_t n = ::pread(fd, buffer.data() + got, size - got, static_cast<off_t>(begin + got));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return fail(path.string() + ": read error: " + std::strerror(errno));
      if (n == 0) break;  // shrank while reading
      got += static_cast<std::size_t>(n);
    }
    view_ = std::string_view(buffer.data(), got);
    return {};
  }

  void* map_ = nullptr;
  std::size_t map_size_ = 0;
  std::string_view view_;
};

struct Hit {
  std::uint64_t begin;
  std::uint64_t end;
  const Pattern* pattern;
};

// Every occurrence of the patterns that hit, with containment duplicates removed (a base64 core
// inside the padded form, a key shape that is also a registered value).
std::vector<Hit> locate(std::string_view data, const std::vector<Pattern>& patterns,
                        const std::vector<int>& hit_ids) {
  std::vector<Hit> hits;
  for (int id : hit_ids) {
    const Pattern& p = patterns[static_cast<std::size_t>(id)];
    if (!p.re) {
      for (std::size_t at = data.find(p.literal); at != std::string_view::npos;
           at = data.find(p.literal, at + 1)) {
        hits.push_back({at, at + p.literal.size(), &p});
      }
      continue;
    }
    std::size_t pos = 0;
    while (pos < data.size()) {
      auto m = p.re->find(data, pos);
      if (!m) break;
      hits.push_back({m->begin, m->end, &p});
      pos = m->begin + std::max<std::size_t>(m->end - m->begin, 1);
    }
  }
  std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
    if (a.begin != b.begin) return a.begin < b.begin;
    if (a.pattern->is_value != b.pattern->is_value) return a.pattern->is_value;
    return a.end > b.end;
  });
  // Sorted by start, a hit is inside an earlier one exactly when some earlier one ends after it.
  std::vector<Hit> kept;
  std::uint64_t reach = 0;
  for (const Hit& h : hits) {
    if (!kept.empty() && h.end <= reach) continue;
    kept.push_back(h);
    reach = std::max(reach, h.end);
  }
  return kept;
}

bool inside(const fs::path& path, const fs::path& root) {
  auto rel = path.lexically_relative(root);
  return !rel.empty() && *rel.begin() != "..";
}

struct Target {
  fs::path path;
  std::uint64_t size = 0;
};

// Every regular file under `root`, plus links to regular files inside it. Links leaving the
// tree are skipped (the artifact must not vouch for files it does not hold); directories are
// descended but never through a link (no loops); fifos, sockets and devices are never opened.
Result<std::vector<Target>> collect(const fs::path& root, const std::string& dir) {
  std::vector<Target> targets;
  std::error_code ec;
  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec);
  if (ec) return fail(dir + ": cannot scan: " + ec.message());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) return fail(dir + ": cannot scan: " + ec.message());
    const fs::path& path = it->path();
    if (it->is_symlink(ec)) {
      fs::path target = fs::canonical(path, ec);
      if (ec || !inside(target, root) || !fs::is_regular_file(target, ec)) {
        ec.clear();
        continue;
      }
    } else if (!it->is_regular_file(ec)) {
      continue;
    }
    std::uint64_t size = fs::file_size(path, ec);
    if (ec) return fail(path.string() + ": " + ec.message());
    if (size > 0) targets.push_back({path, size});
  }
  return targets;
}

// A piece of work: a byte range of one target, overlapping the next range so that a match
// crossing the boundary lies wholly inside one of them.
struct Piece {
  std::size_t target = 0;
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
};

constexpr std::uint64_t kSegment = std::uint64_t{8} << 20;

std::vector<Piece> split(const std::vector<Target>& targets, std::uint64_t overlap) {
  std::vector<Piece> pieces;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    for (std::uint64_t b = 0; b < targets[i].size; b += kSegment) {
      pieces.push_back({i, b, std::min(targets[i].size, b + kSegment + overlap)});
    }
  }
  return pieces;
}

}  // namespace

Result<std::vector<SecretFinding>> scan_for_secrets(const std::string& dir,
                                                    const EnvReport& report) {
  std::error_code ec;
  fs::path root = fs::canonical(dir, ec);
  if (ec) return fail(dir + ": cannot scan: " + ec.message());

  auto built = build_patterns(report);
  if (!built) return std::unexpected(built.error());
  const std::vector<Pattern>& patterns = *built;
  RegexSet set(scan_options());
  AnchorFilter filter;
  std::uint64_t overlap = kShapeReach;
  for (const auto& p : patterns) {
    if (!p.re) {
      filter.add(std::string_view(p.literal).substr(0, 4));  // forms are at least 6 bytes
    }
    for (const auto& a : p.anchors) filter.add(a);
    if (auto st = set.add(p.re ? p.re->pattern() : Regex::quote_meta(p.literal)); !st) {
      return fail("secret scan: cannot compile pattern for " + p.what + ": " + st.error().message);
    }
    overlap = std::max<std::uint64_t>(overlap, p.literal.size());
  }
  if (!set.compile()) return fail("secret scan: out of memory compiling the secret patterns");

  GOLIVE_TRY(targets, collect(root, dir));
  const std::vector<Piece> pieces = split(*targets, overlap);

  // One RegexSet pass over every piece, on a few threads (the set's DFA is shared and
  // thread-safe); only which patterns hit which file is recorded here.
  std::vector<std::vector<int>> hit_ids(targets->size());
  std::mutex mu;
  std::optional<Error> first_error;
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    std::string buffer;
    std::vector<int> ids;
    std::vector<int> piece_ids;
    std::vector<std::pair<std::size_t, std::size_t>> windows;
    for (std::size_t i = next++; i < pieces.size(); i = next++) {
      const Piece& piece = pieces[i];
      FileBytes bytes;
      Status st = bytes.open((*targets)[piece.target].path, piece.begin, piece.end, buffer);
      piece_ids.clear();
      if (st) filter.windows(bytes.view(), overlap, windows);
      for (const auto& [begin, end] : st ? windows : decltype(windows){}) {
        const RegexSet::Outcome outcome = set.match(bytes.view().substr(begin, end - begin), ids);
        if (outcome == RegexSet::Outcome::kHit) {
          piece_ids.insert(piece_ids.end(), ids.begin(), ids.end());
        } else if (outcome == RegexSet::Outcome::kOutOfMemory) {
          // DFA out of memory: let the locating pass try every pattern on this file.
          for (std::size_t k = 0; k < patterns.size(); ++k)
            piece_ids.push_back(static_cast<int>(k));
          break;
        }
      }
      std::lock_guard lock(mu);
      if (!st) {
        if (!first_error) first_error = st.error();
        next = pieces.size();
        return;
      }
      auto& hits = hit_ids[piece.target];
      hits.insert(hits.end(), piece_ids.begin(), piece_ids.end());
    }
  };
  // Each worker keeps its buffers across pieces, so the loop runs per worker, not per piece.
  const std::size_t threads = std::min(cpu_workers(), pieces.size());
  parallel_for(threads, threads, [&](std::size_t) { worker(); });
  if (first_error) return std::unexpected(*first_error);

  // Files that hit are read again whole to place every finding.
  std::vector<SecretFinding> findings;
  std::string buffer;
  for (std::size_t i = 0; i < targets->size(); ++i) {
    auto& ids = hit_ids[i];
    if (ids.empty()) continue;
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    const Target& target = (*targets)[i];
    FileBytes bytes;
    if (Status st = bytes.open(target.path, 0, target.size, buffer); !st) {
      return std::unexpected(st.error());
    }
    std::string rel = target.path.lexically_relative(root).generic_string();
    for (const Hit& h : locate(bytes.view(), patterns, ids)) {
      findings.push_back({rel, h.begin, h.pattern->what});
    }
  }
  std::sort(findings.begin(), findings.end(), [](const auto& a, const auto& b) {
    return std::tie(a.file, a.offset) < std::tie(b.file, b.offset);
  });
  return findings;
}

}  // namespace golive
