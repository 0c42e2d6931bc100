#include "wire/extension_rules.h"

#include <gtest/gtest.h>

#include "wire/certificate.h"
#include "wire/encrypted_extensions.h"
#include "wire/hello.h"
#include "wire/post_handshake.h"
#include "wire_test_util.h"

namespace tessera::wire {
namespace {

using C = ExtensionContext;
using testing::body_of;
using testing::load_vector;

TEST(ExtensionRules, Rfc8446Table) {
  EXPECT_EQ(tls13_extension_allowed(kExtKeyShare, C::hello_retry_request), true);
  EXPECT_EQ(tls13_extension_allowed(kExtKeyShare, C::encrypted_extensions), false);
  EXPECT_EQ(tls13_extension_allowed(kExtCookie, C::hello_retry_request), true);
  EXPECT_EQ(tls13_extension_allowed(kExtCookie, C::server_hello), false);
  EXPECT_EQ(tls13_extension_allowed(kExtPreSharedKey, C::server_hello), true);
  EXPECT_EQ(tls13_extension_allowed(kExtPreSharedKey, C::hello_retry_request), false);
  EXPECT_EQ(tls13_extension_allowed(kExtEarlyData, C::new_session_ticket), true);
  EXPECT_EQ(tls13_extension_allowed(kExtEarlyData, C::server_hello), false);
  EXPECT_EQ(tls13_extension_allowed(kExtStatusRequest, C::certificate), true);
  EXPECT_EQ(tls13_extension_allowed(kExtServerName, C::certificate), false);
  EXPECT_EQ(tls13_extension_allowed(kExtOidFilters, C::certificate_request), true);
  EXPECT_EQ(tls13_extension_allowed(kExtOidFilters, C::client_hello), false);
  EXPECT_EQ(tls13_extension_allowed(kExtSignatureAlgorithms, C::certificate_request), true);
  EXPECT_EQ(tls13_extension_allowed(kExtAlpn, C::encrypted_extensions), true);
  EXPECT_EQ(tls13_extension_allowed(kExtAlpn, C::server_hello), false);
  // TLS 1.2-only extensions: only in a ClientHello.
  EXPECT_EQ(tls13_extension_allowed(kExtExtendedMasterSecret, C::client_hello), true);
  EXPECT_EQ(tls13_extension_allowed(kExtExtendedMasterSecret, C::encrypted_extensions), false);
  EXPECT_EQ(tls13_extension_allowed(kExtRenegotiationInfo, C::server_hello), false);
  // Unrecognized types are not judged.
  EXPECT_EQ(tls13_extension_allowed(0xfafa, C::server_hello), std::nullopt);
}

// Every extension in the RFC 8448 messages is where RFC 8446 allows it.
TEST(ExtensionRules, Rfc8448MessagesPass) {
  for (const char* name : {"rfc8448_s3_client_client_hello", "rfc8448_s4_client_client_hello",
                           "rfc8448_s5_client_client_hello2", "rfc8448_s7_client_client_hello"}) {
    Bytes msg = load_vector(name);
    auto ch = ClientHello::parse(body_of(msg, HandshakeType::client_hello));
    ASSERT_TRUE(ch.ok()) << name;
    EXPECT_TRUE(check_tls13_extensions(ch->extensions, C::client_hello).ok()) << name;
  }
  auto hrr = ServerHello::parse(
      body_of(load_vector("rfc8448_s5_server_hello_retry_request"), HandshakeType::server_hello));
  ASSERT_TRUE(hrr.ok());
  EXPECT_TRUE(check_tls13_extensions(hrr->extensions, C::hello_retry_request).ok());
  // The HRR's cookie is not allowed in a ServerHello.
  auto as_sh = check_tls13_extensions(hrr->extensions, C::server_hello);
  ASSERT_FALSE(as_sh.ok());
  EXPECT_EQ(as_sh.error().alert(), AlertDescription::illegal_parameter);
  EXPECT_NE(as_sh.error().message().find("cookie"), std::string::npos) << as_sh.error().message();

  auto sh = ServerHello::parse(
      body_of(load_vector("rfc8448_s4_server_server_hello"), HandshakeType::server_hello));
  ASSERT_TRUE(sh.ok());
  EXPECT_TRUE(check_tls13_extensions(sh->extensions, C::server_hello).ok());
  for (const char* name :
       {"rfc8448_s3_server_encrypted_extensions", "rfc8448_s4_server_encrypted_extensions"}) {
    auto ee =
        EncryptedExtensions::parse(body_of(load_vector(name), HandshakeType::encrypted_extensions));
    ASSERT_TRUE(ee.ok());
    EXPECT_TRUE(check_tls13_extensions(ee->extensions, C::encrypted_extensions).ok()) << name;
  }
  auto cr = CertificateRequest13::parse(body_of(
      load_vector("rfc8448_s6_server_certificate_request"), HandshakeType::certificate_request));
  ASSERT_TRUE(cr.ok());
  EXPECT_TRUE(check_tls13_extensions(cr->extensions, C::certificate_request).ok());
  auto nst = NewSessionTicket::parse(body_of(load_vector("rfc8448_s3_server_new_session_ticket"),
                                             HandshakeType::new_session_ticket));
  ASSERT_TRUE(nst.ok());
  EXPECT_TRUE(check_tls13_extensions(nst->extensions, C::new_session_ticket).ok());
}

TEST(ExtensionRules, MisplacedExtensionIsIllegalParameter) {
  Extensions ee = {make_empty_extension(kExtServerName),
                   make_extension(kExtKeyShare, KeyShareHelloRetryRequest{0x001d})};
  auto r = check_tls13_extensions(ee, C::encrypted_extensions);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::illegal_parameter);
  EXPECT_EQ(r.error().message(),
            "EncryptedExtensions: extension key_share is not allowed in this message in TLS 1.3");
  // Unknown extensions pass.
  Extensions unknown = {Extension{0x7777, {}}};
  EXPECT_TRUE(check_tls13_extensions(unknown, C::server_hello).ok());
}

}  // namespace
}  // namespace tessera::wire
