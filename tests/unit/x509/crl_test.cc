#include "x509/crl.h"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <sstream>

#include "base/hex.h"
#include "x509/der_writer.h"
#include "x509/name.h"
#include "x509/oid.h"
#include "x509/pem.h"

namespace tessera::x509 {
namespace {

std::string read_fixture(const std::string& name) {
  std::ifstream in(std::string(TESSERA_TEST_DATA_DIR) + "/x509/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Bytes crl_der() {
  Result<std::vector<Bytes>> ders = pem_decode_label(read_fixture("root.crl.pem"), pem_label::kCrl);
  EXPECT_TRUE(ders.ok());
  EXPECT_EQ(ders->size(), 1u);
  return ders->empty() ? Bytes{} : (*ders)[0];
}

TEST(Crl, ParsesOpensslCrl) {
  Result<Crl> crl = Crl::parse(crl_der());
  ASSERT_TRUE(crl.ok()) << crl.error().message();
  EXPECT_EQ(crl->version(), 2);
  EXPECT_EQ(crl->issuer().to_string(), "C=US, O=Tessera Test, CN=Tessera Test Root");
  EXPECT_EQ(crl->signature_algorithm().scheme, SignatureScheme::rsa_pkcs1_sha256);
  EXPECT_EQ(format_iso8601(crl->this_update()), "2026-11-26T23:45:19Z");
  ASSERT_TRUE(crl->next_update().has_value());
  EXPECT_EQ(format_iso8601(*crl->next_update()), "2126-11-02T23:45:19Z");
  ASSERT_EQ(crl->revoked().size(), 1u);
  EXPECT_EQ(to_hex(crl->revoked()[0].serial), "7055");
  EXPECT_EQ(crl->revoked()[0].reason, CrlReason::key_compromise);
  ASSERT_TRUE(crl->crl_number().has_value());
  EXPECT_EQ(to_hex(*crl->crl_number()), "1000");
  EXPECT_FALSE(crl->authority_key_id().has_value());  // openssl ca adds none by default
  EXPECT_FALSE(crl->has_unknown_critical_extension());
  EXPECT_FALSE(crl->is_delta());
  const uint8_t serial[] = {0x70, 0x55};
  EXPECT_NE(crl->find_revoked(serial), nullptr);
  const uint8_t other[] = {0x70, 0x56};
  EXPECT_EQ(crl->find_revoked(other), nullptr);
  EXPECT_EQ(crl->signature().size(), 256u);
}

TEST(Crl, TruncationAndTrailingDataFail) {
  Bytes der = crl_der();
  for (size_t n = 0; n < der.size(); ++n) {
    Result<Crl> c = Crl::parse(ByteView(der).first(n));
    ASSERT_FALSE(c.ok()) << n;
    ASSERT_EQ(c.error().code(), ErrorCode::cert_parse);
  }
  der.push_back(0);
  EXPECT_FALSE(Crl::parse(der).ok());
}

// A v2 CRL (unsigned: parse does not verify) whose crlExtensions are
// `exts` as written, and one entry with `entry_exts` if not empty.
Bytes crl_with_extensions(const std::function<void(DerWriter&)>& exts,
                          const std::function<void(DerWriter&)>& entry_exts = nullptr) {
  auto issuer = Name::from_string("CN=ext test");
  EXPECT_TRUE(issuer.ok());
  DerWriter w;
  w.sequence([&](DerWriter& cl) {
    cl.sequence([&](DerWriter& tbs) {
      tbs.integer(1);
      tbs.sequence([](DerWriter& a) {
        a.oid(oids::kSha256WithRsa);
        a.null();
      });
      tbs.raw(issuer->der());
      tbs.time(1800000000);
      if (entry_exts) {
        tbs.sequence([&](DerWriter& revoked) {
          revoked.sequence([&](DerWriter& e) {
            e.integer(5);
            e.time(1800000000);
            e.sequence([&](DerWriter& l) { entry_exts(l); });
          });
        });
      }
      if (exts)
        tbs.constructed(tag::context_constructed(0),
                        [&](DerWriter& c) { c.sequence([&](DerWriter& l) { exts(l); }); });
    });
    cl.sequence([](DerWriter& a) {
      a.oid(oids::kSha256WithRsa);
      a.null();
    });
    cl.bit_string(Bytes(4, 0xab));
  });
  return std::move(w).take();
}

void crl_number(DerWriter& l, int64_t n, bool critical_false = false) {
  l.sequence([&](DerWriter& e) {
    e.oid(oids::kCrlNumber);
    if (critical_false) e.boolean(false);
    e.octet_string_wrapping([&](DerWriter& v) { v.integer(n); });
  });
}

// RFC 5280 5.2: CRL extensions use the certificate's Extensions syntax, with
// its DER rules (parse_extension_list).
TEST(Crl, ExtensionListRules) {
  Result<Crl> good = Crl::parse(crl_with_extensions([](DerWriter& l) { crl_number(l, 9); }));
  ASSERT_TRUE(good.ok()) << good.error().message();
  ASSERT_TRUE(good->crl_number().has_value());
  EXPECT_EQ(to_hex(*good->crl_number()), "09");

  Result<Crl> twice = Crl::parse(crl_with_extensions([](DerWriter& l) {
    crl_number(l, 9);
    crl_number(l, 10);
  }));
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.error().message().find("duplicate extension"), std::string::npos)
      << twice.error().message();

  Result<Crl> empty = Crl::parse(crl_with_extensions([](DerWriter&) {}));
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message().find("empty extensions list"), std::string::npos)
      << empty.error().message();

  Result<Crl> ber = Crl::parse(crl_with_extensions([](DerWriter& l) { crl_number(l, 9, true); }));
  ASSERT_FALSE(ber.ok());
  EXPECT_NE(ber.error().message().find("FALSE must be omitted"), std::string::npos)
      << ber.error().message();

  Result<Crl> unknown = Crl::parse(crl_with_extensions([](DerWriter& l) {
    l.sequence([](DerWriter& e) {
      e.oid(Oid{0x2a, 0x03, 0x04});
      e.boolean(true);
      e.octet_string(Bytes{0x05, 0x00});
    });
  }));
  ASSERT_TRUE(unknown.ok()) << unknown.error().message();
  EXPECT_TRUE(unknown->has_unknown_critical_extension());
}

TEST(Crl, EntryExtensionRules) {
  auto reason = [](DerWriter& l, int64_t code) {
    l.sequence([&](DerWriter& e) {
      e.oid(oids::kCrlReason);
      e.octet_string_wrapping([&](DerWriter& v) { v.integer(code, tag::kEnumerated); });
    });
  };
  Result<Crl> good = Crl::parse(crl_with_extensions(nullptr, [&](DerWriter& l) { reason(l, 1); }));
  ASSERT_TRUE(good.ok()) << good.error().message();
  ASSERT_EQ(good->revoked().size(), 1u);
  EXPECT_EQ(good->revoked()[0].reason, CrlReason::key_compromise);

  Result<Crl> twice = Crl::parse(crl_with_extensions(nullptr, [&](DerWriter& l) {
    reason(l, 1);
    reason(l, 1);
  }));
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.error().message().find("crlEntryExtensions"), std::string::npos)
      << twice.error().message();
  EXPECT_NE(twice.error().message().find("duplicate extension"), std::string::npos);

  Result<Crl> seven = Crl::parse(crl_with_extensions(nullptr, [&](DerWriter& l) { reason(l, 7); }));
  ASSERT_FALSE(seven.ok());
  EXPECT_NE(seven.error().message().find("unknown reason code 7"), std::string::npos)
      << seven.error().message();

  // A list item that is not an Extension.
  Result<Crl> not_ext = Crl::parse(crl_with_extensions(nullptr, [](DerWriter& l) { l.null(); }));
  ASSERT_FALSE(not_ext.ok());
  EXPECT_EQ(not_ext.error().code(), ErrorCode::cert_parse);
}

}  // namespace
}  // namespace tessera::x509
