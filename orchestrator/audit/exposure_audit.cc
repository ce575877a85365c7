// Exposure: files that must never be served (/.env, /.git, backups and dumps), directory
// listings, source maps (scanned with the artifact secret scanner) and default admin paths that
// answer without a session. Only paths on the canonical origin; answers are judged by content,
// so a site that serves its index for every path (soft 404) is not reported.
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "orchestrator/adapters/regex/regex.h"
#include "orchestrator/audit/audit_checks.h"

namespace golive {
namespace {

struct Exposed {
  const char* path;
  const char* shape;  // RE2 the body must match for the file to count as served
  Severity severity;
  const char* title;
  const char* fix;
};

const Exposed kFiles[] = {
    {"/.env", R"((?m)^[A-Za-z_][A-Za-z0-9_]*=)", Severity::kCritical, "/.env is served",
     "deny dotfiles at the web server (nginx: `location ~ /\\. { deny all; }`), move .env out of "
     "the web root and rotate every secret it held"},
    {"/.git/HEAD", R"(^(ref: refs/|[0-9a-f]{40}))", Severity::kCritical, "/.git is served",
     "deny /.git at the web server and deploy an export without .git; the whole history (and "
     "any secret ever committed) is downloadable"},
    {"/.git/config", R"(\[core\])", Severity::kCritical, "/.git/config is served",
     "deny /.git at the web server and deploy an export without .git"},
    {"/backup.zip", R"(^PK)", Severity::kHigh, "backup archive is served",
     "remove backups from the web root; keep them in private storage"},
    {"/backup.tar.gz", R"(^\x1f)", Severity::kHigh, "backup archive is served",
     "remove backups from the web root; keep them in private storage"},
    {"/dump.sql", R"((?i)(create table|insert into))", Severity::kHigh, "database dump is served",
     "remove the dump from the web root and treat its data as leaked"},
    {"/backup.sql", R"((?i)(create table|insert into))", Severity::kHigh, "database dump is served",
     "remove the dump from the web root and treat its data as leaked"},
};

const char* const kListingDirs[] = {"/static/", "/uploads/", "/assets/", "/files/"};
const char* const kAdminPaths[] = {"/admin", "/admin/", "/wp-admin/", "/phpmyadmin/"};

bool matches(const char* pattern, std::string_view body) {
  auto re = Regex::compile(pattern, RegexOptions{RegexOptions::Encoding::kLatin1});
  return re && re->partial_match(body);
}

bool is_html(const HttpResponse& r) {
  return to_lower(r.header("Content-Type").value_or("")).find("html") != std::string::npos;
}

// Writes the fetched maps to a private temp dir and runs the artifact scanner over it.
std::vector<SecretFinding> scan_served(
    const std::vector<std::pair<std::string, std::string>>& files, const EnvReport* env) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "golive-audit-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) return {};
  const std::filesystem::path dir(tmpl);
  for (std::size_t i = 0; i < files.size(); ++i) {
    std::ofstream(dir / ("file" + std::to_string(i))) << files[i].second;
  }
  const EnvReport empty;
  auto found = scan_for_secrets(dir.string(), env != nullptr ? *env : empty);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  if (!found) return {};
  for (auto& f : *found) {
    const auto idx = std::stoul(f.file.substr(4));
    f.file = idx < files.size() ? files[idx].first : f.file;
  }
  return std::move(*found);
}

void check_source_maps(const AuditInput& in, Probe& probe, RiskList& out) {
  std::vector<std::pair<std::string, std::string>> maps;
  for (const auto& url : in.launch.static_urls) {
    if (!url.ends_with(".js") || maps.size() >= 10) continue;
    auto r = probe.get(url + ".map");
    if (!r || r->status != 200 || is_html(*r) ||
        r->body.find("\"mappings\"") == std::string::npos) {
      continue;
    }
    maps.emplace_back(url + ".map", r->body);
  }
  if (maps.empty()) return;
  const auto secrets = scan_served(maps, in.env);
  for (const auto& f : secrets) {
    out.add(Severity::kCritical, "exposure", "secret in a served source map",
            f.file + " contains a " + f.what,
            "stop publishing source maps (or upload them to the error tracker only), remove the "
            "secret from frontend code and rotate it");
  }
  if (secrets.empty()) {
    out.add(Severity::kLow, "exposure", "source maps are public", maps.front().first + " is served",
            "upload source maps to the error tracker and do not serve them");
  }
}

}  // namespace

void audit_exposure(const AuditInput& in, Probe& probe, RiskList& out) {
  const std::string origin = url_origin(in.launch.url);
  for (const auto& f : kFiles) {
    auto r = probe.get(origin + f.path);
    if (!r || r->status != 200 || is_html(*r) || !matches(f.shape, r->body)) continue;
    out.add(f.severity, "exposure", f.title, "GET " + origin + f.path + " answered 200", f.fix);
  }
  for (const char* dir : kListingDirs) {
    auto r = probe.get(origin + dir);
    if (!r || r->status != 200 ||
        !matches(R"((?i)<title>\s*(index of|directory listing))", r->body)) {
      continue;
    }
    out.add(Severity::kMedium, "exposure", "directory listing",
            "GET " + origin + dir + " lists its files",
            "turn off autoindex (nginx `autoindex off;`, Apache `Options -Indexes`)");
  }
  for (const char* path : kAdminPaths) {
    auto r = probe.get(origin + path);
    if (!r || r->status != 200) continue;
    out.add(Severity::kHigh, "exposure", "admin path answers without a session",
            "GET " + origin + path + " answered 200 without any session",
            "require an admin session on " + std::string(path) +
                " (redirect to the login or 401/403) and list it in launch.access rules");
  }
  check_source_maps(in, probe, out);
}

}  // namespace golive
