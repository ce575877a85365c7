// `golive audit` and `golive handover` through the real binary against a real HTTPS site on
// loopback (tests/fixtures/audit_site.py, weak and clean twins, certificates from a CA made in the
// test) and a real DNS server (dnsmasq): each planted weakness is found with its severity and exit
// 3; the clean twin has no critical/high finding and exits 0; no secret value is ever printed.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "golive/shell_quote.h"
#include "tests/harness/dns_server.h"
#include "tests/harness/python_server.h"
#include "tests/harness/scoped_temp_dir.h"
#include "tests/harness/test_certs.h"

namespace golive {
namespace {

const char* const kPasswords[] = {"Alice-S3cret-8842", "Bob-S3cret-1937", "Root-S3cret-5521"};
const char* const kApiToken = "tok_live_9f8e7d6c5b4a3210";

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string days_ago(int days) {
  const std::time_t t = std::time(nullptr) - days * 86400;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

struct AuditRun {
  int exit_code = -1;
  std::string out, err;
};

// One twin: its site, its runbook (and env file) in a temp dir.
struct Portal {
  Portal(const std::string& mode, const std::string& domain) {
    const auto& certs = testing::shared_test_certs();
    site = std::make_unique<testing::PythonServer>(
        "audit_site.py", std::vector<std::string>{
                             "--cert", mode == "weak" ? certs.expiring_cert : certs.good_cert,
                             "--key", mode == "weak" ? certs.key : certs.good_key, "--mode", mode});
    EXPECT_TRUE(site->wait_for_output("HTTP_PORT "));
    const std::string o = site->output();
    http_port = std::atoi(o.c_str() + o.find("HTTP_PORT ") + 10);
    origin = "https://127.0.0.1:" + std::to_string(site->port());
    write_runbook(mode, domain, certs.ca);
  }

  void write_runbook(const std::string& mode, const std::string& domain, const std::string& ca) {
    const std::string o = origin;
    const std::string fresh = days_ago(10);
    std::string rb =
        "version: 1\napp: portal\nenvironments:\n  production:\n"
        "    hosts: [ { name: web1, address: 127.0.0.1 } ]\n    env_file: prod.env\n"
        "release: { path: /srv/portal }\nsteps: [ { name: switch, switch: current } ]\n"
        "gate: { window: 3s, interval: 1s, consecutive: 1, timeout: 5s }\n"
        "checks:\n  - { name: matrix, access: launch }\nenv:\n  required:\n";
    for (const char* n : {"ALICE_PASSWORD", "BOB_PASSWORD", "ROOT_PASSWORD"}) {
      rb += std::string("    - { name: ") + n +
            ", secret: true, owner: qa, scope: test login, "
            "rotated: " +
            fresh + ", stored_in: vault }\n";
    }
    rb += mode == "weak" ? "    - { name: API_TOKEN, secret: true }\n"
                         : "    - { name: API_TOKEN, secret: true, owner: ops, rotated: " + fresh +
                               ", scope: api, stored_in: vault }\n";
    rb += "launch:\n  url: " + o + "\n  domain: " + domain +
          "\n  aliases: [ https://localhost:" + std::to_string(site->port()) +
          " ]\n  http_port: " + std::to_string(http_port) + "\n  redirects: [ { from: " + o +
          "/old, to: " + o + "/new, status: 301 } ]\n" + "  private_urls: [ " + o +
          "/dashboard ]\n  static_urls: [ " + o + "/static/app.js ]\n" + "  ca_file: " + ca +
          "\n  dkim_selectors: [ mail ]\n" + "  auth: { login_url: " + o +
          "/login, reset_url: " + o + "/reset, known_email: alice@portal.test }\n" +
          "  owners: { dns: ops@portal.test, registrar: finance@portal.test, ssl: ops@portal.test,"
          " email_dns: ops@portal.test }\n" +
          "  monitoring: [ { name: uptime, url: https://status.portal.test, owner: ops } ]\n" +
          "  access:\n    sessions:\n      guest: {}\n";
    const char* users[] = {"alice", "bob", "root"};
    const char* vars[] = {"ALICE_PASSWORD", "BOB_PASSWORD", "ROOT_PASSWORD"};
    for (int i = 0; i < 3; ++i) {
      rb += std::string("      ") + users[i] + ": { login: " + o + "/login, user: " + users[i] +
            ", password: \"{{ env." + vars[i] + " }}\" }\n";
    }
    rb += "    rules:\n      - { url: " + o + "/invoices/1, allow: [ alice, root ] }\n" +
          "      - { url: " + o + "/invoices/2, allow: [ bob, root ] }\n" + "      - { url: " + o +
          "/admin, allow: [ root ] }\n" + "      - { url: " + o +
          "/dashboard, allow: [ alice, bob, root ] }\n";
    std::ofstream(dir.path() + "/golive.yml") << rb;
    std::ofstream(dir.path() + "/prod.env")
        << "ALICE_PASSWORD=" << kPasswords[0] << "\nBOB_PASSWORD=" << kPasswords[1]
        << "\nROOT_PASSWORD=" << kPasswords[2] << "\nAPI_TOKEN=" << kApiToken << "\n";
  }

  AuditRun golive(const std::vector<std::string>& args, const std::string& dns) const {
    std::string cmd = "cd " + shell_quote(dir.path()) + " && GOLIVE_DNS_SERVER=" + dns +
                      " GOLIVE_LEDGER=" + shell_quote(dir.path() + "/ledger.db") + " " +
                      shell_quote(GOLIVE_BINARY);
    for (const auto& a : args) cmd += " " + shell_quote(a);
    cmd += " >" + shell_quote(dir.path() + "/out") + " 2>" + shell_quote(dir.path() + "/err");
    AuditRun r;
    const int status = std::system(cmd.c_str());
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(dir.path() + "/out");
    r.err = slurp(dir.path() + "/err");
    return r;
  }

  testing::ScopedTempDir dir;
  std::unique_ptr<testing::PythonServer> site;
  int http_port = 0;
  std::string origin;
};

void expect_no_secret(const std::string& text) {
  for (const char* p : kPasswords) EXPECT_EQ(text.find(p), std::string::npos) << p << " leaked";
  EXPECT_EQ(text.find(kApiToken), std::string::npos) << "API_TOKEN leaked";
}

class AuditScenario : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!testing::have_dnsmasq()) return;
    dns_ = std::make_unique<testing::DnsServer>(std::vector<testing::DnsZone>{
        {"weak.test",
         {{"weak.test", "v=spf1 +all"}, {"_dmarc.weak.test", "v=DMARC1; p=none"}},
         {{"weak.test", "mail.weak.test"}}},
        {"clean.test",
         {{"clean.test", "v=spf1 ip4:127.0.0.1 -all"},
          {"_dmarc.clean.test", "v=DMARC1; p=reject; rua=mailto:d@clean.test"},
          {"mail._domainkey.clean.test", "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A"}},
         {{"clean.test", "mail.clean.test"}}}});
  }
  static void TearDownTestSuite() { dns_.reset(); }
  void SetUp() override {
    if (!dns_) GTEST_SKIP() << "dnsmasq (dnsmasq-base) is not installed";
  }
  static std::unique_ptr<testing::DnsServer> dns_;
};
std::unique_ptr<testing::DnsServer> AuditScenario::dns_;

// The severity of the first finding with this family and title, or "" when absent.
std::string severity_of(const nlohmann::json& j, const std::string& family,
                        const std::string& title) {
  for (const auto& f : j["findings"]) {
    if (f["family"] == family && f["title"] == title) return f["severity"];
  }
  return "";
}

TEST_F(AuditScenario, WeakSiteYieldsEachPlantedFindingAndExit3) {
  Portal p("weak", "weak.test");
  const AuditRun r = p.golive(
      {"audit", "production", "--json", "--markdown", p.dir.path() + "/risks.md"}, dns_->server());
  ASSERT_EQ(r.exit_code, 3) << r.out << r.err;
  const auto j = nlohmann::json::parse(r.out);
  const std::vector<std::tuple<std::string, std::string, std::string>> planted{
      {"tls", "certificate expires within 7 days", "critical"},
      {"tls", "HSTS missing", "high"},
      {"tls", "plain HTTP does not redirect to HTTPS", "high"},
      {"tls", "alias does not redirect to the canonical host", "medium"},
      {"tls", "redirect map does not hold", "medium"},
      {"tls", "mixed content", "high"},
      {"exposure", "/.env is served", "critical"},
      {"exposure", "/.git is served", "critical"},
      {"exposure", "secret in a served source map", "critical"},
      {"auth", "session cookie without Secure", "high"},
      {"auth", "session cookie without SameSite", "medium"},
      {"auth", "password reset reveals which accounts exist", "medium"},
      {"cache", "private page is cacheable", "high"},
      {"access", "unauthorized access", "critical"},
      {"headers", "Server header leaks a version", "low"},
      {"headers", "Content-Security-Policy missing", "medium"},
      {"headers", "no frame protection (clickjacking)", "medium"},
      {"email", "SPF allows every sender (+all)", "critical"},
      {"email", "DMARC policy is p=none (monitoring only)", "medium"},
      {"email", "DKIM key missing", "high"},
      {"secrets", "secret without owner or rotation date", "medium"},
  };
  for (const auto& [family, title, severity] : planted) {
    EXPECT_EQ(severity_of(j, family, title), severity) << family << ": " << title << "\n" << r.out;
  }
  // The IDOR and the admin route are both named.
  EXPECT_NE(r.out.find("/invoices/2 as 'alice'"), std::string::npos);
  EXPECT_NE(r.out.find("/admin as 'bob'"), std::string::npos);
  // Ranked: critical first.
  EXPECT_EQ(j["findings"][0]["severity"], "critical");
  EXPECT_LE(j["requests"].get<int>(), 400);
  const std::string md = slurp(p.dir.path() + "/risks.md");
  EXPECT_NE(md.find("| 1 | **critical** |"), std::string::npos);
  expect_no_secret(r.out + r.err + md);
}

TEST_F(AuditScenario, CleanTwinHasNoCriticalOrHighAndExit0) {
  Portal p("clean", "clean.test");
  const AuditRun r = p.golive({"audit", "production"}, dns_->server());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.find("[CRITICAL]"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("[HIGH]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0 critical, 0 high"), std::string::npos) << r.out;
  expect_no_secret(r.out + r.err);
}

TEST_F(AuditScenario, AccessGateCheckFailsOnTheWeakSiteAndPassesOnTheClean) {
  Portal weak("weak", "weak.test");
  const AuditRun w = weak.golive({"smoke", "production"}, dns_->server());
  EXPECT_EQ(w.exit_code, 1) << w.out << w.err;
  EXPECT_NE((w.out + w.err).find("access control does not hold"), std::string::npos) << w.err;
  expect_no_secret(w.out + w.err);
  Portal clean("clean", "clean.test");
  const AuditRun c = clean.golive({"smoke", "production"}, dns_->server());
  EXPECT_EQ(c.exit_code, 0) << c.out << c.err;
}

TEST_F(AuditScenario, HandoverHasEverySectionAndNoSecret) {
  Portal p("clean", "clean.test");
  const std::string md = p.dir.path() + "/handover.md", html = p.dir.path() + "/handover.html";
  const AuditRun r =
      p.golive({"handover", "production", "--out", md, "--html", html}, dns_->server());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string doc = slurp(md);
  for (const char* section :
       {"## Environments and hosts", "## How to deploy and roll back",
        "## Checks that gate a release", "## Environment variables and secrets",
        "## Domains, redirects and SSL", "## Email DNS", "## Monitoring", "## Launch risks (audit)",
        "## Last releases"}) {
    EXPECT_NE(doc.find(section), std::string::npos) << section << "\n" << doc;
  }
  EXPECT_NE(doc.find("golive rollback production"), std::string::npos);
  EXPECT_NE(doc.find("clean.test TXT \"v=spf1 ip4:127.0.0.1 -all\""), std::string::npos) << doc;
  EXPECT_NE(doc.find("| ALICE_PASSWORD | yes | qa |"), std::string::npos) << doc;
  EXPECT_NE(doc.find("expires"), std::string::npos);
  const std::string page = slurp(html);
  EXPECT_NE(page.find("<h2>Email DNS</h2>"), std::string::npos);
  expect_no_secret(doc + page + r.out + r.err);
}

// The example portal's runbook (examples/portal) with nothing deployed: the handover still has
// every section (saying what is missing) and none of the example's secret values.
TEST_F(AuditScenario, HandoverOfTheExampleHasEverySectionAndNoSecret) {
  testing::ScopedTempDir dir;
  const std::string copy = "cp -r " +
                           shell_quote(std::string(GOLIVE_SOURCE_DIR) + "/examples/portal/.") +
                           " " + shell_quote(dir.path());
  ASSERT_EQ(std::system(copy.c_str()), 0);
  const std::string md = dir.path() + "/handover.md";
  const std::string cmd = "cd " + shell_quote(dir.path()) +
                          " && GOLIVE_DNS_SERVER=" + dns_->server() + " " +
                          shell_quote(GOLIVE_BINARY) + " handover staging --out " +
                          shell_quote(md) + " >" + shell_quote(dir.path() + "/out") + " 2>&1";
  const int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0) << slurp(dir.path() + "/out");
  const std::string doc = slurp(md);
  for (const char* section :
       {"## Environments and hosts", "## How to deploy and roll back",
        "## Checks that gate a release", "## Environment variables and secrets",
        "## Domains, redirects and SSL", "## Email DNS", "## Monitoring", "## Launch risks (audit)",
        "## Last releases"}) {
    EXPECT_NE(doc.find(section), std::string::npos) << section << "\n" << doc;
  }
  EXPECT_NE(doc.find("| SECRET_KEY | yes | dev@example.com |"), std::string::npos) << doc;
  EXPECT_NE(doc.find("Rollback budget: 2m"), std::string::npos) << doc;
  // Every value of the example's env file stays out (names appear, values never).
  std::ifstream env(dir.path() + "/.env.staging");
  for (std::string line; std::getline(env, line);) {
    const auto eq = line.find('=');
    if (line.empty() || line[0] == '#' || eq == std::string::npos) continue;
    std::string value = line.substr(eq + 1);
    if (value.size() >= 2 && (value[0] == '"' || value[0] == '\''))
      value = value.substr(1, value.size() - 2);
    if (value.size() < 8) continue;  // short values ("true", ports) are not secrets
    EXPECT_EQ(doc.find(value), std::string::npos) << line.substr(0, eq) << " leaked";
    EXPECT_EQ(slurp(dir.path() + "/out").find(value), std::string::npos);
  }
}

}  // namespace
}  // namespace golive
