#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "golive/env_check.h"
#include "tests/harness/scoped_temp_dir.h"

namespace golive {
namespace {

namespace fs = std::filesystem;

// A scan root holding dist/ (what is scanned) and outside/ (what must not be).
class ScanDir {
 public:
  ScanDir() {
    fs::create_directories(root() / "dist");
    fs::create_directories(root() / "outside");
  }
  void write(const std::string& rel, const std::string& text) const { tmp_.write(rel, text); }
  std::string dist() const { return (root() / "dist").string(); }
  fs::path root() const { return tmp_.path(); }

 private:
  testing::ScopedTempDir tmp_{"golive-scan"};
};

const std::string kPassword = "Sup3r-Secret-Smtp-Pass";

EnvReport report_with_secret() {
  EnvReport r;
  r.values["SMTP_PASSWORD"] = {kPassword, ".env.production", 3};
  r.values["BASE_URL"] = {"https://portal.example.com", ".env.production", 1};
  r.secret_names = {"SMTP_PASSWORD"};
  return r;
}

std::string describe(const std::vector<SecretFinding>& findings) {
  std::string out;
  for (const auto& f : findings) {
    out += f.file + "@" + std::to_string(f.offset) + ": " + f.what + "\n";
  }
  return out;
}

TEST(ScanForSecrets, FindsSecretValueAtItsExactOffset) {
  ScanDir dir;
  const std::string before = "var cfg={url:\"https://portal.example.com\",smtp:\"";
  dir.write("dist/app.js", before + kPassword + "\"};\n");
  dir.write("dist/index.html", "<html>https://portal.example.com</html>\n");
  auto findings = scan_for_secrets(dir.dist(), report_with_secret());
  ASSERT_TRUE(findings.has_value()) << findings.error().message;
  ASSERT_EQ(findings->size(), 1u) << describe(*findings);
  EXPECT_EQ((*findings)[0].file, "app.js");
  EXPECT_EQ((*findings)[0].offset, before.size());
  EXPECT_EQ((*findings)[0].what, "value of SMTP_PASSWORD");
  EXPECT_EQ(describe(*findings).find(kPassword), std::string::npos);
}

TEST(ScanForSecrets, FindsBase64FormInsideALargerBlob) {
  ScanDir dir;
  // "user:" + password, base64-encoded as in a Basic auth header baked into a bundle.
  dir.write("dist/js/chunk.js",
            "headers={Authorization:'Basic dXNlcjpTdXAzci1TZWNyZXQtU210cC1QYXNz'}");
  auto findings = scan_for_secrets(dir.dist(), report_with_secret());
  ASSERT_TRUE(findings.has_value()) << findings.error().message;
  ASSERT_EQ(findings->size(), 1u) << describe(*findings);
  EXPECT_EQ((*findings)[0].file, "js/chunk.js");
  EXPECT_EQ((*findings)[0].what, "value of SMTP_PASSWORD (base64)");
  // The core starts after the characters mixed with "user:" (5 bytes: 6 chars + 1 mixed).
  EXPECT_EQ((*findings)[0].offset, std::string("headers={Authorization:'Basic dXNlcjp").size());
}

TEST(ScanForSecrets, FindsWellKnownKeyShapes) {
  ScanDir dir;
  dir.write("dist/a.txt", "aws=AKIAIOSFODNN7EXAMPLE;\n");
  dir.write("dist/b/c.pem", "x\n-----BEGIN RSA PRIVATE KEY-----\nMIIE\n");
  dir.write("dist/d.js", "const t='ghp_" + std::string(36, 'a') + "';");
  dir.write("dist/e.js",
            "slack='xoxb-1234567890-abcdef';stripe='sk_live_" + std::string(24, 'Z') + "'");
  auto findings = scan_for_secrets(dir.dist(), EnvReport{});
  ASSERT_TRUE(findings.has_value()) << findings.error().message;
  EXPECT_EQ(describe(*findings),
            "a.txt@4: AWS access key id\n"
            "b/c.pem@2: private key\n"
            "d.js@9: GitHub token\n"
            "e.js@7: Slack token\n"
            "e.js@39: Stripe live secret key\n");
}

TEST(ScanForSecrets, CleanDirectoryPasses) {
  ScanDir dir;
  dir.write("dist/app.js", "console.log('https://portal.example.com');\n");
  dir.write("dist/empty.txt", "");
  std::string binary(4096, '\0');
  for (std::size_t i = 0; i < binary.size(); ++i) binary[i] = static_cast<char>(i * 31);
  dir.write("dist/img.bin", binary);
  auto findings = scan_for_secrets(dir.dist(), report_with_secret());
  ASSERT_TRUE(findings.has_value()) << findings.error().message;
  EXPECT_TRUE(findings->empty()) << describe(*findings);
}

TEST(ScanForSecrets, SkipsSymlinksLeavingTheDirectoryAndNeverOpensFifos) {
  ScanDir dir;
  dir.write("outside/leak.txt", kPassword);
  fs::create_symlink(dir.root() / "outside" / "leak.txt", dir.root() / "dist" / "link.txt");
  fs::create_directory_symlink(dir.root() / "outside", dir.root() / "dist" / "linkdir");
  ASSERT_EQ(mkfifo((dir.root() / "dist" / "pipe").c_str(), 0600), 0);
  dir.write("dist/inner/real.txt", "x" + kPassword);
  fs::create_symlink(dir.root() / "dist" / "inner" / "real.txt", dir.root() / "dist" / "alias.txt");
  auto findings = scan_for_secrets(dir.dist(), report_with_secret());
  ASSERT_TRUE(findings.has_value()) << findings.error().message;
  EXPECT_EQ(describe(*findings),
            "alias.txt@1: value of SMTP_PASSWORD\n"
            "inner/real.txt@1: value of SMTP_PASSWORD\n");
}

TEST(ScanForSecrets, LargeMappedFileAndUrlEncodedForm) {
  ScanDir dir;
  std::string big(3 << 20, 'a');
  const std::size_t at = big.size() - 100;
  const std::string encoded = "Sup3r-Secret-Smtp-Pass";  // unreserved only: same as raw
  big.replace(at, encoded.size(), encoded);
  dir.write("dist/big.map", big);
  EnvReport r = report_with_secret();
  r.values["DB_PASSWORD"] = {"p@ss word/1", ".env", 4};
  r.secret_names.push_back("DB_PASSWORD");
  dir.write("dist/u.txt", "postgres://u:p%40ss%20word%2F1@db");
  auto findings = scan_for_secrets(dir.dist(), r);
  ASSERT_TRUE(findings.has_value()) << findings.error().message;
  EXPECT_EQ(describe(*findings), "big.map@" + std::to_string(at) + ": value of SMTP_PASSWORD\n" +
                                     "u.txt@13: value of DB_PASSWORD (url-encoded)\n");
}

TEST(ScanForSecrets, MatchesAcrossTheSegmentsOfALargeFile) {
  ScanDir dir;
  // Large files are scanned in 8 MiB segments (in parallel); matches on a boundary still count.
  std::string big((9 << 20), 'x');
  const std::size_t boundary = 8 << 20;
  const std::size_t secret_at = boundary - 7;
  const std::size_t aws_at = big.size() - 40;  // in the last, shorter segment
  big.replace(secret_at, kPassword.size(), kPassword);
  big.replace(aws_at, 20, "AKIAIOSFODNN7EXAMPLE");
  dir.write("dist/huge.bin", big);
  auto findings = scan_for_secrets(dir.dist(), report_with_secret());
  ASSERT_TRUE(findings.has_value()) << findings.error().message;
  EXPECT_EQ(describe(*findings), "huge.bin@" + std::to_string(secret_at) +
                                     ": value of SMTP_PASSWORD\n" + "huge.bin@" +
                                     std::to_string(aws_at) + ": AWS access key id\n");
}

TEST(ScanForSecrets, MissingDirectoryIsAnError) {
  EXPECT_FALSE(scan_for_secrets("/nonexistent/golive/dist", EnvReport{}).has_value());
}

}  // namespace
}  // namespace golive
