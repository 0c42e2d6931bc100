#include "wire/ech.h"

#include <gtest/gtest.h>

#include <string>

#include "wire_test_util.h"

namespace tessera::wire {
namespace {

using testing::H;

template <class T>
Bytes ser(const T& v) {
  ByteWriter w;
  v.serialize(w);
  EXPECT_FALSE(w.failed());
  return std::move(w).take();
}

Bytes concat(std::initializer_list<ByteView> parts) {
  Bytes out;
  for (ByteView p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

void expect_error(const Error& e, ErrorCode code, AlertDescription alert, std::string_view needle) {
  EXPECT_EQ(e.code(), code) << e.to_string();
  EXPECT_EQ(e.alert(), alert) << e.to_string();
  EXPECT_NE(e.message().find(needle), std::string::npos) << e.message();
}

void expect_decode_error(const Error& e, ErrorCode code, std::string_view needle) {
  expect_error(e, code, AlertDescription::decode_error, needle);
}

void expect_illegal(const Error& e, std::string_view needle) {
  expect_error(e, ErrorCode::illegal_parameter, AlertDescription::illegal_parameter, needle);
}

// --- ECHConfig -------------------------------------------------------------------

// A version-0xfe0d config written out by hand from the structure in draft 4:
// config_id 7, DHKEM(X25519) (0x0020), a 4-byte key, two suites, maximum
// name length 32, public_name "public.example", no extensions.
constexpr std::string_view kConfigHex =
    "fe0d 0025"
    "  07 0020 0004 01020304"     // HpkeKeyConfig: config_id, kem_id, public_key
    "  0008 0001 0001 0001 0003"  // cipher_suites: (HKDF-SHA256, AES-128-GCM), (.., ChaCha20)
    "  20"                        // maximum_name_length
    "  0e 7075626c69632e6578616d706c65"  // public_name "public.example"
    "  0000";                            // extensions

EchConfigContents sample_contents() {
  EchConfigContents c;
  c.key_config.config_id = 7;
  c.key_config.kem_id = 0x0020;
  c.key_config.public_key = H("01020304");
  c.key_config.cipher_suites = {{0x0001, 0x0001}, {0x0001, 0x0003}};
  c.maximum_name_length = 32;
  c.public_name = "public.example";
  return c;
}

// config_of makes a version-0xfe0d ECHConfig holding the given contents.
Bytes config_of(const Bytes& contents) {
  ByteWriter w;
  w.u16(kEchVersion);
  w.prefixed_bytes(2, contents);
  return std::move(w).take();
}

TEST(EchConfig, ParsesTheDraftLayoutAndRoundTrips) {
  Bytes raw = H(kConfigHex);
  auto c = EchConfig::parse(raw);
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_EQ(c->version, kEchVersion);
  EXPECT_TRUE(c->supported());
  EXPECT_EQ(c->contents, sample_contents());
  EXPECT_EQ(c->raw, raw);
  EXPECT_EQ(ser(*c), raw);
  // make writes the same bytes from the contents.
  auto made = EchConfig::make(sample_contents());
  ASSERT_TRUE(made.ok()) << made.error().to_string();
  EXPECT_EQ(made->raw, raw);
  EXPECT_EQ(made->contents, sample_contents());
  // Contents alone round trip too.
  ByteReader r(ByteView(raw).subspan(4));
  auto contents = EchConfigContents::read(r);
  ASSERT_TRUE(contents.ok());
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(ser(*contents), Bytes(raw.begin() + 4, raw.end()));
}

TEST(EchConfig, HpkeInfoIsLabelZeroAndTheWholeConfig) {
  auto c = EchConfig::parse(H(kConfigHex));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(ech_hpke_info(*c), concat({as_bytes_view("tls ech"), H("00"), H(kConfigHex)}));
}

TEST(EchConfig, ExtensionsAreKeptInOrder) {
  EchConfigContents c = sample_contents();
  c.extensions = {{0x1a1a, {}}, {0x0001, H("abcd")}};
  auto made = EchConfig::make(c);
  ASSERT_TRUE(made.ok()) << made.error().to_string();
  EXPECT_EQ(made->contents.extensions, c.extensions);
  // The block ends the config: 000a 1a1a 0000 0001 0002 abcd.
  ByteView tail = ByteView(made->raw).last(12);
  EXPECT_EQ(Bytes(tail.begin(), tail.end()), H("000a 1a1a 0000 0001 0002 abcd"));
  auto again = EchConfig::parse(made->raw);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->contents, c);
}

TEST(EchConfig, UnknownVersionIsKeptOpaque) {
  Bytes raw = H("fe0c 0003 aabbcc");
  auto c = EchConfig::parse(raw);
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_EQ(c->version, 0xfe0c);
  EXPECT_FALSE(c->supported());
  EXPECT_EQ(c->raw, raw);
  EXPECT_EQ(ser(*c), raw);
  // Its contents may be anything, even empty.
  EXPECT_TRUE(EchConfig::parse(H("1234 0000")).ok());
}

TEST(EchConfig, LengthBounds) {
  // Truncated header and contents.
  auto r1 = EchConfig::parse(H("fe"));
  ASSERT_FALSE(r1.ok());
  expect_decode_error(r1.error(), ErrorCode::decode_truncated, "ECHConfig: version");
  auto r2 = EchConfig::parse(H("fe0d 0025 07 0020"));
  ASSERT_FALSE(r2.ok());
  expect_decode_error(r2.error(), ErrorCode::decode_truncated, "ECHConfig: contents");
  // Bytes after the config, and bytes after the contents inside it.
  auto r3 = EchConfig::parse(concat({H(kConfigHex), H("00")}));
  ASSERT_FALSE(r3.ok());
  expect_decode_error(r3.error(), ErrorCode::decode_trailing_data, "ECHConfig: 1 trailing bytes");
  const Bytes config = H(kConfigHex);
  Bytes contents(config.begin() + 4, config.end());
  contents.push_back(0);
  auto r4 = EchConfig::parse(config_of(contents));
  ASSERT_FALSE(r4.ok());
  expect_decode_error(r4.error(), ErrorCode::decode_trailing_data,
                      "ECHConfig: 1 trailing bytes after ECHConfigContents");
  // Contents that end before their fields do.
  auto r5 = EchConfig::parse(config_of(H("07 0020 0004 01020304 0004 00010001 20")));
  ASSERT_FALSE(r5.ok());
  expect_decode_error(r5.error(), ErrorCode::decode_truncated, "ECHConfig: public_name");
}

TEST(EchConfig, FieldBounds) {
  struct Case {
    const char* contents;
    ErrorCode code;
    const char* needle;
  };
  const Case cases[] = {
      // HpkePublicKey<1..2^16-1>: empty.
      {"07 0020 0000 0004 00010001 20 01 61 0000", ErrorCode::decode_length,
       "public_key: length 0 is outside the allowed 1..65535"},
      // cipher_suites<4..2^16-4>: empty, and not a multiple of 4.
      {"07 0020 0001 aa 0000 20 01 61 0000", ErrorCode::decode_length,
       "cipher_suites: length 0 is outside the allowed 4..65532"},
      {"07 0020 0001 aa 0006 00010001 0001 20 01 61 0000", ErrorCode::decode_length,
       "cipher_suites: length 6 is not a multiple of 4"},
      // public_name<1..255>: empty.
      {"07 0020 0001 aa 0004 00010001 20 00 0000", ErrorCode::decode_length,
       "public_name: length 0 is outside the allowed 1..255"},
      // extensions: a truncated extension, a type twice.
      {"07 0020 0001 aa 0004 00010001 20 01 61 0005 0001 0002 ab", ErrorCode::decode_truncated,
       "extensions: 0x0001"},
      {"07 0020 0001 aa 0004 00010001 20 01 61 0008 1a1a 0000 1a1a 0000",
       ErrorCode::decode_invalid_value, "extensions: 0x1a1a appears more than once"},
      // extensions longer than the contents.
      {"07 0020 0001 aa 0004 00010001 20 01 61 0010 1a1a 0000", ErrorCode::decode_truncated,
       "extensions"},
  };
  for (const Case& c : cases) {
    auto r = EchConfig::parse(config_of(H(c.contents)));
    ASSERT_FALSE(r.ok()) << c.contents;
    expect_decode_error(r.error(), c.code, c.needle);
    EXPECT_EQ(r.error().message().rfind("ECHConfig: ", 0), 0u) << r.error().message();
  }
  // The smallest valid contents.
  auto smallest = EchConfig::parse(config_of(H("00 0000 0001 aa 0004 00000000 00 01 61 0000")));
  ASSERT_TRUE(smallest.ok()) << smallest.error().to_string();
  EXPECT_EQ(smallest->contents.public_name, "a");
}

TEST(EchConfig, CipherSuiteListUpperBound) {
  // The list can only reach 2^16-4 bytes outside a config (whose contents
  // are at most 2^16-1 bytes), so HpkeKeyConfig is read on its own.
  auto key_config_with_suites = [](size_t len) {
    ByteWriter w;
    w.u8(1);
    w.u16(0x0020);
    w.prefixed_bytes(2, H("aa"));
    w.prefixed<2>([&](ByteWriter& l) { l.zeros(len); });
    return std::move(w).take();
  };
  Bytes max = key_config_with_suites(0xFFFC);
  ByteReader r1(max);
  auto ok_read = HpkeKeyConfig::read(r1);
  ASSERT_TRUE(ok_read.ok()) << ok_read.error().to_string();
  EXPECT_EQ(ok_read->cipher_suites.size(), 0xFFFCu / 4);
  EXPECT_TRUE(r1.empty());
  EXPECT_EQ(ser(*ok_read), max);
  Bytes over = key_config_with_suites(0xFFFE);
  ByteReader r2(over);
  auto bad = HpkeKeyConfig::read(r2);
  ASSERT_FALSE(bad.ok());
  expect_decode_error(bad.error(), ErrorCode::decode_length,
                      "cipher_suites: length 65534 is outside the allowed 4..65532");
}

TEST(EchConfig, MakeRefusesWhatAClientWouldRefuse) {
  EchConfigContents empty_name = sample_contents();
  empty_name.public_name.clear();
  auto r1 = EchConfig::make(empty_name);
  ASSERT_FALSE(r1.ok());
  expect_decode_error(r1.error(), ErrorCode::decode_length, "ECHConfig: public_name: length 0");

  EchConfigContents long_name = sample_contents();
  long_name.public_name = std::string(256, 'a');
  auto r2 = EchConfig::make(long_name);
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().code(), ErrorCode::decode_length);
  long_name.public_name = std::string(255, 'a');
  EXPECT_TRUE(EchConfig::make(long_name).ok());

  EchConfigContents no_suites = sample_contents();
  no_suites.key_config.cipher_suites.clear();
  auto r3 = EchConfig::make(no_suites);
  ASSERT_FALSE(r3.ok());
  expect_decode_error(r3.error(), ErrorCode::decode_length, "cipher_suites");

  EchConfigContents no_key = sample_contents();
  no_key.key_config.public_key.clear();
  auto r4 = EchConfig::make(no_key);
  ASSERT_FALSE(r4.ok());
  expect_decode_error(r4.error(), ErrorCode::decode_length, "public_key");

  EchConfigContents twice = sample_contents();
  twice.extensions = {{0x0001, {}}, {0x0001, {}}};
  auto r5 = EchConfig::make(twice);
  ASSERT_FALSE(r5.ok());
  EXPECT_EQ(r5.error().code(), ErrorCode::decode_invalid_value);
}

// --- ECHConfigList ------------------------------------------------------------------

TEST(EchConfigList, UnknownVersionsAreKeptAndCounted) {
  Bytes unknown1 = H("fe0c 0003 aabbcc");
  Bytes unknown2 = H("1234 0000");
  Bytes known = H(kConfigHex);
  Bytes body = concat({unknown1, known, unknown2});
  ByteWriter w;
  w.prefixed_bytes(2, body);
  Bytes raw = std::move(w).take();

  auto list = EchConfigList::parse(raw);
  ASSERT_TRUE(list.ok()) << list.error().to_string();
  ASSERT_EQ(list->configs.size(), 3u);
  EXPECT_EQ(list->supported_count(), 1u);
  EXPECT_FALSE(list->configs[0].supported());
  EXPECT_TRUE(list->configs[1].supported());
  EXPECT_EQ(list->configs[1].contents.public_name, "public.example");
  EXPECT_EQ(list->configs[0].raw, unknown1);
  EXPECT_EQ(list->configs[1].raw, known);
  EXPECT_EQ(list->configs[2].raw, unknown2);
  EXPECT_EQ(list->raw, raw);
  EXPECT_EQ(ser(*list), raw);

  auto made = EchConfigList::make(list->configs);
  ASSERT_TRUE(made.ok()) << made.error().to_string();
  EXPECT_EQ(made->raw, raw);
  EXPECT_EQ(made->supported_count(), 1u);

  // A list of configs of unknown versions only is valid, with none usable.
  auto none = EchConfigList::parse(H("0004 fe0c 0000"));
  ASSERT_TRUE(none.ok()) << none.error().to_string();
  EXPECT_EQ(none->configs.size(), 1u);
  EXPECT_EQ(none->supported_count(), 0u);
}

TEST(EchConfigList, LengthBounds) {
  // ECHConfigList<4..2^16-1>: empty, and shorter than one config header.
  auto empty = EchConfigList::parse(H("0000"));
  ASSERT_FALSE(empty.ok());
  expect_decode_error(empty.error(), ErrorCode::decode_length,
                      "ECHConfigList: length 0 is outside the allowed 4..65535");
  auto three = EchConfigList::parse(H("0003 fe0d00"));
  ASSERT_FALSE(three.ok());
  expect_decode_error(three.error(), ErrorCode::decode_length, "ECHConfigList: length 3");
  // Missing length, truncated list, bytes after the list.
  auto nothing = EchConfigList::parse({});
  ASSERT_FALSE(nothing.ok());
  EXPECT_EQ(nothing.error().code(), ErrorCode::decode_truncated);
  auto truncated = EchConfigList::parse(H("0010 fe0c 0000"));
  ASSERT_FALSE(truncated.ok());
  expect_decode_error(truncated.error(), ErrorCode::decode_truncated, "ECHConfigList");
  auto trailing = EchConfigList::parse(H("0004 fe0c 0000 00"));
  ASSERT_FALSE(trailing.ok());
  expect_decode_error(trailing.error(), ErrorCode::decode_trailing_data,
                      "ECHConfigList: 1 trailing bytes");
  // A config whose length runs past the list; a dangling byte after the
  // last config inside the list. The message numbers the config.
  auto past = EchConfigList::parse(H("0006 fe0c 0003 aa bb"));
  ASSERT_FALSE(past.ok());
  expect_decode_error(past.error(), ErrorCode::decode_truncated,
                      "ECHConfigList: ECHConfig 1: contents");
  auto dangling = EchConfigList::parse(H("0005 fe0c 0000 00"));
  ASSERT_FALSE(dangling.ok());
  expect_decode_error(dangling.error(), ErrorCode::decode_truncated,
                      "ECHConfigList: ECHConfig 2: version");
  // A malformed known-version config fails the whole list.
  Bytes bad = config_of(H("07 0020 0000 0004 00010001 20 01 61 0000"));
  ByteWriter w;
  w.prefixed_bytes(2, concat({H("fe0c 0000"), bad}));
  auto malformed = EchConfigList::parse(std::move(w).take());
  ASSERT_FALSE(malformed.ok());
  expect_decode_error(malformed.error(), ErrorCode::decode_length,
                      "ECHConfigList: ECHConfig 2: public_key");
}

TEST(EchConfigList, LargestListAndMakeOverflow) {
  // One opaque config filling a 65535-byte list.
  ByteWriter w;
  w.prefixed<2>([](ByteWriter& l) {
    l.u16(0xfe0c);
    l.prefixed<2>([](ByteWriter& c) { c.zeros(0xFFFF - 4); });
  });
  Bytes raw = std::move(w).take();
  auto list = EchConfigList::parse(raw);
  ASSERT_TRUE(list.ok()) << list.error().to_string();
  EXPECT_EQ(list->raw.size(), 2u + 0xFFFF);
  // One byte more does not fit.
  auto one = EchConfig::parse(H("fe0c 0000"));
  ASSERT_TRUE(one.ok());
  std::vector<EchConfig> too_many = list->configs;
  too_many.push_back(*one);
  auto over = EchConfigList::make(too_many);
  ASSERT_FALSE(over.ok());
  expect_decode_error(over.error(), ErrorCode::decode_length, "ECHConfigList");
  // And an empty list cannot be made.
  auto empty = EchConfigList::make({});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code(), ErrorCode::decode_length);
}

// --- mandatory extensions, public_name, client checks -------------------------------

TEST(EchConfig, MandatoryExtensionsAreDetected) {
  EXPECT_FALSE(is_mandatory_ech_config_extension(0x0000));
  EXPECT_FALSE(is_mandatory_ech_config_extension(0x7a7a));
  EXPECT_TRUE(is_mandatory_ech_config_extension(0x8a8a));
  EXPECT_TRUE(is_mandatory_ech_config_extension(0xffff));

  EchConfigContents c = sample_contents();
  EXPECT_EQ(c.unsupported_mandatory_extension(), std::nullopt);
  c.extensions = {{0x1a1a, {}}, {0x8a8a, H("00")}, {0xfafa, {}}};
  EXPECT_EQ(c.unsupported_mandatory_extension(), 0x8a8a);
  const uint16_t known[] = {0x8a8a};
  EXPECT_EQ(c.unsupported_mandatory_extension(known), 0xfafa);
  const uint16_t both[] = {0xfafa, 0x8a8a};
  EXPECT_EQ(c.unsupported_mandatory_extension(both), std::nullopt);

  auto config = EchConfig::make(c);
  ASSERT_TRUE(config.ok());
  auto usable = check_client_usable(*config);
  ASSERT_FALSE(usable.ok());
  EXPECT_EQ(usable.error().code(), ErrorCode::config_invalid);
  EXPECT_EQ(usable.error().message(), "ECHConfig 7: mandatory extension 0x8a8a is not supported");
  EXPECT_TRUE(check_client_usable(*config, both).ok());
}

TEST(EchConfig, ClientSkipsUnknownVersionsAndBadNames) {
  auto good = EchConfig::make(sample_contents());
  ASSERT_TRUE(good.ok());
  EXPECT_TRUE(check_client_usable(*good).ok());

  auto unknown = EchConfig::parse(H("fe0c 0000"));
  ASSERT_TRUE(unknown.ok());
  auto r1 = check_client_usable(*unknown);
  ASSERT_FALSE(r1.ok());
  EXPECT_EQ(r1.error().code(), ErrorCode::config_invalid);
  EXPECT_EQ(r1.error().message(), "ECHConfig: version 0xfe0c is not supported");

  EchConfigContents ip = sample_contents();
  ip.public_name = "192.0.2.1";
  auto config = EchConfig::make(ip);
  ASSERT_TRUE(config.ok());  // parsing does not judge the name
  auto r2 = check_client_usable(*config);
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().code(), ErrorCode::config_invalid);
  EXPECT_EQ(r2.error().message().rfind("ECHConfig 7: public_name \"192.0.2.1\"", 0), 0u)
      << r2.error().message();
}

TEST(EchPublicName, AcceptsLdhNames) {
  for (std::string_view name :
       {"a", "example.com", "public.example", "A-B.example.COM", "xn--bcher-kva.example",
        "123.example", "a.1a", "example.0xg", "example.x0", "1a2b", "0xg", "a.b.c.d.e.f.g.h"}) {
    auto r = check_public_name(name);
    EXPECT_TRUE(r.ok()) << name << ": " << r.error().to_string();
  }
  std::string label63(63, 'x');
  EXPECT_TRUE(check_public_name(label63 + "." + label63 + ".com").ok());
}

TEST(EchPublicName, RefusesWhatSection617Excludes) {
  struct Case {
    std::string name;
    const char* needle;
  };
  const Case cases[] = {
      {"", "is empty"},
      {".example.com", "begins with a dot"},
      {"example.com.", "ends with a dot"},
      {"a..b", "has an empty label 2"},
      {std::string(64, 'x') + ".com", "has a 64-byte label 1, the limit is 63"},
      {"exa_mple.com", "has \"_\" in label 1"},
      {"ex ample.com", "has \" \" in label 1"},
      {std::string("a\0b.com", 7), "has \"\\x00\" in label 1"},
      {"\xc3\xa9t\xc3\xa9.example", "has \"\\xc3\" in label 1"},
      {"-a.example", "label 1 beginning or ending with a hyphen"},
      {"example.a-", "label 2 beginning or ending with a hyphen"},
      // IPv4 literals in the forms 6.1.7 names: an all-digit last label,
      // or 0x / 0X followed by hex digits, possibly none.
      {"192.0.2.1", "ends with an all-digit label"},
      {"1", "ends with an all-digit label"},
      {"example.123", "ends with an all-digit label"},
      {"0x7f.1", "ends with an all-digit label"},
      {"example.0x", "ends with a hexadecimal label"},
      {"example.0X", "ends with a hexadecimal label"},
      {"0xc0a80001", "ends with a hexadecimal label"},
      {"example.0XfF", "ends with a hexadecimal label"},
  };
  for (const Case& c : cases) {
    auto r = check_public_name(c.name);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.error().code(), ErrorCode::config_invalid);
    EXPECT_NE(r.error().message().find(c.needle), std::string::npos) << r.error().message();
    EXPECT_EQ(r.error().message().rfind("public_name \"", 0), 0u) << r.error().message();
  }
}

// --- encrypted_client_hello -------------------------------------------------------------

TEST(EchClientHello, OuterRoundTrip) {
  Bytes d = H("00 0001 0003 2a 0003 aabbcc 0002 dddd");
  auto e = EchClientHello::parse(d);
  ASSERT_TRUE(e.ok()) << e.error().to_string();
  ASSERT_TRUE(e->outer.has_value());
  EXPECT_EQ(e->type(), EchClientHelloType::outer);
  EXPECT_EQ(e->outer->cipher_suite, (HpkeSymmetricCipherSuite{0x0001, 0x0003}));
  EXPECT_EQ(e->outer->config_id, 0x2a);
  EXPECT_EQ(e->outer->enc, H("aabbcc"));
  EXPECT_EQ(e->outer->payload, H("dddd"));
  EXPECT_EQ(ser(*e), d);
  // enc may be empty (the ClientHello after a HelloRetryRequest).
  Bytes no_enc = H("00 0001 0001 00 0000 0001 ff");
  auto e2 = EchClientHello::parse(no_enc);
  ASSERT_TRUE(e2.ok()) << e2.error().to_string();
  EXPECT_TRUE(e2->outer->enc.empty());
  EXPECT_EQ(ser(*e2), no_enc);
}

TEST(EchClientHello, InnerRoundTrip) {
  auto e = EchClientHello::parse(H("01"));
  ASSERT_TRUE(e.ok()) << e.error().to_string();
  EXPECT_EQ(e->type(), EchClientHelloType::inner);
  EXPECT_FALSE(e->outer.has_value());
  EXPECT_EQ(ser(*e), H("01"));
  EXPECT_EQ(ser(EchClientHello::inner()), H("01"));
}

TEST(EchClientHello, Errors) {
  auto empty = EchClientHello::parse({});
  ASSERT_FALSE(empty.ok());
  expect_decode_error(empty.error(), ErrorCode::decode_truncated, "encrypted_client_hello: type");
  auto inner_body = EchClientHello::parse(H("01 00"));
  ASSERT_FALSE(inner_body.ok());
  expect_decode_error(inner_body.error(), ErrorCode::decode_trailing_data,
                      "encrypted_client_hello: 1 trailing bytes after the inner variant");
  // draft 7: an unknown ECHClientHelloType is illegal_parameter.
  for (const char* hex : {"02", "ff 0001 0001 00 0000 0001 ff"}) {
    auto r = EchClientHello::parse(H(hex));
    ASSERT_FALSE(r.ok()) << hex;
    expect_illegal(r.error(), "encrypted_client_hello: type ");
  }
  // payload<1..2^16-1>: empty.
  auto no_payload = EchClientHello::parse(H("00 0001 0001 00 0000 0000"));
  ASSERT_FALSE(no_payload.ok());
  expect_decode_error(no_payload.error(), ErrorCode::decode_length,
                      "encrypted_client_hello: payload: length 0 is outside the allowed 1..65535");
  // Truncated at each field.
  for (const char* hex : {"00 0001", "00 0001 0001", "00 0001 0001 00 00",
                          "00 0001 0001 00 0003 aa", "00 0001 0001 00 0000 0002 aa"}) {
    auto r = EchClientHello::parse(H(hex));
    ASSERT_FALSE(r.ok()) << hex;
    EXPECT_EQ(r.error().code(), ErrorCode::decode_truncated) << hex;
    EXPECT_EQ(r.error().alert(), AlertDescription::decode_error);
  }
  auto trailing = EchClientHello::parse(H("00 0001 0001 00 0000 0001 ff 00"));
  ASSERT_FALSE(trailing.ok());
  expect_decode_error(trailing.error(), ErrorCode::decode_trailing_data, "encrypted_client_hello");
}

TEST(EchEncryptedExtensions, RoundTripKeepsRawList) {
  Bytes list = concat({H("002d"), H(kConfigHex), H("fe0c 0000")});
  auto ee = EchEncryptedExtensions::parse(list);
  ASSERT_TRUE(ee.ok()) << ee.error().to_string();
  EXPECT_EQ(ee->retry_configs.raw, list);
  ASSERT_EQ(ee->retry_configs.configs.size(), 2u);
  EXPECT_EQ(ee->retry_configs.supported_count(), 1u);
  EXPECT_EQ(ser(*ee), list);
}

TEST(EchEncryptedExtensions, Errors) {
  for (const char* hex : {"", "0000", "0004 fe0c", "0004 fe0c 0000 00", "0004 fe0d 0000"}) {
    auto r = EchEncryptedExtensions::parse(H(hex));
    ASSERT_FALSE(r.ok()) << hex;
    EXPECT_EQ(r.error().alert(), AlertDescription::decode_error) << r.error().to_string();
    EXPECT_EQ(r.error().message().rfind("encrypted_client_hello: ", 0), 0u) << r.error().message();
  }
}

TEST(EchHelloRetryRequest, ExactlyEightBytes) {
  Bytes d = H("0102030405060708");
  auto h = EchHelloRetryRequest::parse(d);
  ASSERT_TRUE(h.ok()) << h.error().to_string();
  EXPECT_EQ(Bytes(h->confirmation.begin(), h->confirmation.end()), d);
  EXPECT_EQ(ser(*h), d);
  EXPECT_EQ(ser(EchHelloRetryRequest{}), Bytes(8, 0));
  for (const char* hex : {"", "01020304050607", "010203040506070809"}) {
    auto r = EchHelloRetryRequest::parse(H(hex));
    ASSERT_FALSE(r.ok()) << hex;
    expect_decode_error(r.error(), ErrorCode::decode_length,
                        "encrypted_client_hello: confirmation");
  }
}

// --- ech_outer_extensions ---------------------------------------------------------------

TEST(EchOuterExtensions, RoundTripAndBounds) {
  Bytes d = H("04 000a 0033");
  auto o = EchOuterExtensions::parse(d);
  ASSERT_TRUE(o.ok()) << o.error().to_string();
  EXPECT_EQ(o->types, (std::vector<uint16_t>{kExtSupportedGroups, kExtKeyShare}));
  EXPECT_EQ(ser(*o), d);

  // OuterExtensions<2..254>: 127 types fit, the length may not be 0, odd or 255.
  EchOuterExtensions full;
  for (uint16_t t = 0; t < kMaxEchOuterExtensions; ++t) full.types.push_back(t + 100);
  Bytes full_bytes = ser(full);
  EXPECT_EQ(full_bytes.size(), 255u);
  auto parsed = EchOuterExtensions::parse(full_bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(parsed->types, full.types);

  Bytes too_long = full_bytes;
  too_long[0] = 255;
  too_long.push_back(0);
  struct Case {
    Bytes data;
    ErrorCode code;
    const char* needle;
  };
  const Case cases[] = {
      {H("00"), ErrorCode::decode_length, "length 0 is outside the allowed 2..254"},
      {H("03 000a00"), ErrorCode::decode_length, "length 3 is odd"},
      {too_long, ErrorCode::decode_length, "length 255 is outside the allowed 2..254"},
      {H("04 000a"), ErrorCode::decode_truncated, "OuterExtensions"},
      {H(""), ErrorCode::decode_truncated, "OuterExtensions"},
      {H("02 000a 00"), ErrorCode::decode_trailing_data, "1 trailing bytes"},
  };
  for (const Case& c : cases) {
    auto r = EchOuterExtensions::parse(c.data);
    ASSERT_FALSE(r.ok());
    expect_decode_error(r.error(), c.code, c.needle);
    EXPECT_EQ(r.error().message().rfind("ech_outer_extensions: ", 0), 0u) << r.error().message();
  }
}

TEST(EchOuterExtensions, ExtensionName) {
  EXPECT_EQ(extension_name(kExtEchOuterExtensions), "ech_outer_extensions");
  EXPECT_EQ(extension_name(kExtEncryptedClientHello), "encrypted_client_hello");
}

// --- EncodedClientHelloInner --------------------------------------------------------------

Extension ext(uint16_t type, std::string_view hex) { return Extension{type, H(hex)}; }

Bytes body_of(const ClientHello& ch) {
  auto b = encode(ch);
  EXPECT_TRUE(b.ok());
  return b.ok() ? *b : Bytes{};
}

// The inner and outer ClientHellos of the encode/decode tests. The outer
// shares supported_groups, key_share and signature_algorithms with the inner
// (in the same relative order, not contiguous).
ClientHello inner_hello() {
  ClientHello ch;
  ch.random.fill(0x11);
  ch.legacy_session_id = Bytes(32, 0x55);
  ch.cipher_suites = {0x1301, 0x1302};
  ch.extensions = {
      make_extension(kExtServerName, ServerNameList{"secret.example"}),
      ext(kExtSupportedGroups, "0004 001d 0017"),
      ext(kExtKeyShare, "0024 001d 0020 " + std::string(64, 'a')),
      ext(kExtSignatureAlgorithms, "0004 0403 0804"),
      ext(kExtSupportedVersions, "02 0304"),
      ext(kExtEncryptedClientHello, "01"),
      ext(kExtPskKeyExchangeModes, "01 01"),
  };
  return ch;
}

ClientHello outer_hello() {
  ClientHello inner = inner_hello();
  ClientHello ch;
  ch.random.fill(0x22);
  ch.legacy_session_id = Bytes(32, 0x55);
  ch.cipher_suites = {0x1301, 0x1302, 0x1303};
  ch.extensions = {
      make_extension(kExtServerName, ServerNameList{"public.example"}),
      *inner.find_extension(kExtSupportedGroups),
      ext(kExtEcPointFormats, "01 00"),
      *inner.find_extension(kExtKeyShare),
      ext(kExtAlpn, "0003 02 6832"),
      *inner.find_extension(kExtSignatureAlgorithms),
      ext(kExtSupportedVersions, "04 0304 0303"),
      ext(kExtEncryptedClientHello, "00 0001 0001 07 0002 eeee 0004 dddddddd"),
  };
  return ch;
}

std::vector<uint16_t> types_of(const Extensions& exts) {
  std::vector<uint16_t> t;
  for (const Extension& e : exts) t.push_back(e.type);
  return t;
}

const std::vector<uint16_t> kCompressed = {kExtSupportedGroups, kExtKeyShare,
                                           kExtSignatureAlgorithms};

TEST(EchInner, EncodeWithoutCompressionEmptiesSessionId) {
  ClientHello inner = inner_hello();
  auto encoded = encode_client_hello_inner(inner, {}, 0);
  ASSERT_TRUE(encoded.ok()) << encoded.error().to_string();
  auto as_hello = ClientHello::parse(*encoded);
  ASSERT_TRUE(as_hello.ok()) << as_hello.error().to_string();
  EXPECT_TRUE(as_hello->legacy_session_id.empty());
  EXPECT_EQ(as_hello->extensions, inner.extensions);
  EXPECT_EQ(as_hello->random, inner.random);
  // It is the ClientHello structure, without the handshake header: the
  // serialization of inner with an empty session id, 32 bytes shorter.
  EXPECT_EQ(encoded->size(), body_of(inner).size() - 32);
  EXPECT_EQ((*encoded)[0], 0x03);  // legacy_version, not msg_type

  auto decoded = decode_client_hello_inner(*encoded, outer_hello());
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  EXPECT_EQ(body_of(*decoded), body_of(inner));
}

TEST(EchInner, EncodeWithCompressionAndDecodeRestores) {
  ClientHello inner = inner_hello();
  auto encoded = encode_client_hello_inner(inner, kCompressed, 0);
  ASSERT_TRUE(encoded.ok()) << encoded.error().to_string();
  auto as_hello = ClientHello::parse(*encoded);
  ASSERT_TRUE(as_hello.ok()) << as_hello.error().to_string();
  // The three extensions became one ech_outer_extensions in their place.
  EXPECT_EQ(types_of(as_hello->extensions),
            (std::vector<uint16_t>{kExtServerName, kExtEchOuterExtensions, kExtSupportedVersions,
                                   kExtEncryptedClientHello, kExtPskKeyExchangeModes}));
  EXPECT_EQ(as_hello->find_extension(kExtEchOuterExtensions)->data, H("06 000a 0033 000d"));

  auto decoded = decode_client_hello_inner(*encoded, outer_hello());
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  EXPECT_EQ(body_of(*decoded), body_of(inner));
}

TEST(EchInner, SessionIdIsCopiedFromOuter) {
  auto encoded = encode_client_hello_inner(inner_hello(), kCompressed, 0);
  ASSERT_TRUE(encoded.ok());
  ClientHello outer = outer_hello();
  outer.legacy_session_id = H("0102030405");
  auto decoded = decode_client_hello_inner(*encoded, outer);
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  EXPECT_EQ(decoded->legacy_session_id, H("0102030405"));
  outer.legacy_session_id.clear();
  auto decoded_empty = decode_client_hello_inner(*encoded, outer);
  ASSERT_TRUE(decoded_empty.ok());
  EXPECT_TRUE(decoded_empty->legacy_session_id.empty());
}

TEST(EchInner, PaddingMustBeZeros) {
  ClientHello inner = inner_hello();
  auto plain = encode_client_hello_inner(inner, kCompressed, 0);
  auto padded = encode_client_hello_inner(inner, kCompressed, 13);
  ASSERT_TRUE(plain.ok() && padded.ok());
  ASSERT_EQ(padded->size(), plain->size() + 13);
  EXPECT_TRUE(std::equal(plain->begin(), plain->end(), padded->begin()));
  EXPECT_TRUE(std::all_of(padded->end() - 13, padded->end(), [](uint8_t b) { return b == 0; }));
  auto decoded = decode_client_hello_inner(*padded, outer_hello());
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  EXPECT_EQ(body_of(*decoded), body_of(inner));

  // draft 5.1: a non-zero padding byte is illegal_parameter.
  for (size_t at : {size_t{0}, size_t{6}, size_t{12}}) {
    Bytes bad = *padded;
    bad[plain->size() + at] = 0x01;
    auto r = decode_client_hello_inner(bad, outer_hello());
    ASSERT_FALSE(r.ok());
    expect_illegal(r.error(), "EncodedClientHelloInner: padding byte " + std::to_string(at + 1) +
                                  " of 13 is not zero");
  }
}

TEST(EchInner, PaddedToTheRecommendedLength) {
  ClientHello inner = inner_hello();
  auto plain = encode_client_hello_inner(inner, kCompressed, 0);
  ASSERT_TRUE(plain.ok());
  const size_t padding = ech_padding_length(plain->size(), 14, 32);  // "secret.example"
  auto padded = encode_client_hello_inner(inner, kCompressed, padding);
  ASSERT_TRUE(padded.ok());
  EXPECT_EQ(padded->size() % 32, 0u);
  EXPECT_GE(padded->size(), plain->size() + 18);
  EXPECT_TRUE(decode_client_hello_inner(*padded, outer_hello()).ok());
}

TEST(EchInner, EncodeRefusesBadCompressionLists) {
  ClientHello inner = inner_hello();
  struct Case {
    std::vector<uint16_t> compress;
    const char* needle;
  };
  const Case cases[] = {
      {{kExtSupportedGroups, kExtSignatureAlgorithms},
       "signature_algorithms (13) does not follow supported_groups (10)"},
      {{kExtKeyShare, kExtSupportedGroups}, "supported_groups (10) does not follow key_share (51)"},
      {{kExtPskKeyExchangeModes, kExtSupportedGroups}, "does not follow"},
      {{kExtCookie}, "ClientHelloInner does not hold cookie (44)"},
      {{kExtEncryptedClientHello}, "encrypted_client_hello (65037) cannot be compressed"},
      {{kExtSupportedVersions, kExtEncryptedClientHello}, "cannot be compressed"},
      {{kExtEchOuterExtensions}, "ech_outer_extensions (64768) cannot be compressed"},
      {std::vector<uint16_t>(128, kExtKeyShare), "cannot compress 128 extensions"},
  };
  for (const Case& c : cases) {
    auto r = encode_client_hello_inner(inner, c.compress, 0);
    ASSERT_FALSE(r.ok()) << c.needle;
    EXPECT_EQ(r.error().code(), ErrorCode::internal_error);
    EXPECT_NE(r.error().message().find(c.needle), std::string::npos) << r.error().message();
  }
  ClientHello holds_marker = inner;
  holds_marker.extensions.insert(holds_marker.extensions.begin(),
                                 ext(kExtEchOuterExtensions, "02 000a"));
  auto r = encode_client_hello_inner(holds_marker, {}, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::internal_error);
}

// encoded_with builds an EncodedClientHelloInner by hand: inner_hello()
// with an empty session id and the extensions given.
Bytes encoded_with(Extensions exts) {
  ClientHello ch = inner_hello();
  ch.legacy_session_id.clear();
  ch.extensions = std::move(exts);
  return body_of(ch);
}

Extension outer_refs(std::vector<uint16_t> types) {
  return make_extension(kExtEchOuterExtensions, EchOuterExtensions{std::move(types)});
}

TEST(EchInner, DecodeRefusesEveryCaseOfSection51) {
  const Extension inner_ech = ext(kExtEncryptedClientHello, "01");
  struct Case {
    const char* what;
    Extensions exts;
    const char* needle;
  };
  const Case cases[] = {
      {"encrypted_client_hello referenced",
       {outer_refs({kExtEncryptedClientHello}), inner_ech},
       "ech_outer_extensions references encrypted_client_hello"},
      {"encrypted_client_hello referenced after others",
       {outer_refs({kExtSupportedGroups, kExtEncryptedClientHello})},
       "ech_outer_extensions references encrypted_client_hello"},
      {"a type referenced twice",
       {outer_refs({kExtSupportedGroups, kExtSupportedGroups}), inner_ech},
       "references supported_groups (10) more than once"},
      {"a type referenced twice, apart",
       {outer_refs({kExtSupportedGroups, kExtKeyShare, kExtSupportedGroups}), inner_ech},
       "references supported_groups (10) more than once"},
      {"a type missing in the outer",
       {outer_refs({kExtSupportedGroups, kExtCookie}), inner_ech},
       "references cookie (44), which ClientHelloOuter does not hold"},
      {"out of order",
       {outer_refs({kExtKeyShare, kExtSupportedGroups}), inner_ech},
       "references supported_groups (10) out of its order in ClientHelloOuter"},
      {"ech_outer_extensions referenced",
       {outer_refs({kExtEchOuterExtensions}), inner_ech},
       "references ech_outer_extensions"},
      {"a type the inner holds too",
       {ext(kExtKeyShare, "0000"), outer_refs({kExtKeyShare}), inner_ech},
       "references key_share (51), which ClientHelloInner also holds"},
      {"a type the inner holds too, after the reference",
       {outer_refs({kExtSupportedGroups}), ext(kExtSupportedGroups, "0002 001d"), inner_ech},
       "references supported_groups (10), which ClientHelloInner also holds"},
      {"two ech_outer_extensions",
       {outer_refs({kExtSupportedGroups}), inner_ech, outer_refs({kExtKeyShare})},
       "ech_outer_extensions (64768) appears more than once"},
  };
  for (const Case& c : cases) {
    auto r = decode_client_hello_inner(encoded_with(c.exts), outer_hello());
    ASSERT_FALSE(r.ok()) << c.what;
    expect_illegal(r.error(), c.needle);
    EXPECT_EQ(r.error().message().rfind("EncodedClientHelloInner: ", 0), 0u) << c.what;
  }
}

TEST(EchInner, DecodeRefusesPreSharedKeyMovedFromLast) {
  ClientHello outer = outer_hello();
  outer.extensions.push_back(ext(kExtPreSharedKey, "0000"));
  // pre_shared_key referenced last: fine.
  auto ok_last = decode_client_hello_inner(
      encoded_with({ext(kExtEncryptedClientHello, "01"), outer_refs({kExtPreSharedKey})}), outer);
  ASSERT_TRUE(ok_last.ok()) << ok_last.error().to_string();
  EXPECT_EQ(ok_last->extensions.back().type, kExtPreSharedKey);
  // Referenced before an inner extension: it would not be last.
  auto r = decode_client_hello_inner(
      encoded_with({outer_refs({kExtPreSharedKey}), ext(kExtEncryptedClientHello, "01")}), outer);
  ASSERT_FALSE(r.ok());
  expect_illegal(r.error(), "pre_shared_key is extension 1 of 2");
}

TEST(EchInner, DecodeDecodeErrors) {
  // A malformed OuterExtensions list.
  auto r1 =
      decode_client_hello_inner(encoded_with({ext(kExtEchOuterExtensions, "00")}), outer_hello());
  ASSERT_FALSE(r1.ok());
  expect_decode_error(r1.error(), ErrorCode::decode_length,
                      "EncodedClientHelloInner: ech_outer_extensions: OuterExtensions: length 0");
  // No extensions block: the structure is incomplete.
  ClientHello bare = inner_hello();
  bare.legacy_session_id.clear();
  bare.extensions.clear();
  bare.extensions_present = false;
  auto r2 = decode_client_hello_inner(body_of(bare), outer_hello());
  ASSERT_FALSE(r2.ok());
  expect_decode_error(r2.error(), ErrorCode::decode_truncated,
                      "EncodedClientHelloInner: extensions");
  // Truncated inside the structure, or an empty input.
  Bytes encoded = encoded_with({ext(kExtEncryptedClientHello, "01")});
  for (size_t len : {size_t{0}, size_t{1}, size_t{34}, size_t{40}, encoded.size() - 1}) {
    auto r = decode_client_hello_inner(ByteView(encoded).first(len), outer_hello());
    ASSERT_FALSE(r.ok()) << len;
    EXPECT_EQ(r.error().code(), ErrorCode::decode_truncated) << r.error().to_string();
  }
  // A malformed field is named by ClientHello::parse.
  Bytes odd = encoded;
  odd[35] = 0x00;
  odd[36] = 0x03;  // cipher_suites length 3 (after an empty session id at 34)
  auto r3 = decode_client_hello_inner(odd, outer_hello());
  ASSERT_FALSE(r3.ok());
  EXPECT_EQ(r3.error().alert(), AlertDescription::decode_error);
}

TEST(EchInner, LargeOuterExtensionsListIsLinearAndExact) {
  // A ClientHelloOuter of 5000 extensions and the largest OuterExtensions
  // (127 types), every 39th outer extension referenced.
  ClientHello outer;
  outer.random.fill(0x22);
  for (uint16_t t = 0; t < 5000; ++t) {
    outer.extensions.push_back(Extension{static_cast<uint16_t>(1000 + t), Bytes(3, 0x5a)});
  }
  std::vector<uint16_t> refs;
  for (uint16_t k = 0; k < kMaxEchOuterExtensions; ++k) {
    refs.push_back(static_cast<uint16_t>(1000 + 39 * k + 7));
  }
  auto decoded = decode_client_hello_inner(
      encoded_with({ext(kExtSupportedVersions, "02 0304"), outer_refs(refs),
                    ext(kExtEncryptedClientHello, "01")}),
      outer);
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  ASSERT_EQ(decoded->extensions.size(), kMaxEchOuterExtensions + 2);
  EXPECT_EQ(decoded->extensions.front().type, kExtSupportedVersions);
  EXPECT_EQ(decoded->extensions.back().type, kExtEncryptedClientHello);
  for (size_t k = 0; k < refs.size(); ++k) {
    EXPECT_EQ(decoded->extensions[k + 1].type, refs[k]);
    EXPECT_EQ(decoded->extensions[k + 1].data, Bytes(3, 0x5a));
  }
  // The same references with the last one out of order, and with the last
  // one the outer lacks, are refused after the one scan.
  std::vector<uint16_t> late = refs;
  late.back() = 1000;
  auto r1 = decode_client_hello_inner(encoded_with({outer_refs(late)}), outer);
  ASSERT_FALSE(r1.ok());
  expect_illegal(r1.error(), "unknown(1000) (1000) out of its order");
  std::vector<uint16_t> absent = refs;
  absent.back() = 999;
  auto r2 = decode_client_hello_inner(encoded_with({outer_refs(absent)}), outer);
  ASSERT_FALSE(r2.ok());
  expect_illegal(r2.error(), "which ClientHelloOuter does not hold");
  // 127 references to one type: refused at the second, nothing copied twice.
  auto r3 = decode_client_hello_inner(
      encoded_with({outer_refs(std::vector<uint16_t>(kMaxEchOuterExtensions, 1000))}), outer);
  ASSERT_FALSE(r3.ok());
  expect_illegal(r3.error(), "more than once");
}

// --- ClientHelloOuterAAD ---------------------------------------------------------------

TEST(EchAad, ZeroesExactlyThePayload) {
  ClientHello outer = outer_hello();
  // Put an extension after encrypted_client_hello so the payload is not the
  // end of the message.
  outer.extensions.push_back(ext(kExtPskKeyExchangeModes, "01 01"));
  Bytes body = body_of(outer);
  auto aad = client_hello_outer_aad(body);
  ASSERT_TRUE(aad.ok()) << aad.error().to_string();
  ASSERT_EQ(aad->size(), body.size());
  // The only difference is the 4-byte payload dddddddd, now zeros.
  std::vector<size_t> differ;
  for (size_t i = 0; i < body.size(); ++i) {
    if ((*aad)[i] != body[i]) differ.push_back(i);
  }
  ASSERT_EQ(differ.size(), 4u);
  EXPECT_EQ(differ.back() - differ.front(), 3u);
  for (size_t i : differ) {
    EXPECT_EQ(body[i], 0xdd);
    EXPECT_EQ((*aad)[i], 0x00);
  }
  // The payload ends 6 bytes before the end (then 002d 0002 0101).
  EXPECT_EQ(differ.back(), body.size() - 7);
  // Same as serializing the ClientHello with a zero payload of that length.
  ClientHello zeroed = outer;
  for (Extension& e : zeroed.extensions) {
    if (e.type == kExtEncryptedClientHello) e.data = H("00 0001 0001 07 0002 eeee 0004 00000000");
  }
  EXPECT_EQ(*aad, body_of(zeroed));
  // The ClientHello-value form agrees, and a zero payload is left as is.
  auto from_value = client_hello_outer_aad(outer);
  ASSERT_TRUE(from_value.ok());
  EXPECT_EQ(*from_value, *aad);
  auto again = client_hello_outer_aad(*aad);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *aad);
}

TEST(EchAad, LargePayloadAndEmptyEnc) {
  ClientHello outer = outer_hello();
  EchClientHello ech{EchClientHelloOuter{{1, 3}, 9, {}, Bytes(300, 0xab)}};
  outer.extensions.back() = make_extension(kExtEncryptedClientHello, ech);
  auto aad = client_hello_outer_aad(outer);
  ASSERT_TRUE(aad.ok()) << aad.error().to_string();
  ech.outer->payload.assign(300, 0);
  ClientHello zeroed = outer;
  zeroed.extensions.back() = make_extension(kExtEncryptedClientHello, ech);
  EXPECT_EQ(*aad, body_of(zeroed));
}

TEST(EchAad, Errors) {
  ClientHello none = outer_hello();
  none.extensions.pop_back();
  auto r1 = client_hello_outer_aad(none);
  ASSERT_FALSE(r1.ok());
  expect_error(r1.error(), ErrorCode::missing_extension, AlertDescription::missing_extension,
               "ClientHelloOuterAAD: no encrypted_client_hello extension");

  ClientHello inner_variant = outer_hello();
  inner_variant.extensions.back() = ext(kExtEncryptedClientHello, "01");
  auto r2 = client_hello_outer_aad(inner_variant);
  ASSERT_FALSE(r2.ok());
  expect_illegal(r2.error(), "ClientHelloOuterAAD: encrypted_client_hello is the inner variant");

  ClientHello twice = outer_hello();
  twice.extensions.push_back(twice.extensions.back());
  auto r3 = client_hello_outer_aad(twice);
  ASSERT_FALSE(r3.ok());
  expect_illegal(r3.error(), "encrypted_client_hello appears more than once");

  ClientHello malformed = outer_hello();
  malformed.extensions.back() = ext(kExtEncryptedClientHello, "00 0001 0001 07 0000 0000");
  auto r4 = client_hello_outer_aad(malformed);
  ASSERT_FALSE(r4.ok());
  expect_decode_error(r4.error(), ErrorCode::decode_length,
                      "ClientHelloOuterAAD: encrypted_client_hello: payload");

  Bytes body = body_of(outer_hello());
  Bytes trailing = body;
  trailing.push_back(0);
  auto r5 = client_hello_outer_aad(trailing);
  ASSERT_FALSE(r5.ok());
  expect_decode_error(r5.error(), ErrorCode::decode_trailing_data,
                      "ClientHelloOuterAAD: 1 trailing bytes after the extensions");
  for (size_t len : {size_t{0}, size_t{20}, size_t{40}, body.size() - 1}) {
    auto r = client_hello_outer_aad(ByteView(body).first(len));
    ASSERT_FALSE(r.ok()) << len;
    EXPECT_EQ(r.error().code(), ErrorCode::decode_truncated) << r.error().to_string();
  }
  // The 4-byte handshake header is not part of the structure.
  auto with_header = encode_handshake(outer_hello());
  ASSERT_TRUE(with_header.ok());
  EXPECT_FALSE(client_hello_outer_aad(*with_header).ok());
}

// --- padding (6.1.3) ----------------------------------------------------------------------

TEST(EchPadding, WorkedExamples) {
  // Each computed by hand from the two steps of 6.1.3, L = maximum_name_length.
  // Name "example.com" (D = 11), L = 32: 21 bytes, 221 in all, N = 31 - 220 % 32 = 3.
  EXPECT_EQ(ech_padding_length(200, 11, 32), 24u);
  // No server_name, L = 0: 9 bytes, 209, N = 31 - 208 % 32 = 15.
  EXPECT_EQ(ech_padding_length(200, std::nullopt, 0), 24u);
  // No server_name, L = 32: 41 bytes, 241, N = 31 - 240 % 32 = 15.
  EXPECT_EQ(ech_padding_length(200, std::nullopt, 32), 56u);
  // A name longer than L adds nothing: D = 40, L = 32; 200 -> N = 31 - 199 % 32 = 24.
  EXPECT_EQ(ech_padding_length(200, 40, 32), 24u);
  // Already a multiple of 32: 256 -> N = 31 - 255 % 32 = 0.
  EXPECT_EQ(ech_padding_length(256, 10, 10), 0u);
  // One short: 255 -> N = 31 - 254 % 32 = 1.
  EXPECT_EQ(ech_padding_length(255, 20, 10), 1u);
  // One over: 257 -> N = 31 - 256 % 32 = 31.
  EXPECT_EQ(ech_padding_length(257, 5, 0), 31u);
  // D = 3, L = 255: 252 bytes, 352, N = 31 - 351 % 32 = 0.
  EXPECT_EQ(ech_padding_length(100, 3, 255), 252u);
  // No server_name, L = 255: 264 bytes, 364, N = 31 - 363 % 32 = 20.
  EXPECT_EQ(ech_padding_length(100, std::nullopt, 255), 284u);
  // Nothing at all pads to nothing.
  EXPECT_EQ(ech_padding_length(0, 0, 0), 0u);
}

TEST(EchPadding, AlwaysReachesAMultipleOf32) {
  for (size_t len = 1; len < 600; len += 7) {
    for (uint8_t max_name : {0, 1, 31, 64, 255}) {
      for (std::optional<size_t> d : {std::optional<size_t>{}, std::optional<size_t>{0},
                                      std::optional<size_t>{12}, std::optional<size_t>{300}}) {
        const size_t p = ech_padding_length(len, d, max_name);
        EXPECT_EQ((len + p) % 32, 0u);
        const size_t name_pad = d ? (*d < max_name ? max_name - *d : 0) : max_name + 9u;
        EXPECT_GE(p, name_pad);
        EXPECT_LT(p, name_pad + 32);
      }
    }
  }
}

}  // namespace
}  // namespace tessera::wire
