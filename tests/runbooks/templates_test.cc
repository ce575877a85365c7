#include "runbooks/templates.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "golive/runbook_loader.h"
#include "tests/harness/scoped_temp_dir.h"
#include "tests/runbooks/runbook_test_support.h"

namespace golive {
namespace {

TEST(InitTemplates, WebIsTheDefaultAndStaticExists) {
  const auto names = init_template_names();
  ASSERT_GE(names.size(), 2u);
  EXPECT_EQ(names.front(), "web");
  EXPECT_NE(std::ranges::find(names, "static"), names.end());
  EXPECT_FALSE(init_template("nope"));
}

TEST(InitTemplates, EveryTemplateLoadsWithoutErrors) {
  for (const auto& name : init_template_names()) {
    SCOPED_TRACE(name);
    const auto files = init_template(name);
    ASSERT_TRUE(files);
    golive::testing::ScopedTempDir tmp("golive-init");
    const std::string dir = tmp.path();
    bool has_runbook = false;
    bool has_example = false;
    for (const auto& f : *files) {
      std::ofstream(dir + "/" + f.path) << f.content;
      has_runbook |= f.path == "golive.yml";
      has_example |= f.path == ".env.example";
    }
    EXPECT_TRUE(has_runbook);
    EXPECT_TRUE(has_example);
    EXPECT_TRUE(testing_support::LoadsCleanly(load_runbook_file(dir + "/golive.yml")));
    std::filesystem::remove_all(dir);
  }
}

TEST(ExampleRunbook, PortalLoadsWithoutErrors) {
  const auto r = load_runbook_file(std::string(GOLIVE_SOURCE_DIR) + "/examples/portal/golive.yml");
  ASSERT_TRUE(testing_support::LoadsCleanly(r));
  const Runbook& rb = *r.runbook;
  ASSERT_NE(rb.find_environment("staging"), nullptr);
  ASSERT_NE(rb.find_environment("production"), nullptr);
  EXPECT_EQ(rb.find_environment("staging")->hosts.at(0).address, "127.0.0.11");
  EXPECT_EQ(rb.find_environment("production")->hosts.at(2).address, "127.0.0.23");
  EXPECT_EQ(rb.find_environment("production")->strategy.batch_size, 1);
  EXPECT_EQ(rb.gate.window, std::chrono::seconds(20));
  EXPECT_EQ(rb.gate.interval, std::chrono::seconds(1));
  const auto migrate = std::ranges::find(rb.steps, std::string("migrate"), &Step::name);
  ASSERT_NE(migrate, rb.steps.end());
  EXPECT_TRUE(migrate->once);
  EXPECT_FALSE(migrate->undo.empty());
}

}  // namespace
}  // namespace golive
