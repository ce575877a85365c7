#include "tests/harness/test_certs.h"

#include "tests/harness/python_server.h"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace golive::testing {
namespace {

void run(const std::string& cmd) {
  if (std::system((cmd + " >/dev/null 2>&1").c_str()) != 0) {
    throw std::runtime_error("test certificate generation failed: " + cmd);
  }
}

// Signs `name`'s CSR with the CA for `days` days (-1: already expired) and `san`.
void sign(const std::string& dir, const std::string& name, const std::string& key,
          const std::string& san, int days) {
  const std::string ext = dir + "/" + name + ".ext";
  std::ofstream(ext) << "subjectAltName=" << san << "\nbasicConstraints=CA:FALSE\n";
  run("openssl req -new -key " + key + " -subj /CN=" + name + " -out " + dir + "/" + name +
      ".csr");
  run("openssl x509 -req -in " + dir + "/" + name + ".csr -CA " + dir + "/ca.crt -CAkey " + dir +
      "/ca.key -CAcreateserial -days " + std::to_string(days) + " -extfile " + ext + " -out " +
      dir + "/" + name + ".crt");
}

}  // namespace

TestCerts make_test_certs(const std::string& dir) {
  const std::string ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  run("openssl req -x509 " + ec + " -keyout " + dir + "/ca.key -out " + dir +
      "/ca.crt -days 30 -subj /CN=golive-test-ca");
  run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out " + dir +
      "/server.key");
  sign(dir, "good", dir + "/server.key", "IP:127.0.0.1,DNS:localhost", 30);
  sign(dir, "expired", dir + "/server.key", "IP:127.0.0.1,DNS:localhost", -1);
  sign(dir, "wrong", dir + "/server.key", "DNS:other.example", 30);
  return TestCerts{dir + "/ca.crt",     dir + "/good.crt", dir + "/server.key",
                   dir + "/expired.crt", dir + "/wrong.crt", dir + "/server.key"};
}

const TestCerts& shared_test_certs() {
  static TempDir dir;
  static const TestCerts certs = make_test_certs(dir.path());
  return certs;
}

}  // namespace golive::testing
