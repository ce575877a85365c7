// Test support: the check_app.py fixture, shared by a test suite, with switchable behaviour.
#pragma once

#include <memory>
#include <string>

#include "tests/harness/python_server.h"

namespace golive::testing {

// Sets the fixture app's breaks (comma-separated, "" for the good case); throws when it fails.
// Over https when `ca_file` (the server's CA) is given.
void set_breaks(const PythonServer& app, const std::string& breaks,
                const std::string& ca_file = "");

}  // namespace golive::testing
