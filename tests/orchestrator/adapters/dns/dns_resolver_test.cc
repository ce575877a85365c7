// The libresolv adapter against a real DNS server (dnsmasq) on loopback.
#include "orchestrator/adapters/dns/dns_resolver.h"

#include <gtest/gtest.h>

#include <memory>

#include "tests/harness/dns_server.h"

namespace golive {
namespace {

class DnsResolverTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!testing::have_dnsmasq()) return;
    server_ = std::make_unique<testing::DnsServer>(std::vector<testing::DnsZone>{
        {"dns.test",
         {{"dns.test", "v=spf1 -all"}, {"_dmarc.dns.test", "v=DMARC1; p=reject"}},
         {{"dns.test", "mx1.dns.test"}}}});
  }
  static void TearDownTestSuite() { server_.reset(); }
  void SetUp() override {
    if (!server_) GTEST_SKIP() << "dnsmasq (dnsmasq-base) is not installed";
  }
  DnsOptions options() const { return {server_->server(), std::chrono::seconds(2)}; }
  static std::unique_ptr<testing::DnsServer> server_;
};
std::unique_ptr<testing::DnsServer> DnsResolverTest::server_;

TEST_F(DnsResolverTest, ReadsTxtRecords) {
  auto a = dns_txt("dns.test", options());
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_TRUE(a->exists);
  EXPECT_EQ(a->records, std::vector<std::string>{"v=spf1 -all"});
  auto d = dns_txt("_dmarc.dns.test", options());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->records, std::vector<std::string>{"v=DMARC1; p=reject"});
}

TEST_F(DnsResolverTest, ReadsMxRecords) {
  auto a = dns_mx("dns.test", options());
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->records, std::vector<std::string>{"10 mx1.dns.test"});
}

TEST_F(DnsResolverTest, MissingNameIsAnAnswerNotAnError) {
  auto a = dns_txt("sel._domainkey.dns.test", options());
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_TRUE(a->records.empty());
}

TEST(DnsResolver, NoServerIsAnError) {
  // A UDP port nobody listens on: the query times out (refused) and says so.
  auto a = dns_txt("dns.test", DnsOptions{"127.0.0.1:9", std::chrono::seconds(1)});
  EXPECT_FALSE(a);
}

TEST(DnsResolver, ServerSyntax) {
  EXPECT_EQ(parse_dns_server("127.0.0.1:5353").value(),
            (std::pair<std::string, int>{"127.0.0.1", 5353}));
  EXPECT_EQ(parse_dns_server("10.0.0.2").value().second, 53);
  EXPECT_FALSE(parse_dns_server("localhost:53"));
  EXPECT_FALSE(parse_dns_server("127.0.0.1:99999"));
}

}  // namespace
}  // namespace golive
