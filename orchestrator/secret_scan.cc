// scan_for_secrets: one RE2::Set pass per file over every secret form and well-known key shape;
// only files that hit are searched again to place each finding at its byte offset.
#include <fcntl.h>
#include <re2/re2.h>
#include <re2/set.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <tuple>

#include "golive/env_check.h"

namespace golive {

namespace {

namespace fs = std::filesystem;

// Shorter raw values would match ordinary bytes of a large artifact by chance.
constexpr std::size_t kMinScannedValue = 6;
// Files at least this big are mapped rather than read.
constexpr std::size_t kMapThreshold = std::size_t{1} << 20;

struct Pattern {
  std::string literal;      // a secret form, searched as bytes
  std::unique_ptr<RE2> re;  // or a key shape
  std::string what;
  bool is_value = false;  // a registered secret (preferred over a shape at the same place)
};

struct KeyShape {
  const char* regex;
  const char* what;
};

constexpr KeyShape kKeyShapes[] = {
    {"AKIA[0-9A-Z]{16}", "AWS access key id"},
    {"sk_live_[0-9A-Za-z]{16,}", "Stripe live secret key"},
    {"rk_live_[0-9A-Za-z]{16,}", "Stripe live restricted key"},
    {"-----BEGIN[A-Z ]{0,32} PRIVATE KEY( BLOCK)?-----", "private key"},
    {"gh[pousr]_[0-9A-Za-z]{36}", "GitHub token"},
    {"github_pat_[0-9A-Za-z_]{22,}", "GitHub fine-grained token"},
    {"xox[baprs]-[0-9A-Za-z-]{10,}", "Slack token"},
};

RE2::Options scan_options() {
  RE2::Options options;
  options.set_encoding(RE2::Options::EncodingLatin1);  // artifacts are bytes, not UTF-8
  options.set_log_errors(false);
  options.set_max_mem(int64_t{256} << 20);  // room for the DFA of many literals
  return options;
}

std::vector<Pattern> build_patterns(const EnvReport& report) {
  std::vector<Pattern> patterns;
  for (const auto& name : report.secret_names) {
    auto it = report.values.find(name);
    if (it == report.values.end() || it->second.value.size() < kMinScannedValue) continue;
    for (auto& form : secret_forms(it->second.value)) {
      std::string what = "value of " + name;
      if (form.kind != "raw") what += " (" + form.kind + ")";
      patterns.push_back({std::move(form.text), nullptr, std::move(what), true});
    }
  }
  for (const auto& shape : kKeyShapes) {
    patterns.push_back({"", std::make_unique<RE2>(shape.regex, scan_options()), shape.what});
  }
  return patterns;
}

// A file's bytes: mapped when large, read when small.
class FileBytes {
 public:
  ~FileBytes() {
    if (map_ != nullptr) munmap(map_, size_);
  }
  Status open(const fs::path& path, std::string& buffer) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail(path.string() + ": cannot open: " + std::strerror(errno));
    Status st = load(fd, path, buffer);
    ::close(fd);
    return st;
  }
  std::string_view view() const { return view_; }

 private:
  Status load(int fd, const fs::path& path, std::string& buffer) {
    struct stat sb {};
    if (fstat(fd, &sb) != 0) return fail(path.string() + ": " + std::strerror(errno));
    if (!S_ISREG(sb.st_mode)) return {};
    size_ = static_cast<std::size_t>(sb.st_size);
    if (size_ == 0) return {};
    if (size_ >= kMapThreshold) {
      void* p = mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (p == MAP_FAILED) return fail(path.string() + ": cannot map: " + std::strerror(errno));
      map_ = p;
      madvise(map_, size_, MADV_SEQUENTIAL);
      view_ = std::string_view(static_cast<const char*>(map_), size_);
      return {};
    }
    buffer.resize(size_);
    std::size_t got = 0;
    while (got < size_) {
      ssize_t n = ::read(fd, buffer.data() + got, size_ - got);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return fail(path.string() + ": read error: " + std::strerror(errno));
      if (n == 0) break;  // shrank while reading
      got += static_cast<std::size_t>(n);
    }
    view_ = std::string_view(buffer.data(), got);
    return {};
  }

  void* map_ = nullptr;
  std::size_t size_ = 0;
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
    if (p.re == nullptr) {
      for (std::size_t at = data.find(p.literal); at != std::string_view::npos;
           at = data.find(p.literal, at + 1)) {
        hits.push_back({at, at + p.literal.size(), &p});
      }
      continue;
    }
    re2::StringPiece input(data.data(), data.size());
    re2::StringPiece m;
    std::size_t pos = 0;
    while (pos < data.size() && p.re->Match(input, pos, data.size(), RE2::UNANCHORED, &m, 1)) {
      std::size_t begin = static_cast<std::size_t>(m.data() - data.data());
      hits.push_back({begin, begin + m.size(), &p});
      pos = begin + std::max<std::size_t>(m.size(), 1);
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

}  // namespace

Result<std::vector<SecretFinding>> scan_for_secrets(const std::string& dir,
                                                    const EnvReport& report) {
  std::error_code ec;
  fs::path root = fs::canonical(dir, ec);
  if (ec) return fail(dir + ": cannot scan: " + ec.message());

  std::vector<Pattern> patterns = build_patterns(report);
  RE2::Set set(scan_options(), RE2::UNANCHORED);
  for (const auto& p : patterns) {
    std::string error;
    if (set.Add(p.re ? p.re->pattern() : RE2::QuoteMeta(p.literal), &error) < 0) {
      return fail("secret scan: cannot compile pattern for " + p.what + ": " + error);
    }
  }
  if (!set.Compile()) return fail("secret scan: out of memory compiling the secret patterns");
  std::vector<int> all_ids(patterns.size());
  for (std::size_t i = 0; i < all_ids.size(); ++i) all_ids[i] = static_cast<int>(i);

  std::vector<SecretFinding> findings;
  std::string buffer;
  std::vector<int> hit_ids;
  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec);
  if (ec) return fail(dir + ": cannot scan: " + ec.message());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) return fail(dir + ": cannot scan: " + ec.message());
    const fs::directory_entry& entry = *it;
    fs::path path = entry.path();
    if (entry.is_symlink(ec)) {
      // Follow only links to files inside the tree; directories inside are walked anyway.
      fs::path target = fs::canonical(path, ec);
      if (ec || !inside(target, root) || !fs::is_regular_file(target, ec)) {
        ec.clear();
        continue;
      }
    } else if (!entry.is_regular_file(ec)) {
      continue;  // directories are descended; fifos, sockets and devices are never opened
    }
    FileBytes bytes;
    if (Status st = bytes.open(path, buffer); !st) return std::unexpected(st.error());
    std::string_view data = bytes.view();
    if (data.empty()) continue;
    hit_ids.clear();
    RE2::Set::ErrorInfo info{};
    if (!set.Match(re2::StringPiece(data.data(), data.size()), &hit_ids, &info)) {
      if (info.kind == RE2::Set::kNoError) continue;
      hit_ids = all_ids;  // DFA out of memory: place every pattern directly instead
    }
    std::string rel = path.lexically_relative(root).generic_string();
    for (const Hit& h : locate(data, patterns, hit_ids)) {
      findings.push_back({rel, h.begin, h.pattern->what});
    }
  }
  std::sort(findings.begin(), findings.end(), [](const auto& a, const auto& b) {
    return std::tie(a.file, a.offset) < std::tie(b.file, b.offset);
  });
  return findings;
}

}  // namespace golive
