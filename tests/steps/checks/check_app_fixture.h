// A test fixture sharing one check_app.py server per suite; each test starts from the good case.
#pragma once

#include <gtest/gtest.h>

#include "golive/gate.h"
#include "tests/harness/check_app.h"
#include "tests/harness/check_fakes.h"
#include "tests/harness/python_server.h"

namespace golive {

class CheckAppTest : public ::testing::Test {
 protected:
  // The server starts on first use (good case) and lives for the suite.
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    if (server_ != nullptr) testing::set_breaks(*server_, "");
  }

  const testing::PythonServer& app() const {
    if (server_ == nullptr)
      server_ = new testing::PythonServer("check_app.py", {"--slow-ms", "250"});
    return *server_;
  }
  std::string url(const std::string& path) const { return app().url() + path; }
  CheckAttempt run(const std::string& name, CheckSpec spec, const std::string& host = "") {
    return runner->attempt(testing::rendered(name, std::move(spec), host));
  }
  LoginCheck good_login() const {
    LoginCheck l;
    l.url = url("/login");
    l.user = "smoke";
    l.password = "s3cret-smoke-pass";
    l.then = url("/dashboard");
    return l;
  }

  testing::FakeLocalProcess local;
  std::unique_ptr<CheckRunner> runner = make_check_runner({}, local);

 private:
  static inline testing::PythonServer* server_ = nullptr;
};

}  // namespace golive
