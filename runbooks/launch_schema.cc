#include "runbooks/launch_schema.h"

#include <algorithm>
#include <array>
#include <set>
#include <string_view>

#include "runbooks/yaml_reader.h"

namespace golive {
namespace {

template <std::size_t N>
using Keys = std::array<std::string_view, N>;

constexpr Keys<16> kLaunchKeys{
    "url",        "domain",       "aliases",        "http_port",
    "redirects",  "private_urls", "static_urls",    "health_url",
    "monitoring", "owners",       "dkim_selectors", "auth",
    "access",     "ca_file",      "latency_target", "secret_max_age_days"};
constexpr Keys<3> kRedirectKeys{"from", "to", "status"};
constexpr Keys<3> kMonitorKeys{"name", "url", "owner"};
constexpr Keys<4> kAuthKeys{"login_url", "reset_url", "email_field", "known_email"};
constexpr Keys<3> kAccessKeys{"sessions", "rules", "ca_file"};
constexpr Keys<5> kSessionKeys{"login", "user", "password", "user_field", "password_field"};
constexpr Keys<2> kRuleKeys{"url", "allow"};
constexpr Keys<5> kOwnerRoles{"dns", "registrar", "ssl", "email_dns", "app"};

bool is_http_url(std::string_view s) {
  return s.starts_with("http://") || s.starts_with("https://") || s.starts_with("{{");
}

class LaunchReader {
 public:
  LaunchReader(std::vector<TemplateSite>& t, Diagnostics& d) : t_(t), d_(d) {}

  std::string text(const YamlNode& node, const std::string& path, bool url) {
    auto s = read_string(node, path, d_);
    if (!s) return {};
    if (s->find("{{") != std::string::npos) t_.push_back({*s, node.pos, path, kScopeEnv});
    if (url && !is_http_url(*s)) {
      d_.error(node.pos, path, "`" + *s + "` must start with http:// or https://");
    }
    return std::move(*s);
  }

  std::string field(const Fields& f, std::string_view key, const std::string& parent, bool url) {
    const auto* e = f.get(key);
    return e == nullptr ? std::string() : text(e->value, child_path(parent, key), url);
  }

  std::vector<std::string> urls(const YamlNode& node, const std::string& path) {
    std::vector<std::string> out;
    const auto* items = read_list(node, path, d_);
    if (items == nullptr) return out;
    for (std::size_t i = 0; i < items->size(); ++i) {
      auto s = text((*items)[i], item_path(path, i), true);
      if (!s.empty()) out.push_back(std::move(s));
    }
    return out;
  }

  std::string required(const Fields& f, std::string_view key, SourcePos pos,
                       const std::string& parent, bool url) {
    if (!f.has(key)) {
      d_.error(pos, child_path(parent, key), "missing required key `" + std::string(key) + "`");
      return {};
    }
    return field(f, key, parent, url);
  }

  void redirects(const YamlNode& node, const std::string& path, LaunchSpec& out) {
    const auto* items = read_list(node, path, d_);
    if (items == nullptr) return;
    for (std::size_t i = 0; i < items->size(); ++i) {
      const std::string p = item_path(path, i);
      const auto f = read_fields((*items)[i], p, kRedirectKeys, d_);
      if (!f) continue;
      LaunchRedirect r;
      r.from = required(*f, "from", (*items)[i].pos, p, true);
      r.to = required(*f, "to", (*items)[i].pos, p, true);
      if (const auto* e = f->get("status")) {
        if (auto v = read_int(e->value, child_path(p, "status"), d_, 300, 399)) r.status = *v;
      }
      out.redirects.push_back(std::move(r));
    }
  }

  void monitoring(const YamlNode& node, const std::string& path, LaunchSpec& out) {
    const auto* items = read_list(node, path, d_);
    if (items == nullptr) return;
    for (std::size_t i = 0; i < items->size(); ++i) {
      const std::string p = item_path(path, i);
      const auto f = read_fields((*items)[i], p, kMonitorKeys, d_);
      if (!f) continue;
      LaunchMonitor m;
      m.name = required(*f, "name", (*items)[i].pos, p, false);
      m.url = required(*f, "url", (*items)[i].pos, p, true);
      m.owner = field(*f, "owner", p, false);
      out.monitoring.push_back(std::move(m));
    }
  }

  void owners(const YamlNode& node, const std::string& path, LaunchSpec& out) {
    const auto f = read_fields(node, path, kOwnerRoles, d_, "owner role");
    if (!f) return;
    for (const auto* e : f->in_order()) {
      if (auto s = read_string(e->value, child_path(path, e->key), d_)) out.owners[e->key] = *s;
    }
  }

  void auth(const YamlNode& node, const std::string& path, LaunchAuth& out) {
    const auto f = read_fields(node, path, kAuthKeys, d_);
    if (!f) return;
    out.login_url = field(*f, "login_url", path, true);
    out.reset_url = field(*f, "reset_url", path, true);
    if (f->has("email_field")) out.email_field = field(*f, "email_field", path, false);
    out.known_email = field(*f, "known_email", path, false);
  }

  AccessSession session(const YamlEntry& e, const std::string& path) {
    AccessSession s;
    s.name = e.key;
    if (e.value.is_null() || (e.value.is_map() && e.value.entries.empty())) return s;  // guest
    const auto f = read_fields(e.value, path, kSessionKeys, d_);
    if (!f) return s;
    s.url = required(*f, "login", e.value.pos, path, true);
    s.user = required(*f, "user", e.value.pos, path, false);
    s.password = required(*f, "password", e.value.pos, path, false);
    if (f->has("user_field")) s.user_field = field(*f, "user_field", path, false);
    if (f->has("password_field")) s.password_field = field(*f, "password_field", path, false);
    if (!s.password.empty() && s.password.find("{{") == std::string::npos) {
      // Never echo it: diagnostics are printed and may be logged.
      d_.error(f->get("password")->value.pos, child_path(path, "password"),
               "write the password as `{{ env.NAME }}`, not in golive.yml");
    }
    return s;
  }

  void rules(const YamlNode& node, const std::string& path, AccessCheck& out,
             const std::set<std::string>& names) {
    const auto* items = read_list(node, path, d_);
    if (items == nullptr) return;
    for (std::size_t i = 0; i < items->size(); ++i) {
      const std::string p = item_path(path, i);
      const auto f = read_fields((*items)[i], p, kRuleKeys, d_);
      if (!f) continue;
      AccessRule r;
      r.url = required(*f, "url", (*items)[i].pos, p, true);
      if (const auto* e = f->get("allow")) {
        const YamlNode& v = e->value;
        if (v.is_sequence() && v.items.empty()) {
          // allow: []: nobody but the ones listed, i.e. nobody.
        } else if (auto list = read_string_list(v, child_path(p, "allow"), d_)) {
          for (std::size_t k = 0; k < list->size(); ++k) {
            if (!names.contains((*list)[k])) {
              d_.error(v.items[k].pos, item_path(child_path(p, "allow"), k),
                       "no session named `" + (*list)[k] + "` in sessions");
            }
          }
          r.allow = std::move(*list);
        }
      } else {
        d_.error((*items)[i].pos, child_path(p, "allow"), "missing required key `allow`");
      }
      out.rules.push_back(std::move(r));
    }
  }

  AccessCheck access(const YamlNode& node, const std::string& path) {
    AccessCheck out;
    if (node.is_scalar() && node.scalar == "launch") {
      out.from_launch = true;
      return out;
    }
    const auto f = read_fields(node, path, kAccessKeys, d_);
    if (!f) return out;
    std::set<std::string> names;
    if (const auto* e = f->get("sessions")) {
      const std::string p = child_path(path, "sessions");
      if (const auto entries = read_entries(e->value, p, d_, "session")) {
        for (const auto* s : *entries) {
          out.sessions.push_back(session(*s, child_path(p, s->key)));
          names.insert(s->key);
        }
      }
    } else {
      d_.error(node.pos, child_path(path, "sessions"), "missing required key `sessions`");
    }
    if (const auto* e = f->get("rules")) rules(e->value, child_path(path, "rules"), out, names);
    out.ca_file = field(*f, "ca_file", path, false);
    return out;
  }

  void read(const YamlNode& node, const std::string& path, LaunchSpec& out) {
    const auto f = read_fields(node, path, kLaunchKeys, d_);
    if (!f) return;
    out.present = true;
    for (const auto* e : f->in_order()) out.keys_set.push_back(e->key);
    out.url = field(*f, "url", path, true);
    out.domain = field(*f, "domain", path, false);
    if (const auto* e = f->get("aliases"))
      out.aliases = urls(e->value, child_path(path, "aliases"));
    if (const auto* e = f->get("http_port")) {
      if (auto v = read_int(e->value, child_path(path, "http_port"), d_, 1, 65535)) {
        out.http_port = *v;
      }
    }
    if (const auto* e = f->get("redirects"))
      redirects(e->value, child_path(path, "redirects"), out);
    if (const auto* e = f->get("private_urls")) {
      out.private_urls = urls(e->value, child_path(path, "private_urls"));
    }
    if (const auto* e = f->get("static_urls")) {
      out.static_urls = urls(e->value, child_path(path, "static_urls"));
    }
    out.health_url = field(*f, "health_url", path, true);
    read_rest(*f, path, out);
  }

  void read_rest(const Fields& f, const std::string& path, LaunchSpec& out) {
    if (const auto* e = f.get("monitoring")) {
      monitoring(e->value, child_path(path, "monitoring"), out);
    }
    if (const auto* e = f.get("owners")) owners(e->value, child_path(path, "owners"), out);
    if (const auto* e = f.get("dkim_selectors")) {
      if (auto v = read_string_list(e->value, child_path(path, "dkim_selectors"), d_)) {
        out.dkim_selectors = std::move(*v);
      }
    }
    if (const auto* e = f.get("auth")) auth(e->value, child_path(path, "auth"), out.auth);
    if (const auto* e = f.get("access")) {
      out.access = access(e->value, child_path(path, "access"));
      if (out.access.from_launch) {
        d_.error(e->value.pos, child_path(path, "access"),
                 "`access: launch` is for gate checks; write the matrix here");
      }
    }
    out.ca_file = field(f, "ca_file", path, false);
    if (const auto* e = f.get("latency_target")) {
      if (auto v = read_duration(e->value, child_path(path, "latency_target"), d_)) {
        out.latency_target = *v;
      }
    }
    if (const auto* e = f.get("secret_max_age_days")) {
      if (auto v = read_int(e->value, child_path(path, "secret_max_age_days"), d_, 1, 3650)) {
        out.secret_max_age_days = *v;
      }
    }
  }

 private:
  std::vector<TemplateSite>& t_;
  Diagnostics& d_;
};

}  // namespace

void read_launch(const YamlNode& node, const std::string& path, LaunchSpec& out,
                 std::vector<TemplateSite>& templates, Diagnostics& diags) {
  LaunchReader(templates, diags).read(node, path, out);
}

AccessCheck read_access(const YamlNode& node, const std::string& path,
                        std::vector<TemplateSite>& templates, Diagnostics& diags) {
  return LaunchReader(templates, diags).access(node, path);
}

void for_each_launch_template(LaunchSpec& spec, const std::function<void(std::string&)>& fn) {
  for (std::string* s : {&spec.url, &spec.domain, &spec.health_url, &spec.auth.login_url,
                         &spec.auth.reset_url, &spec.auth.known_email}) {
    fn(*s);
  }
  for (auto* list : {&spec.aliases, &spec.private_urls, &spec.static_urls}) {
    for (auto& s : *list) fn(s);
  }
  for (auto& r : spec.redirects) {
    fn(r.from);
    fn(r.to);
  }
  for (auto& m : spec.monitoring) fn(m.url);
  for (auto& s : spec.access.sessions) {
    fn(s.url);
    fn(s.user);
    fn(s.password);
  }
  for (auto& r : spec.access.rules) fn(r.url);
}

LaunchSpec Runbook::launch_for(const Environment& environment) const {
  LaunchSpec out = launch;
  const LaunchSpec& over = environment.launch;
  if (!over.present) return out;
  out.present = true;
  for (const auto& key : over.keys_set) {
    if (key == "url")
      out.url = over.url;
    else if (key == "domain")
      out.domain = over.domain;
    else if (key == "aliases")
      out.aliases = over.aliases;
    else if (key == "http_port")
      out.http_port = over.http_port;
    else if (key == "redirects")
      out.redirects = over.redirects;
    else if (key == "private_urls")
      out.private_urls = over.private_urls;
    else if (key == "static_urls")
      out.static_urls = over.static_urls;
    else if (key == "health_url")
      out.health_url = over.health_url;
    else if (key == "monitoring")
      out.monitoring = over.monitoring;
    else if (key == "owners")
      out.owners = over.owners;
    else if (key == "dkim_selectors")
      out.dkim_selectors = over.dkim_selectors;
    else if (key == "auth")
      out.auth = over.auth;
    else if (key == "access")
      out.access = over.access;
    else if (key == "ca_file")
      out.ca_file = over.ca_file;
    else if (key == "latency_target")
      out.latency_target = over.latency_target;
    else if (key == "secret_max_age_days")
      out.secret_max_age_days = over.secret_max_age_days;
  }
  return out;
}

}  // namespace golive
