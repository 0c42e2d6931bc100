#include "wire/extensions.h"

#include <gtest/gtest.h>

#include "wire/encrypted_extensions.h"
#include "wire/handshake.h"
#include "wire_test_util.h"

namespace tessera::wire {
namespace {

using testing::H;
using testing::S;

template <class T>
Bytes ser(const T& v) {
  ByteWriter w;
  v.serialize(w);
  EXPECT_FALSE(w.failed());
  return std::move(w).take();
}

void expect_error(const Error& e, AlertDescription alert, std::string_view needle) {
  EXPECT_EQ(e.alert(), alert) << e.to_string();
  EXPECT_NE(e.message().find(needle), std::string::npos) << e.message();
}

// --- list ----------------------------------------------------------------------

TEST(ExtensionList, ParsesAndKeepsUnknownTypesInOrder) {
  Bytes d = H("000c  fafa 0000  0017 0000  002b 0000");
  ByteReader r(d);
  auto l = read_extensions(r, 0, 0xFFFF, "Test");
  ASSERT_TRUE(l.ok());
  ASSERT_EQ(l->size(), 3u);
  EXPECT_EQ((*l)[0].type, 0xfafa);
  EXPECT_EQ((*l)[1].type, kExtExtendedMasterSecret);
  EXPECT_NE(find_extension(*l, kExtSupportedVersions), nullptr);
  EXPECT_EQ(find_extension(*l, kExtKeyShare), nullptr);
  ByteWriter w;
  write_extensions(w, *l);
  EXPECT_EQ(Bytes(w.view().begin(), w.view().end()), d);
}

TEST(ExtensionList, DuplicateTypeIsIllegalParameter) {
  Bytes d = H("000a  0017 0000  002b 0002 0304  0017 0000");
  d[1] = 0x0e;  // list length 14
  ByteReader r(d);
  auto l = read_extensions(r, 0, 0xFFFF, "Test");
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.error().code(), ErrorCode::illegal_parameter);
  expect_error(l.error(), AlertDescription::illegal_parameter,
               "Test extensions: extended_master_secret (23) appears more than once");
}

TEST(ExtensionList, BoundsAndTruncation) {
  Bytes d = H("0004 0017 0000");
  ByteReader r(d);
  auto tooshort = read_extensions(r, 8, 0xFFFF, "Test");
  ASSERT_FALSE(tooshort.ok());
  EXPECT_EQ(tooshort.error().code(), ErrorCode::decode_length);
  expect_error(tooshort.error(), AlertDescription::decode_error,
               "Test extensions: length 4 is outside the allowed 8..65535");
  EXPECT_EQ(r.remaining(), d.size());  // a failed read leaves the cursor
  // extension_data longer than the list.
  Bytes bad = H("0006 0017 0005 0000");
  ByteReader r2(bad);
  auto trunc = read_extensions(r2, 0, 0xFFFF, "Test");
  ASSERT_FALSE(trunc.ok());
  expect_error(trunc.error(), AlertDescription::decode_error,
               "Test extensions: extended_master_secret");
  // A dangling byte after the last extension inside the list.
  Bytes dangling = H("0005 0017 0000 00");
  ByteReader r3(dangling);
  auto dang = read_extensions(r3, 0, 0xFFFF, "Test");
  ASSERT_FALSE(dang.ok());
  expect_error(dang.error(), AlertDescription::decode_error, "Test extensions: ");
  // Without a name the block is "extensions".
  ByteReader r4(bad);
  auto unnamed = read_extensions(r4, 0, 0xFFFF, "");
  ASSERT_FALSE(unnamed.ok());
  expect_error(unnamed.error(), AlertDescription::decode_error,
               "extensions: extended_master_secret");
}

// An extension body that overflows one of its own length prefixes (here an
// ALPN name over 255 bytes) must not go out malformed: the message that
// carries it fails to encode.
TEST(ExtensionList, ABodyThatOverflowsItsPrefixMakesTheMessageFailToEncode) {
  EncryptedExtensions ee;
  ee.extensions.push_back(make_extension(kExtAlpn, ProtocolNameList{{std::string(300, 'a')}}));
  EXPECT_EQ(ee.extensions[0].data.size(), kUnencodableExtension);
  auto msg = encode_handshake(ee);
  ASSERT_FALSE(msg.ok());
  EXPECT_EQ(msg.error().alert(), AlertDescription::decode_error) << msg.error().to_string();
  ee.extensions[0] = make_extension(kExtAlpn, ProtocolNameList{{std::string(255, 'a')}});
  EXPECT_TRUE(encode_handshake(ee).ok());
}

TEST(ExtensionList, Names) {
  EXPECT_EQ(extension_name(kExtServerName), "server_name");
  EXPECT_EQ(extension_name(kExtAlpn), "application_layer_protocol_negotiation");
  EXPECT_EQ(extension_name(kExtKeyShare), "key_share");
  EXPECT_EQ(extension_name(kExtRenegotiationInfo), "renegotiation_info");
  EXPECT_EQ(extension_name(0x1234), "unknown(4660)");
  EXPECT_EQ(kExtKeyShare, 51);
  EXPECT_EQ(kExtSignatureAlgorithmsCert, 50);
  EXPECT_EQ(kExtPreSharedKey, 41);
}

TEST(ExtensionList, EmptyExtensions) {
  Extension e = make_empty_extension(kExtExtendedMasterSecret);
  EXPECT_TRUE(expect_empty_extension(e).ok());
  e.data = {0};
  auto r = expect_empty_extension(e);
  ASSERT_FALSE(r.ok());
  expect_error(r.error(), AlertDescription::decode_error, "extended_master_secret");
}

// --- server_name -----------------------------------------------------------------

TEST(ServerName, RoundTrip) {
  ServerNameList sni{"example.com"};
  Bytes b = ser(sni);
  EXPECT_EQ(b, H("000e 00 000b 6578616d706c652e636f6d"));
  auto back = ServerNameList::parse(b);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->host_name, "example.com");
}

TEST(ServerName, TwoHostNamesAreRejected) {
  auto r = ServerNameList::parse(H("000b 00 0003 616263 00 0002 6465"));
  ASSERT_FALSE(r.ok());
  expect_error(r.error(), AlertDescription::illegal_parameter, "more than one host_name");
}

TEST(ServerName, InvalidNames) {
  struct Case {
    const char* hex;
    AlertDescription alert;
    const char* needle;
  } cases[] = {
      {"0006 00 0003 61622e", AlertDescription::illegal_parameter, "trailing dot"},
      {"0006 00 0003 610062", AlertDescription::illegal_parameter, "NUL"},
      {"0006 00 0003 61c362", AlertDescription::illegal_parameter, "non-ASCII"},
      {"0006 01 0003 616263", AlertDescription::illegal_parameter, "name_type 1"},
      {"0003 00 0000", AlertDescription::decode_error, "host_name"},
      {"0000", AlertDescription::decode_error, "server_name_list"},
      {"0006 00 0003 616263 00", AlertDescription::decode_error, "trailing"},
      {"0007 00 0003 616263", AlertDescription::decode_error, "server_name"},
  };
  for (const Case& c : cases) {
    auto r = ServerNameList::parse(H(c.hex));
    ASSERT_FALSE(r.ok()) << c.hex;
    expect_error(r.error(), c.alert, c.needle);
  }
}

// --- groups, schemes, versions -------------------------------------------------------

TEST(NamedGroups, RoundTripKeepsUnknown) {
  NamedGroupList g{{0x001d, 0x0a0a, 0x0017}};
  Bytes b = ser(g);
  EXPECT_EQ(b, H("0006 001d 0a0a 0017"));
  auto back = NamedGroupList::parse(b);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->groups, g.groups);
  EXPECT_FALSE(NamedGroupList::parse(H("0000")).ok());
  EXPECT_FALSE(NamedGroupList::parse(H("0003 001d 00")).ok());
  EXPECT_FALSE(NamedGroupList::parse(H("0002 001d 00")).ok());
}

TEST(SignatureSchemes, RoundTripAndBounds) {
  SignatureSchemeList s{{0x0804, 0x0403, 0x0807}};
  auto back = SignatureSchemeList::parse(ser(s));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->schemes, s.schemes);
  auto empty = SignatureSchemeList::parse(H("0000"));
  ASSERT_FALSE(empty.ok());
  expect_error(empty.error(), AlertDescription::decode_error, "supported_signature_algorithms");
}

TEST(SupportedVersions, ClientAndServerForms) {
  SupportedVersionsClient c{{0x0304, 0x0303}};
  EXPECT_EQ(ser(c), H("04 0304 0303"));
  auto back = SupportedVersionsClient::parse(ser(c));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->versions, c.versions);
  EXPECT_FALSE(SupportedVersionsClient::parse(H("00")).ok());
  EXPECT_FALSE(SupportedVersionsClient::parse(H("03 0304 03")).ok());
  // A 255-byte list is odd and above the 254 maximum.
  Bytes big(1, 0xff);
  big.resize(256, 0x03);
  EXPECT_FALSE(SupportedVersionsClient::parse(big).ok());

  SupportedVersionsServer s{0x0304};
  EXPECT_EQ(ser(s), H("0304"));
  auto sb = SupportedVersionsServer::parse(H("0304"));
  ASSERT_TRUE(sb.ok());
  EXPECT_EQ(sb->selected_version, 0x0304);
  EXPECT_FALSE(SupportedVersionsServer::parse(H("03")).ok());
  EXPECT_FALSE(SupportedVersionsServer::parse(H("030400")).ok());
}

// --- key_share ------------------------------------------------------------------------

TEST(KeyShare, ClientForm) {
  KeyShareClientHello ks;
  ks.client_shares.push_back({0x001d, Bytes(32, 0xaa)});
  ks.client_shares.push_back({0x0017, Bytes(65, 0x04)});
  auto back = KeyShareClientHello::parse(ser(ks));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->client_shares, ks.client_shares);
  ASSERT_NE(back->find(0x0017), nullptr);
  EXPECT_EQ(back->find(0x0017)->key_exchange.size(), 65u);
  EXPECT_EQ(back->find(0x0018), nullptr);

  // An empty client_shares list is allowed (the client waits for a HRR).
  auto empty = KeyShareClientHello::parse(H("0000"));
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->client_shares.empty());
}

TEST(KeyShare, ClientFormErrors) {
  auto dup = KeyShareClientHello::parse(H("000c 001d 0002 aabb 001d 0002 ccdd"));
  ASSERT_FALSE(dup.ok());
  expect_error(dup.error(), AlertDescription::illegal_parameter, "twice");
  auto empty_key = KeyShareClientHello::parse(H("0004 001d 0000"));
  ASSERT_FALSE(empty_key.ok());
  expect_error(empty_key.error(), AlertDescription::decode_error, "key_exchange");
  auto trunc = KeyShareClientHello::parse(H("0006 001d 0004 aabb"));
  ASSERT_FALSE(trunc.ok());
  EXPECT_EQ(trunc.error().alert(), AlertDescription::decode_error);
}

TEST(KeyShare, ServerAndRetryForms) {
  KeyShareServerHello s{{0x001d, Bytes(32, 0x55)}};
  auto back = KeyShareServerHello::parse(ser(s));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->server_share, s.server_share);
  Bytes extra = ser(s);
  extra.push_back(0);
  EXPECT_FALSE(KeyShareServerHello::parse(extra).ok());

  KeyShareHelloRetryRequest h{0x0017};
  EXPECT_EQ(ser(h), H("0017"));
  auto hb = KeyShareHelloRetryRequest::parse(H("0018"));
  ASSERT_TRUE(hb.ok());
  EXPECT_EQ(hb->selected_group, 0x0018);
  EXPECT_FALSE(KeyShareHelloRetryRequest::parse(H("001800")).ok());
}

// --- cookie, ALPN, PSK modes ---------------------------------------------------------------

TEST(Cookie, RoundTripAndEmptyIsRejected) {
  Cookie c{H("0102030405")};
  auto back = Cookie::parse(ser(c));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->cookie, c.cookie);
  auto empty = Cookie::parse(H("0000"));
  ASSERT_FALSE(empty.ok());
  expect_error(empty.error(), AlertDescription::decode_error, "cookie");
}

TEST(Alpn, RoundTrip) {
  ProtocolNameList l{{"h2", "http/1.1"}};
  Bytes b = ser(l);
  EXPECT_EQ(b, H("000c 02 6832 08 687474702f312e31"));
  auto back = ProtocolNameList::parse(b);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->protocol_names, l.protocol_names);
}

TEST(Alpn, EmptyNameAndEmptyListAreRejected) {
  auto empty_name = ProtocolNameList::parse(H("0004 02 6832 00"));
  ASSERT_FALSE(empty_name.ok());
  expect_error(empty_name.error(), AlertDescription::decode_error, "ProtocolName");
  auto empty_list = ProtocolNameList::parse(H("0000"));
  ASSERT_FALSE(empty_list.ok());
  expect_error(empty_list.error(), AlertDescription::decode_error, "protocol_name_list");
  EXPECT_FALSE(ProtocolNameList::parse(H("0004 05 6832")).ok());
}

TEST(Alpn, ServerSelectsExactlyOne) {
  auto one = ProtocolNameList::parse_selected(H("0003 02 6832"));
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(*one, "h2");
  auto two = ProtocolNameList::parse_selected(H("0006 02 6832 02 6833"));
  ASSERT_FALSE(two.ok());
  expect_error(two.error(), AlertDescription::illegal_parameter, "exactly one");
}

TEST(PskModes, RoundTripAndBounds) {
  PskKeyExchangeModes m{{1, 0}};
  EXPECT_EQ(ser(m), H("02 01 00"));
  auto back = PskKeyExchangeModes::parse(H("01 01"));
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->contains(PskKeyExchangeMode::psk_dhe_ke));
  EXPECT_FALSE(back->contains(PskKeyExchangeMode::psk_ke));
  EXPECT_FALSE(PskKeyExchangeModes::parse(H("00")).ok());
}

// --- pre_shared_key ----------------------------------------------------------------

TEST(PreSharedKey, OfferedRoundTrip) {
  OfferedPsks p;
  p.identities.push_back({H("aabbcc"), 0x01020304});
  p.identities.push_back({H("dd"), 5});
  p.binders.push_back(Bytes(32, 1));
  p.binders.push_back(Bytes(48, 2));
  Bytes b = ser(p);
  auto back = OfferedPsks::parse(b);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->identities, p.identities);
  EXPECT_EQ(back->binders, p.binders);
  EXPECT_EQ(p.binders_size(), 2u + 33u + 49u);
  ByteWriter w;
  p.serialize_binders(w);
  EXPECT_EQ(w.size(), p.binders_size());
  EXPECT_TRUE(std::equal(w.view().begin(), w.view().end(), b.end() - w.size()));
}

TEST(PreSharedKey, OfferedErrors) {
  OfferedPsks p;
  p.identities.push_back({H("aa"), 0});
  p.binders.push_back(Bytes(32, 1));
  p.binders.push_back(Bytes(32, 2));
  auto mismatch = OfferedPsks::parse(ser(p));
  ASSERT_FALSE(mismatch.ok());
  expect_error(mismatch.error(), AlertDescription::illegal_parameter, "1 identities but 2 binders");

  p.binders = {Bytes(31, 1)};
  auto short_binder = OfferedPsks::parse(ser(p));
  ASSERT_FALSE(short_binder.ok());
  expect_error(short_binder.error(), AlertDescription::decode_error, "binders");

  p.binders = {Bytes(32, 1)};
  p.identities[0].identity.clear();
  auto empty_id = OfferedPsks::parse(ser(p));
  ASSERT_FALSE(empty_id.ok());
  expect_error(empty_id.error(), AlertDescription::decode_error, "identit");
}

TEST(PreSharedKey, ServerForm) {
  PreSharedKeyServerHello s{3};
  EXPECT_EQ(ser(s), H("0003"));
  auto back = PreSharedKeyServerHello::parse(H("0000"));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->selected_identity, 0);
  EXPECT_FALSE(PreSharedKeyServerHello::parse(H("00")).ok());
}

// --- early_data, certificate_authorities ------------------------------------------

TEST(EarlyData, TicketForm) {
  EarlyDataNewSessionTicket e{0x4000};
  EXPECT_EQ(ser(e), H("00004000"));
  auto back = EarlyDataNewSessionTicket::parse(H("ffffffff"));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->max_early_data_size, 0xffffffffu);
  EXPECT_FALSE(EarlyDataNewSessionTicket::parse(H("000040")).ok());
  EXPECT_FALSE(EarlyDataNewSessionTicket::parse(H("0000400000")).ok());
}

TEST(CertificateAuthorities, RoundTripAndBounds) {
  CertificateAuthorities ca{{H("300d310b3009060355040613025553"), H("3000")}};
  auto back = CertificateAuthorities::parse(ser(ca));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->authorities, ca.authorities);
  EXPECT_FALSE(CertificateAuthorities::parse(H("0000")).ok());
  EXPECT_FALSE(CertificateAuthorities::parse(H("0004 0000 0000")).ok());
}

// RFC 8449 4: uint16 RecordSizeLimit, at least 64.
TEST(RecordSizeLimit, ParsesAndChecksTheMinimum) {
  auto rfc8448 = RecordSizeLimit::parse(H("4001"));  // RFC 8448 3's value, 2^14 + 1
  ASSERT_TRUE(rfc8448.ok());
  EXPECT_EQ(rfc8448->limit, 16385);
  EXPECT_EQ(ser(RecordSizeLimit{64}), H("0040"));
  EXPECT_TRUE(RecordSizeLimit::parse(H("0040")).ok());
  // Above the protocol maximum is not a parse error (only a client may
  // refuse it, knowing the version).
  EXPECT_EQ(RecordSizeLimit::parse(H("ffff"))->limit, 0xffff);
  auto small = RecordSizeLimit::parse(H("003f"));
  ASSERT_FALSE(small.ok());
  expect_error(small.error(), AlertDescription::illegal_parameter, "below the minimum of 64");
  for (const char* bad : {"", "40", "400100"}) {
    auto r = RecordSizeLimit::parse(H(bad));
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().alert(), AlertDescription::decode_error) << bad;
  }
}

// RFC 8879 3: CertificateCompressionAlgorithm algorithms<2..2^8-2>.
TEST(CertificateCompressionAlgorithms, RoundTripAndBounds) {
  auto ok = CertificateCompressionAlgorithms::parse(H("06 0002 0001 7a7a"));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->algorithms, (std::vector<uint16_t>{2, 1, 0x7a7a}));  // unknown values kept
  EXPECT_EQ(ser(CertificateCompressionAlgorithms{{3}}), H("02 0003"));
  Bytes longest = {0xfe};
  for (int i = 0; i < 127; ++i) longest.insert(longest.end(), {0x00, 0x01});
  EXPECT_TRUE(CertificateCompressionAlgorithms::parse(longest).ok());
  for (const char* bad : {"", "00", "01 00", "03 000100", "02 0001 00", "04 0001"}) {
    auto r = CertificateCompressionAlgorithms::parse(H(bad));
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().alert(), AlertDescription::decode_error) << bad;
    EXPECT_NE(r.error().message().find("compress_certificate"), std::string::npos)
        << r.error().message();
  }
  // 255 bytes: odd, and above the 254-byte maximum.
  Bytes too_long = {0xff};
  too_long.resize(256, 0x01);
  EXPECT_FALSE(CertificateCompressionAlgorithms::parse(too_long).ok());
}

// --- TLS 1.2 extensions ---------------------------------------------------------------

TEST(EcPointFormats, MustIncludeUncompressed) {
  auto ok = EcPointFormats::parse(H("03 00 01 02"));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->formats, (std::vector<uint8_t>{0, 1, 2}));
  EXPECT_EQ(ser(EcPointFormats{}), H("01 00"));
  auto missing = EcPointFormats::parse(H("01 01"));
  ASSERT_FALSE(missing.ok());
  expect_error(missing.error(), AlertDescription::illegal_parameter, "uncompressed");
  EXPECT_FALSE(EcPointFormats::parse(H("00")).ok());
}

TEST(RenegotiationInfo, RoundTrip) {
  auto empty = RenegotiationInfo::parse(H("00"));
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->renegotiated_connection.empty());
  RenegotiationInfo r{Bytes(24, 7)};
  auto back = RenegotiationInfo::parse(ser(r));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->renegotiated_connection, r.renegotiated_connection);
  EXPECT_FALSE(RenegotiationInfo::parse(H("")).ok());
  EXPECT_FALSE(RenegotiationInfo::parse(H("00 00")).ok());
}

TEST(SessionTicket, IsOpaque) {
  auto empty = SessionTicketExtension::parse({});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->ticket.empty());
  SessionTicketExtension t{H("0102030405")};
  EXPECT_EQ(ser(t), H("0102030405"));
}

TEST(StatusRequest, ParseAndSerialize) {
  // What a tessera client sends: ocsp(1), no responder IDs, no extensions.
  EXPECT_EQ(ser(CertificateStatusRequest{}), H("01 0000 0000"));
  auto ocsp = CertificateStatusRequest::parse(H("01 0000 0000"));
  ASSERT_TRUE(ocsp.ok());
  EXPECT_EQ(ocsp->status_type, 1);
  EXPECT_TRUE(CertificateStatusRequest::parse(H("01 0003 0001aa 0000")).ok());
  EXPECT_TRUE(CertificateStatusRequest::parse(H("02 abcdef")).ok());
  EXPECT_FALSE(CertificateStatusRequest::parse(H("01 0000")).ok());
  EXPECT_FALSE(CertificateStatusRequest::parse(H("01 0002 0000 0000")).ok());
  EXPECT_FALSE(CertificateStatusRequest::parse(H("")).ok());
}

TEST(MakeExtension, WrapsATypedBody) {
  Extension e = make_extension(kExtAlpn, ProtocolNameList{{"h2"}});
  EXPECT_EQ(e.type, kExtAlpn);
  EXPECT_EQ(e.data, H("0003 02 6832"));
}

}  // namespace
}  // namespace tessera::wire
