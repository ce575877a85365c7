// environments.<name>.env_from and env.public in golive.yml: typed, and every mistake reported
// with file:line:col and key path.
#include <gtest/gtest.h>

#include "golive/runbook_loader.h"
#include "tests/runbooks/runbook_test_support.h"

namespace golive {
namespace {

using namespace std::chrono_literals;
using testing_support::HasError;
using testing_support::LoadsCleanly;

std::string with_env_from(const std::string& block) {
  std::string rb = testing_support::kMinimalRunbook;
  const std::string anchor = "    hosts:\n";
  return rb.insert(rb.find(anchor), block);
}

TEST(EnvFromSchema, ReadsEverySourceKindInOrder) {
  auto r = load_runbook_text(with_env_from(R"(    env_from:
      - file: .env.common
      - { age: secrets/staging.env.age, identity: ~/.config/age/portal.txt }
      - { command: "sops -d --output-type dotenv secrets.env", timeout: 10s }
      - values: { API_TOKEN: "op read op://ci/api/token", SENTRY_DSN: "cat dsn.txt" }
      - onepassword: { vault: Private, item: portal-staging }
      - vault: { path: secret/portal/staging }
      - aws_secrets_manager: { secret_id: portal/staging }
)") + "env:\n  public: [ APP_ENV ]\n  required:\n    - { name: PORT, secret: false }\n",
                             "golive.yml");
  ASSERT_TRUE(LoadsCleanly(r));
  const auto& from = r.runbook->environments[0].env_from;
  ASSERT_EQ(from.size(), 7u);
  EXPECT_EQ(from[0].kind, EnvSourceKind::kFile);
  EXPECT_EQ(from[0].path, ".env.common");
  EXPECT_EQ(from[1].kind, EnvSourceKind::kAge);
  EXPECT_EQ(from[1].identity, "~/.config/age/portal.txt");
  EXPECT_EQ(from[1].timeout, 30s);
  EXPECT_EQ(from[2].command, "sops -d --output-type dotenv secrets.env");
  EXPECT_EQ(from[2].timeout, 10s);
  ASSERT_EQ(from[3].values.size(), 2u);
  EXPECT_EQ(from[3].values[0].first, "API_TOKEN");
  EXPECT_EQ(from[3].values[1].second, "cat dsn.txt");
  EXPECT_EQ(from[4].vault, "Private");
  EXPECT_EQ(from[4].item, "portal-staging");
  EXPECT_EQ(from[5].path, "secret/portal/staging");
  EXPECT_EQ(from[6].secret_id, "portal/staging");
  EXPECT_EQ(from[2].pos.line, 8);
  EXPECT_EQ(r.runbook->env.public_names, (std::vector<std::string>{"PORT", "APP_ENV"}));
}

TEST(EnvFromSchema, EveryMistakeHasItsPosition) {
  auto r = load_runbook_text(with_env_from(R"(    env_from:
      - { file: a.env, age: b.age }
      - { fiel: a.env }
      - { command: "echo {{ env.X }}" }
      - { file: a.env, identity: key.txt, timeout: 5s }
      - { age: s.age, identity: AGE-SECRET-KEY-1QQQQ }
      - values: { 1BAD: "echo 1" }
      - onepassword: { vault: Private }
      - vault: { path: x, field: y }
      - { aws_secrets_manager: { secret_id: x }, timeout: 0s }
      - just-a-string
)"),
                             "golive.yml");
  const std::string p = "environments.staging.env_from";
  EXPECT_TRUE(HasError(r, 6, 24, p + "[0].age", "one source per entry"));
  EXPECT_TRUE(HasError(r, 7, 11, p + "[1].fiel", "did you mean `file`"));
  EXPECT_TRUE(HasError(r, 7, 9, p + "[1]", "needs one of file, age, command"));
  EXPECT_TRUE(HasError(r, 8, 20, p + "[2].command", "`{{` is not expanded"));
  EXPECT_TRUE(HasError(r, 9, 24, p + "[3].identity", "belongs to an `age:` source"));
  EXPECT_TRUE(HasError(r, 9, 43, p + "[3].timeout", "not `file:`"));
  EXPECT_TRUE(HasError(r, 10, 33, p + "[4].identity", "not the key itself"));
  EXPECT_TRUE(HasError(r, 11, 19, p + "[5].values.1BAD", "not a valid environment variable"));
  EXPECT_TRUE(HasError(r, 12, 22, p + "[6].onepassword.item", "missing required key `item`"));
  EXPECT_TRUE(HasError(r, 13, 27, p + "[7].vault.field", "unknown key"));
  EXPECT_TRUE(HasError(r, 14, 59, p + "[8].timeout", "invalid duration `0s`"));
  EXPECT_TRUE(HasError(r, 15, 9, p + "[9]", "expected a mapping"));
  for (const auto& d : r.errors) {
    EXPECT_EQ(d.message.find("AGE-SECRET-KEY-1QQQQ"), std::string::npos) << d.message;
  }
}

TEST(EnvFromSchema, PublicNamesAreNamesAndNotAlsoSecrets) {
  std::string rb = testing_support::kMinimalRunbook +
                   "env:\n  secrets: [ API_KEY ]\n  public: [ API_KEY, bad-name ]\n";
  auto r = load_runbook_text(rb, "golive.yml");
  EXPECT_TRUE(HasError(r, 12, 13, "env.public[0]", "also listed in env.secrets"));
  EXPECT_TRUE(HasError(r, 12, 22, "env.public[1]", "not a valid environment variable name"));
}

}  // namespace
}  // namespace golive
