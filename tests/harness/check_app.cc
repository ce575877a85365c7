#include "tests/harness/check_app.h"

#include <stdexcept>

#include "orchestrator/adapters/http/curl_http.h"

namespace golive::testing {

void set_breaks(const PythonServer& app, const std::string& breaks, const std::string& ca_file) {
  HttpRequest req;
  req.url = app.url(ca_file.empty() ? "http" : "https") + "/__admin/break?set=" + breaks;
  req.ca_file = ca_file;
  auto r = http_fetch(req);
  if (!r || r->status != 200) throw std::runtime_error("could not set breaks " + breaks);
}

}  // namespace golive::testing
