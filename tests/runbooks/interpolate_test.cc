#include "golive/interpolate.h"

#include <gtest/gtest.h>

namespace golive {
namespace {

struct Fixture {
  std::map<std::string, std::string> vars{{"base_url", "https://x.example"}, {"tier", "it's"}};
  std::map<std::string, std::string> env{{"SMTP_PASSWORD", "s3cret value"}};
  TemplateContext ctx() const {
    TemplateContext c;
    c.vars = &vars;
    c.env = &env;
    c.host = {{"name", "web1"}, {"address", "127.0.0.11"}, {"user", "deploy"}};
    c.release = {{"id", "20261129T101500Z-3f2a9c1"},
                 {"dir", "/srv/p/releases/20261129T101500Z-3f2a9c1"},
                 {"path", "/srv/p"},
                 {"previous", ""}};
    return c;
  }
};

TEST(Render, PlainTextInsertsValuesAsIs) {
  Fixture f;
  EXPECT_EQ(render("{{ base_url }}/login", f.ctx(), Quoting::kNone), "https://x.example/login");
  EXPECT_EQ(render("{{base_url}}", f.ctx(), Quoting::kNone), "https://x.example");
  EXPECT_EQ(render("http://{{ host.address }}:8080/", f.ctx(), Quoting::kNone),
            "http://127.0.0.11:8080/");
  EXPECT_EQ(render("{{ env.SMTP_PASSWORD }}", f.ctx(), Quoting::kNone), "s3cret value");
  EXPECT_EQ(render("no refs", f.ctx(), Quoting::kNone), "no refs");
  EXPECT_EQ(render("", f.ctx(), Quoting::kNone), "");
}

TEST(Render, ShellQuotesValuesAndKeepsEnvOffTheCommandLine) {
  Fixture f;
  EXPECT_EQ(render("echo {{ tier }}", f.ctx(), Quoting::kShell), "echo 'it'\\''s'");
  EXPECT_EQ(render("cd {{ release.dir }}", f.ctx(), Quoting::kShell),
            "cd '/srv/p/releases/20261129T101500Z-3f2a9c1'");
  EXPECT_EQ(render("x {{ release.previous }}", f.ctx(), Quoting::kShell), "x ''");
  const auto cmd = render("login {{ env.SMTP_PASSWORD }}", f.ctx(), Quoting::kShell);
  ASSERT_TRUE(cmd);
  EXPECT_EQ(*cmd, "login \"${SMTP_PASSWORD}\"");
  EXPECT_EQ(cmd->find("s3cret"), std::string::npos);
}

TEST(Render, EnvInShellNeedsNoValue) {
  TemplateContext ctx;  // no env map at all: the value is loaded remotely
  EXPECT_EQ(render("{{ env.DATABASE_URL }}", ctx, Quoting::kShell), "\"${DATABASE_URL}\"");
}

TEST(Render, UnknownReferencesAreErrorsNamingThem) {
  Fixture f;
  auto r = render("{{ nope }}", f.ctx(), Quoting::kNone);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("nope"), std::string::npos);
  r = render("{{ host.port }}", f.ctx(), Quoting::kShell);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("host.port"), std::string::npos);
  r = render("{{ env.MISSING }}", f.ctx(), Quoting::kNone);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("MISSING"), std::string::npos);
  r = render("{{ other.x }}", f.ctx(), Quoting::kNone);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("other.x"), std::string::npos);
}

TEST(Render, SyntaxErrors) {
  Fixture f;
  for (const char* bad :
       {"{{ base_url", "x {{", "{{ }}", "{{ a b }}", "{{ a.b.c }}", "{{ 1x }}", "{{ env. }}"}) {
    EXPECT_FALSE(render(bad, f.ctx(), Quoting::kNone)) << bad;
    EXPECT_FALSE(parse_template_references(bad)) << bad;
  }
  EXPECT_NE(render("{{ base_url", f.ctx(), Quoting::kNone).error().message.find("unterminated"),
            std::string::npos);
}

TEST(Render, BackslashEscapesLiteralBraces) {
  Fixture f;
  EXPECT_EQ(render("docker inspect --format '\\{{.State}}'", f.ctx(), Quoting::kShell),
            "docker inspect --format '{{.State}}'");
  EXPECT_EQ(template_references("\\{{ not_a_ref }} {{ tier }}"), std::vector<std::string>{"tier"});
}

TEST(TemplateReferences, ListsReferencesAsWritten) {
  EXPECT_EQ(template_references("{{ a }} and {{env.B}} {{  host.name  }}"),
            (std::vector<std::string>{"a", "env.B", "host.name"}));
  EXPECT_TRUE(template_references("plain").empty());
  EXPECT_TRUE(template_references("{{ broken").empty());
  EXPECT_EQ(template_references("single } brace {"), std::vector<std::string>{});
}

}  // namespace
}  // namespace golive
