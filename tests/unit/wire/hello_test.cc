#include "wire/hello.h"

#include <gtest/gtest.h>

#include "wire_test_util.h"

namespace tessera::wire {
namespace {

using testing::body_of;
using testing::H;
using testing::load_vector;
using testing::reencode;

std::vector<uint16_t> types_of(const Extensions& exts) {
  std::vector<uint16_t> t;
  for (const Extension& e : exts) t.push_back(e.type);
  return t;
}

bool is_decode_error(const Error& e) {
  return e.alert() == AlertDescription::decode_error &&
         error_code_group(e.code()) == ErrorGroup::decode;
}

// A minimal valid TLS 1.3 ClientHello to mutate in negative tests.
ClientHello small_client_hello() {
  ClientHello ch;
  ch.random.fill(0x11);
  ch.cipher_suites = {0x1301};
  ch.extensions.push_back(make_extension(kExtSupportedVersions, SupportedVersionsClient{{0x0304}}));
  ch.extensions.push_back(make_extension(kExtSupportedGroups, NamedGroupList{{0x001d}}));
  return ch;
}

Bytes body_bytes(const ClientHello& ch) {
  ByteWriter w;
  ch.serialize(w);
  return std::move(w).take();
}

// RFC 8448 3: the ClientHello of the simple 1-RTT handshake.
TEST(ClientHello, ParsesRfc8448Section3) {
  Bytes msg = load_vector("rfc8448_s3_client_client_hello");
  ASSERT_EQ(msg.size(), 196u);
  auto ch = ClientHello::parse(body_of(msg, HandshakeType::client_hello));
  ASSERT_TRUE(ch.ok()) << ch.error().to_string();
  EXPECT_EQ(ch->legacy_version, 0x0303);
  EXPECT_EQ(ch->random[0], 0xcb);
  EXPECT_EQ(ch->random[31], 0xe7);
  EXPECT_TRUE(ch->legacy_session_id.empty());
  EXPECT_EQ(ch->cipher_suites, (std::vector<uint16_t>{0x1301, 0x1303, 0x1302}));
  EXPECT_EQ(ch->legacy_compression_methods, Bytes{0});
  EXPECT_EQ(types_of(ch->extensions),
            (std::vector<uint16_t>{kExtServerName, kExtRenegotiationInfo, kExtSupportedGroups,
                                   kExtSessionTicket, kExtKeyShare, kExtSupportedVersions,
                                   kExtSignatureAlgorithms, kExtPskKeyExchangeModes,
                                   kExtRecordSizeLimit}));

  auto sni = ServerNameList::parse(ch->find_extension(kExtServerName)->data);
  ASSERT_TRUE(sni.ok());
  EXPECT_EQ(sni->host_name, "server");
  auto groups = NamedGroupList::parse(ch->find_extension(kExtSupportedGroups)->data);
  ASSERT_TRUE(groups.ok());
  EXPECT_EQ(groups->groups, (std::vector<uint16_t>{0x001d, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101,
                                                   0x0102, 0x0103, 0x0104}));
  auto ks = KeyShareClientHello::parse(ch->find_extension(kExtKeyShare)->data);
  ASSERT_TRUE(ks.ok());
  ASSERT_EQ(ks->client_shares.size(), 1u);
  EXPECT_EQ(ks->client_shares[0].group, 0x001d);
  EXPECT_EQ(ks->client_shares[0].key_exchange,
            H("99381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c"));
  auto versions = SupportedVersionsClient::parse(ch->find_extension(kExtSupportedVersions)->data);
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(versions->versions, std::vector<uint16_t>{0x0304});
  auto sigs = SignatureSchemeList::parse(ch->find_extension(kExtSignatureAlgorithms)->data);
  ASSERT_TRUE(sigs.ok());
  ASSERT_EQ(sigs->schemes.size(), 15u);
  EXPECT_EQ(sigs->schemes.front(), 0x0403);
  EXPECT_EQ(sigs->schemes.back(), 0x0202);
  auto modes = PskKeyExchangeModes::parse(ch->find_extension(kExtPskKeyExchangeModes)->data);
  ASSERT_TRUE(modes.ok());
  EXPECT_TRUE(modes->contains(PskKeyExchangeMode::psk_dhe_ke));
  EXPECT_FALSE(modes->contains(PskKeyExchangeMode::psk_ke));
  auto reneg = RenegotiationInfo::parse(ch->find_extension(kExtRenegotiationInfo)->data);
  ASSERT_TRUE(reneg.ok());
  EXPECT_TRUE(reneg->renegotiated_connection.empty());
  EXPECT_EQ(ch->find_extension(kExtCookie), nullptr);
  EXPECT_EQ(*ch->binders_size(), 0u);

  EXPECT_EQ(reencode(*ch), msg);
}

// RFC 8448 3: the ServerHello.
TEST(ServerHello, ParsesRfc8448Section3) {
  Bytes msg = load_vector("rfc8448_s3_server_server_hello");
  auto sh = ServerHello::parse(body_of(msg, HandshakeType::server_hello));
  ASSERT_TRUE(sh.ok()) << sh.error().to_string();
  EXPECT_EQ(sh->legacy_version, 0x0303);
  EXPECT_EQ(sh->cipher_suite, 0x1301);
  EXPECT_EQ(sh->legacy_compression_method, 0);
  EXPECT_TRUE(sh->legacy_session_id_echo.empty());
  EXPECT_FALSE(sh->is_hello_retry_request());
  EXPECT_EQ(sh->downgrade_sentinel(), DowngradeSentinel::none);
  EXPECT_EQ(types_of(sh->extensions), (std::vector<uint16_t>{kExtKeyShare, kExtSupportedVersions}));
  auto ks = KeyShareServerHello::parse(sh->find_extension(kExtKeyShare)->data);
  ASSERT_TRUE(ks.ok());
  EXPECT_EQ(ks->server_share.group, 0x001d);
  EXPECT_EQ(ks->server_share.key_exchange,
            H("c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f"));
  auto v = SupportedVersionsServer::parse(sh->find_extension(kExtSupportedVersions)->data);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->selected_version, 0x0304);
  EXPECT_EQ(reencode(*sh), msg);
}

// RFC 8448 5: ClientHello, HelloRetryRequest, second ClientHello.
TEST(HelloRetryRequest, ParsesRfc8448Section5) {
  Bytes ch1_msg = load_vector("rfc8448_s5_client_client_hello");
  Bytes hrr_msg = load_vector("rfc8448_s5_server_hello_retry_request");
  Bytes ch2_msg = load_vector("rfc8448_s5_client_client_hello2");
  Bytes sh_msg = load_vector("rfc8448_s5_server_server_hello");

  auto ch1 = ClientHello::parse(body_of(ch1_msg, HandshakeType::client_hello));
  ASSERT_TRUE(ch1.ok()) << ch1.error().to_string();
  auto ks1 = KeyShareClientHello::parse(ch1->find_extension(kExtKeyShare)->data);
  ASSERT_TRUE(ks1.ok());
  ASSERT_EQ(ks1->client_shares.size(), 1u);
  EXPECT_EQ(ks1->client_shares[0].group, 0x001d);
  EXPECT_EQ(reencode(*ch1), ch1_msg);

  // A HelloRetryRequest is a ServerHello message with the special random.
  auto hrr = ServerHello::parse(body_of(hrr_msg, HandshakeType::server_hello));
  ASSERT_TRUE(hrr.ok()) << hrr.error().to_string();
  EXPECT_TRUE(hrr->is_hello_retry_request());
  EXPECT_EQ(hrr->cipher_suite, 0x1301);
  EXPECT_EQ(types_of(hrr->extensions),
            (std::vector<uint16_t>{kExtKeyShare, kExtCookie, kExtSupportedVersions}));
  auto sel = KeyShareHelloRetryRequest::parse(hrr->find_extension(kExtKeyShare)->data);
  ASSERT_TRUE(sel.ok());
  EXPECT_EQ(sel->selected_group, 0x0017);
  auto cookie = Cookie::parse(hrr->find_extension(kExtCookie)->data);
  ASSERT_TRUE(cookie.ok());
  EXPECT_EQ(cookie->cookie.size(), 0x72u);
  EXPECT_EQ(reencode(*hrr), hrr_msg);

  // RFC 8446 4.1.2: the second ClientHello echoes the cookie and offers a
  // share for the selected group.
  auto ch2 = ClientHello::parse(body_of(ch2_msg, HandshakeType::client_hello));
  ASSERT_TRUE(ch2.ok()) << ch2.error().to_string();
  EXPECT_EQ(ch2->random, ch1->random);
  auto cookie2 = Cookie::parse(ch2->find_extension(kExtCookie)->data);
  ASSERT_TRUE(cookie2.ok());
  EXPECT_EQ(cookie2->cookie, cookie->cookie);
  auto ks2 = KeyShareClientHello::parse(ch2->find_extension(kExtKeyShare)->data);
  ASSERT_TRUE(ks2.ok());
  ASSERT_EQ(ks2->client_shares.size(), 1u);
  EXPECT_EQ(ks2->client_shares[0].group, 0x0017);
  EXPECT_EQ(ks2->client_shares[0].key_exchange.size(), 65u);
  EXPECT_EQ(ks2->client_shares[0].key_exchange[0], 0x04);  // uncompressed point
  EXPECT_EQ(reencode(*ch2), ch2_msg);

  auto sh = ServerHello::parse(body_of(sh_msg, HandshakeType::server_hello));
  ASSERT_TRUE(sh.ok()) << sh.error().to_string();
  EXPECT_FALSE(sh->is_hello_retry_request());
  auto ks = KeyShareServerHello::parse(sh->find_extension(kExtKeyShare)->data);
  ASSERT_TRUE(ks.ok());
  EXPECT_EQ(ks->server_share.group, 0x0017);
  EXPECT_EQ(reencode(*sh), sh_msg);
}

// RFC 8448 4: a resumption ClientHello with early_data and pre_shared_key.
// The RFC prints both the complete message (512 octets) and the 477-octet
// prefix the binder is computed over.
TEST(ClientHello, Rfc8448Section4PskBinders) {
  Bytes msg = load_vector("rfc8448_s4_client_client_hello");
  Bytes expected_prefix = load_vector("rfc8448_s4_client_hello_binder_prefix");
  ASSERT_EQ(msg.size(), 512u);
  ASSERT_EQ(expected_prefix.size(), 477u);
  auto ch = ClientHello::parse(body_of(msg, HandshakeType::client_hello));
  ASSERT_TRUE(ch.ok()) << ch.error().to_string();
  ASSERT_FALSE(ch->extensions.empty());
  EXPECT_EQ(ch->extensions.back().type, kExtPreSharedKey);
  ASSERT_NE(ch->find_extension(kExtEarlyData), nullptr);
  EXPECT_TRUE(expect_empty_extension(*ch->find_extension(kExtEarlyData)).ok());

  auto psks = OfferedPsks::parse(ch->find_extension(kExtPreSharedKey)->data);
  ASSERT_TRUE(psks.ok()) << psks.error().to_string();
  ASSERT_EQ(psks->identities.size(), 1u);
  EXPECT_EQ(psks->identities[0].identity.size(), 0xb2u);
  EXPECT_EQ(psks->identities[0].obfuscated_ticket_age, 0xfad6aacbu);
  ASSERT_EQ(psks->binders.size(), 1u);
  // RFC 8448 4: the binder is the "finished" value computed from the prefix.
  EXPECT_EQ(psks->binders[0],
            H("3add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d"));

  auto size = ch->binders_size();
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, 35u);
  auto prefix = ch->truncate_for_binders(msg);
  ASSERT_TRUE(prefix.ok());
  EXPECT_EQ(Bytes(prefix->begin(), prefix->end()), expected_prefix);
  EXPECT_EQ(prefix->data(), msg.data());
  EXPECT_EQ(reencode(*ch), msg);

  // A client builds the same prefix from its struct with placeholder binders.
  ClientHello placeholder = *ch;
  OfferedPsks zero = *psks;
  zero.binders[0].assign(32, 0);
  placeholder.extensions.back() = make_extension(kExtPreSharedKey, zero);
  Bytes built = reencode(placeholder);
  auto built_prefix = placeholder.truncate_for_binders(built);
  ASSERT_TRUE(built_prefix.ok());
  EXPECT_EQ(Bytes(built_prefix->begin(), built_prefix->end()), expected_prefix);
}

TEST(ClientHello, BinderHelperWorksOnABuiltHello) {
  ClientHello ch = small_client_hello();
  OfferedPsks psks;
  psks.identities.push_back(PskIdentity{H("0102030405"), 7});
  psks.binders.push_back(Bytes(48, 0));  // SHA-384 sized placeholder
  ch.extensions.push_back(make_extension(kExtPreSharedKey, psks));
  Bytes msg = reencode(ch);
  auto prefix = ch.truncate_for_binders(msg);
  ASSERT_TRUE(prefix.ok());
  EXPECT_EQ(prefix->size(), msg.size() - (2 + 1 + 48));
}

// Every prefix of the RFC 8448 message fails to parse as a complete message.
TEST(ClientHello, TruncationAtEveryOffsetFailsCleanly) {
  Bytes msg = load_vector("rfc8448_s3_client_client_hello");
  for (size_t n = 0; n < msg.size(); ++n) {
    ByteReader r(ByteView(msg).first(n));
    auto m = read_handshake_message(r);
    ASSERT_FALSE(m.ok()) << n;
    EXPECT_EQ(m.error().code(), ErrorCode::decode_truncated);
  }
  // Cutting the body itself: every cut fails with a decode error, except the
  // cut right after legacy_compression_methods, which is a well-formed
  // RFC 5246 ClientHello without extensions.
  ByteView body = body_of(msg, HandshakeType::client_hello);
  const size_t no_extensions = 2 + 32 + 1 + 2 + 6 + 1 + 1;
  for (size_t n = 0; n < body.size(); ++n) {
    auto ch = ClientHello::parse(body.first(n));
    if (n == no_extensions) {
      ASSERT_TRUE(ch.ok()) << ch.error().to_string();
      EXPECT_TRUE(ch->extensions.empty());
      EXPECT_FALSE(ch->extensions_present);
      continue;
    }
    ASSERT_FALSE(ch.ok()) << "cut at " << n;
    EXPECT_TRUE(is_decode_error(ch.error())) << n << ": " << ch.error().to_string();
    EXPECT_EQ(ch.error().message().rfind("ClientHello: ", 0), 0u) << ch.error().message();
  }
}

TEST(ClientHello, TrailingBytesAreRejected) {
  Bytes msg = load_vector("rfc8448_s3_client_client_hello");
  ByteView b = body_of(msg, HandshakeType::client_hello);
  Bytes body(b.begin(), b.end());
  body.push_back(0);
  auto ch = ClientHello::parse(body);
  ASSERT_FALSE(ch.ok());
  EXPECT_EQ(ch.error().code(), ErrorCode::decode_trailing_data);
  EXPECT_EQ(ch.error().alert(), AlertDescription::decode_error);
}

TEST(ClientHello, DuplicateExtensionIsIllegalParameter) {
  ClientHello ch = small_client_hello();
  ch.extensions.push_back(make_extension(kExtSupportedGroups, NamedGroupList{{0x0017}}));
  auto r = ClientHello::parse(body_bytes(ch));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::illegal_parameter);
  EXPECT_EQ(r.error().alert(), AlertDescription::illegal_parameter);
  EXPECT_NE(r.error().message().find("supported_groups"), std::string::npos) << r.error().message();
}

TEST(ClientHello, CipherSuiteBounds) {
  ClientHello ch = small_client_hello();
  ch.cipher_suites.clear();
  auto empty = ClientHello::parse(body_bytes(ch));
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code(), ErrorCode::decode_length);
  EXPECT_NE(empty.error().message().find("cipher_suites"), std::string::npos);

  // Odd length: 3 bytes of suites.
  Bytes odd = H("0303");
  odd.insert(odd.end(), 32, 0x11);
  Bytes rest = H("00 0003 130113 01 00");
  odd.insert(odd.end(), rest.begin(), rest.end());
  auto r = ClientHello::parse(odd);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::decode_length);
  EXPECT_NE(r.error().message().find("odd"), std::string::npos) << r.error().message();

  ch.cipher_suites = {0x1301, 0xfafa, 0x1302};  // unknown values are kept
  auto ok = ClientHello::parse(body_bytes(ch));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->cipher_suites, ch.cipher_suites);
}

TEST(ClientHello, SessionIdOf33BytesIsRejected) {
  ClientHello ch = small_client_hello();
  ch.legacy_session_id = Bytes(32, 0xab);
  ASSERT_TRUE(ClientHello::parse(body_bytes(ch)).ok());
  ch.legacy_session_id = Bytes(33, 0xab);
  auto r = ClientHello::parse(body_bytes(ch));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::decode_length);
  EXPECT_NE(r.error().message().find("legacy_session_id"), std::string::npos);
}

TEST(ClientHello, CompressionMethodsMustBeNonEmpty) {
  ClientHello ch = small_client_hello();
  ch.legacy_compression_methods.clear();
  auto r = ClientHello::parse(body_bytes(ch));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("legacy_compression_methods"), std::string::npos);
}

TEST(ClientHello, PreSharedKeyMustBeLast) {
  ClientHello ch = small_client_hello();
  OfferedPsks psks;
  psks.identities.push_back(PskIdentity{H("01"), 0});
  psks.binders.push_back(Bytes(32, 0));
  ch.extensions.insert(ch.extensions.begin(), make_extension(kExtPreSharedKey, psks));
  auto r = ClientHello::parse(body_bytes(ch));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert(), AlertDescription::illegal_parameter);
  EXPECT_NE(r.error().message().find("last"), std::string::npos);
}

TEST(ClientHello, Tls12FormsAreAccepted) {
  ClientHello ch;
  ch.random.fill(3);
  ch.cipher_suites = {0xc02f, 0x009c};
  // No extensions block at all.
  ch.extensions_present = false;
  auto bare = ClientHello::parse(body_bytes(ch));
  ASSERT_TRUE(bare.ok());
  EXPECT_TRUE(bare->extensions.empty());
  EXPECT_FALSE(bare->extensions_present);
  EXPECT_EQ(body_bytes(*bare), body_bytes(ch));
  // An empty block (RFC 5246 extensions<0..2^16-1>) is kept as such.
  ch.extensions_present = true;
  Bytes with_empty_block = body_bytes(ch);
  EXPECT_EQ(with_empty_block.size(), body_bytes(*bare).size() + 2);
  auto empty_block = ClientHello::parse(with_empty_block);
  ASSERT_TRUE(empty_block.ok());
  EXPECT_TRUE(empty_block->extensions_present);
  EXPECT_EQ(body_bytes(*empty_block), with_empty_block);
  // A single empty extension (4 bytes) is a legal RFC 5246 block.
  ch.extensions.push_back(make_empty_extension(kExtExtendedMasterSecret));
  auto ems = ClientHello::parse(body_bytes(ch));
  ASSERT_TRUE(ems.ok());
  EXPECT_EQ(ems->extensions.size(), 1u);
}

TEST(ClientHello, Tls13ExtensionBlockMinimum) {
  // supported_versions alone (7 bytes) is below RFC 8446's <8..2^16-1>.
  ClientHello ch;
  ch.cipher_suites = {0x1301};
  ch.extensions.push_back(make_extension(kExtSupportedVersions, SupportedVersionsClient{{0x0304}}));
  auto r = ClientHello::parse(body_bytes(ch));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::decode_length);
  ch.extensions.push_back(make_empty_extension(kExtPostHandshakeAuth));
  EXPECT_TRUE(ClientHello::parse(body_bytes(ch)).ok());
}

TEST(ServerHello, TruncationAndTrailingBytes) {
  Bytes msg = load_vector("rfc8448_s3_server_server_hello");
  ByteView body = body_of(msg, HandshakeType::server_hello);
  const size_t no_extensions = 2 + 32 + 1 + 2 + 1;
  for (size_t n = 0; n < body.size(); ++n) {
    auto sh = ServerHello::parse(body.first(n));
    if (n == no_extensions) {
      EXPECT_TRUE(sh.ok());  // RFC 5246 ServerHello without extensions
      continue;
    }
    ASSERT_FALSE(sh.ok()) << n;
    EXPECT_TRUE(is_decode_error(sh.error())) << sh.error().to_string();
  }
  Bytes longer(body.begin(), body.end());
  longer.push_back(1);
  auto sh = ServerHello::parse(longer);
  ASSERT_FALSE(sh.ok());
  EXPECT_EQ(sh.error().code(), ErrorCode::decode_trailing_data);
}

TEST(ServerHello, SessionIdEchoBound) {
  ServerHello sh;
  sh.cipher_suite = 0xc02f;
  sh.legacy_session_id_echo = Bytes(33, 1);
  ByteWriter w;
  sh.serialize(w);
  auto r = ServerHello::parse(w.view());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("legacy_session_id_echo"), std::string::npos);
}

TEST(ServerHello, DuplicateExtensionIsIllegalParameter) {
  ServerHello sh;
  sh.cipher_suite = 0x1301;
  sh.extensions.push_back(make_extension(kExtSupportedVersions, SupportedVersionsServer{0x0304}));
  sh.extensions.push_back(make_extension(kExtSupportedVersions, SupportedVersionsServer{0x0304}));
  ByteWriter w;
  sh.serialize(w);
  auto r = ServerHello::parse(w.view());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert(), AlertDescription::illegal_parameter);
}

TEST(ServerHello, HelloRetryRequestErrorsAreNamedSo) {
  ServerHello hrr;
  hrr.random = kHelloRetryRequestRandom;
  hrr.cipher_suite = 0x1301;
  hrr.extensions.push_back(make_extension(kExtSupportedVersions, SupportedVersionsServer{0x0304}));
  ByteWriter w;
  hrr.serialize(w);
  w.u8(0);  // trailing byte
  auto r = ServerHello::parse(w.view());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message().rfind("HelloRetryRequest: ", 0), 0u) << r.error().message();
}

TEST(ServerHello, DowngradeSentinels) {
  Random r{};
  r.fill(0x5a);
  EXPECT_EQ(downgrade_sentinel_of(r), DowngradeSentinel::none);
  set_downgrade_sentinel(r, DowngradeSentinel::tls12);
  EXPECT_EQ(downgrade_sentinel_of(r), DowngradeSentinel::tls12);
  EXPECT_EQ(r[23], 0x5a);
  EXPECT_EQ(Bytes(r.begin() + 24, r.end()), H("444f574e47524401"));
  set_downgrade_sentinel(r, DowngradeSentinel::tls11_or_below);
  EXPECT_EQ(downgrade_sentinel_of(r), DowngradeSentinel::tls11_or_below);
  EXPECT_EQ(Bytes(r.begin() + 24, r.end()), H("444f574e47524400"));

  ServerHello sh;
  sh.random = r;
  EXPECT_EQ(sh.downgrade_sentinel(), DowngradeSentinel::tls11_or_below);
  EXPECT_FALSE(sh.is_hello_retry_request());
}

}  // namespace
}  // namespace tessera::wire
