// Encrypted Client Hello for the TLS 1.3 client and server
// (draft-ietf-tls-esni-25), and the public EchKey (tessera/ech.h).
#include "handshake/ech.h"

#include <algorithm>

#include "base/ct.h"
#include "base/secret.h"
#include "crypto/key_schedule.h"
#include "x509/pem.h"

namespace tessera::handshake {

namespace {

// The cipher suites of the configs we make: RFC 9180's mandatory
// HKDF-SHA256 with AES-128-GCM, and ChaCha20-Poly1305 for clients without
// AES instructions.
constexpr wire::HpkeSymmetricCipherSuite kOurSuites[] = {
    {static_cast<uint16_t>(crypto::HpkeKdf::hkdf_sha256),
     static_cast<uint16_t>(crypto::HpkeAead::aes_128_gcm)},
    {static_cast<uint16_t>(crypto::HpkeKdf::hkdf_sha256),
     static_cast<uint16_t>(crypto::HpkeAead::chacha20_poly1305)},
};

// An X25519 private key as PKCS#8 (RFC 5208, RFC 8410 7): the DER is this
// fixed prefix and the 32 key bytes.
//   SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.110 }, OCTET STRING { OCTET STRING (32) } }
constexpr uint8_t kX25519Pkcs8Prefix[] = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
                                          0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20};
constexpr size_t kX25519KeySize = 32;

std::shared_ptr<crypto::Provider> provider_or_default(std::shared_ptr<crypto::Provider> p) {
  return p ? std::move(p) : crypto::default_provider();
}

// find_ech finds and decodes a ClientHello's encrypted_client_hello.
Result<std::optional<wire::EchClientHello>> find_ech(const wire::ClientHello& ch) {
  const wire::Extension* e = ch.find_extension(wire::kExtEncryptedClientHello);
  if (!e) return std::optional<wire::EchClientHello>();
  TESSERA_ASSIGN_OR_RETURN(auto ech, wire::EchClientHello::parse(e->data));
  return std::optional<wire::EchClientHello>(std::move(ech));
}

// check_inner applies the checks of draft 7.1 to a ClientHelloInner: "the
// client-facing server checks that the message includes a well-formed
// "encrypted_client_hello" extension of type inner and that it does not
// offer TLS 1.2 or below. If either of these checks fails, the
// client-facing server MUST abort with an "illegal_parameter" alert."
Result<void> check_inner(const wire::ClientHello& inner) {
  auto ech = find_ech(inner);
  if (!ech.ok() || !*ech || (*ech)->type() != wire::EchClientHelloType::inner)
    return Error(ErrorCode::illegal_parameter,
                 "the encrypted ClientHello lacks the inner encrypted_client_hello extension");
  const wire::Extension* sv = inner.find_extension(wire::kExtSupportedVersions);
  auto versions = sv ? wire::SupportedVersionsClient::parse(sv->data)
                     : Result<wire::SupportedVersionsClient>(
                           Error(ErrorCode::illegal_parameter, "no supported_versions"));
  if (!versions.ok())
    return Error(ErrorCode::illegal_parameter, "the encrypted ClientHello offers no TLS 1.3 (" +
                                                   versions.error().message() + ")");
  for (uint16_t v : versions->versions)
    if (v <= 0x0303)
      return Error(ErrorCode::illegal_parameter,
                   "the encrypted ClientHello offers TLS 1.2 or below, which ECH forbids");
  return ok();
}

// to_message encodes a ClientHello as the handshake message a server
// processes, with its views into the returned bytes.
Result<EchOpened> to_message(const wire::ClientHello& inner, std::string description) {
  EchOpened o;
  TESSERA_ASSIGN_OR_RETURN(o.inner_raw, wire::encode_handshake(inner));
  o.inner.type = wire::HandshakeType::client_hello;
  o.inner.raw = ByteView(o.inner_raw);
  o.inner.body = ByteView(o.inner_raw).subspan(4);
  o.description = std::move(description);
  return o;
}

std::string describe_config(const wire::EchConfig& c, const crypto::HpkeSuite& suite) {
  return "config " + std::to_string(c.contents.key_config.config_id) + " for public name " +
         c.contents.public_name + ", " + crypto::hpke_suite_name(suite);
}

// compressible chooses the extensions an inner ClientHello leaves to the
// outer one (draft 5.1): the longest run of consecutive inner extensions
// that the outer ClientHello carries byte for byte, in the same order.
// encrypted_client_hello and pre_shared_key are never compressed.
std::vector<uint16_t> compressible(const wire::ClientHello& inner, const wire::ClientHello& outer) {
  std::vector<uint16_t> best, run;
  size_t next = 0;  // where in outer the run may continue
  for (const auto& e : inner.extensions) {
    size_t found = outer.extensions.size();
    if (e.type != wire::kExtEncryptedClientHello && e.type != wire::kExtPreSharedKey)
      for (size_t j = next; j < outer.extensions.size(); ++j)
        if (outer.extensions[j] == e) {
          found = j;
          break;
        }
    if (found < outer.extensions.size()) {
      run.push_back(e.type);
      next = found + 1;
      continue;
    }
    if (run.size() > best.size()) best = run;
    run.clear();
    next = 0;
  }
  if (run.size() > best.size()) best = run;
  return best;
}

// inner_padding is the padding 6.1.3 adds to an EncodedClientHelloInner of
// `encoded_len` bytes encoding `inner`, for a config's maximum_name_length.
Result<size_t> inner_padding(const wire::ClientHello& inner, size_t encoded_len,
                             uint8_t maximum_name_length) {
  std::optional<size_t> name_len;
  if (const wire::Extension* sni = inner.find_extension(wire::kExtServerName)) {
    TESSERA_ASSIGN_OR_RETURN(auto names, wire::ServerNameList::parse(sni->data));
    name_len = names.host_name.size();
  }
  return wire::ech_padding_length(encoded_len, name_len, maximum_name_length);
}

}  // namespace

Result<std::array<uint8_t, kEchConfirmationSize>> ech_confirmation(crypto::Provider& provider,
                                                                   HashAlgorithm hash,
                                                                   ByteView inner_random,
                                                                   ByteView transcript_hash,
                                                                   bool hello_retry) {
  // draft 7.2: "0" is a string of Hash.length zero bytes.
  const Bytes zeros(hash_length(hash), 0);
  SecretBytes prk = provider.hkdf_extract(hash, zeros, inner_random);
  TESSERA_ASSIGN_OR_RETURN(
      SecretBytes out, crypto::hkdf_expand_label(
                           provider, hash, prk.view(),
                           hello_retry ? "hrr ech accept confirmation" : "ech accept confirmation",
                           transcript_hash, kEchConfirmationSize));
  std::array<uint8_t, kEchConfirmationSize> c{};
  std::copy_n(out.view().begin(), c.size(), c.begin());
  return c;
}

// --- client ------------------------------------------------------------------

Result<std::unique_ptr<EchClient>> EchClient::choose(ByteView config_list) {
  auto list = wire::EchConfigList::parse(config_list);
  if (!list.ok())
    return Error(ErrorCode::config_invalid,
                 "the ECHConfigList does not parse: " + list.error().message());
  // draft 6.1: the first config (the server's preference) whose version,
  // KEM and one of whose cipher suites we support.
  std::string skipped;
  for (const auto& c : list->configs) {
    std::string why;
    if (auto usable = wire::check_client_usable(c); !usable.ok()) {
      why = usable.error().message();
    } else {
      const auto& kc = c.contents.key_config;
      const auto kem = static_cast<crypto::HpkeKem>(kc.kem_id);
      if (!crypto::hpke_kem_supported(kc.kem_id)) {
        why = "KEM " + crypto::hpke_kem_name(kc.kem_id) + " is not supported";
      } else if (kc.public_key.size() != crypto::hpke_enc_size(kem)) {
        why = "its public key has " + std::to_string(kc.public_key.size()) + " bytes, not " +
              std::to_string(crypto::hpke_enc_size(kem));
      } else {
        for (const auto& s : kc.cipher_suites)
          if (auto suite = crypto::hpke_suite(kc.kem_id, s.kdf_id, s.aead_id)) {
            auto e = std::unique_ptr<EchClient>(new EchClient());
            e->config_ = c;
            e->suite_ = *suite;
            return e;
          }
        why = "none of its cipher suites is supported";
      }
    }
    if (!skipped.empty()) skipped += "; ";
    skipped += c.supported()
                   ? "config " + std::to_string(c.contents.key_config.config_id) + ": " + why
                   : why;
  }
  return Error(ErrorCode::config_invalid,
               "no usable ECHConfig in the list (" +
                   (skipped.empty() ? std::string("it is empty") : skipped) + ")");
}

std::string EchClient::describe() const { return describe_config(config_, suite_); }

Result<Bytes> EchClient::seal(crypto::Provider& provider, const wire::ClientHello& inner,
                              wire::ClientHello outer) {
  const bool first = !context_;
  Bytes enc;
  if (first) {
    // draft 6.1: enc, context = SetupBaseS(pkR, "tls ech" || 0x00 || ECHConfig)
    TESSERA_ASSIGN_OR_RETURN(
        crypto::HpkeSender s,
        crypto::hpke_setup_base_sender(provider, suite_, config_.contents.key_config.public_key,
                                       wire::ech_hpke_info(config_)));
    enc = std::move(s.enc);
    context_.emplace(std::move(s.context));
  }
  // draft 5.1: the extensions outer repeats are left out of the encoding;
  // 6.1.3: padded by the recommended scheme.
  const std::vector<uint16_t> compress = compressible(inner, outer);
  TESSERA_ASSIGN_OR_RETURN(Bytes unpadded, wire::encode_client_hello_inner(inner, compress, 0));
  TESSERA_ASSIGN_OR_RETURN(
      const size_t padding,
      inner_padding(inner, unpadded.size(), config_.contents.maximum_name_length));
  TESSERA_ASSIGN_OR_RETURN(Bytes encoded,
                           wire::encode_client_hello_inner(inner, compress, padding));
  inner_size_ = encoded.size();

  // draft 6.1.1: the outer extension with a zero payload of the sealed
  // length makes ClientHelloOuterAAD; the sealed payload then takes its
  // place. On the ClientHello after a HelloRetryRequest enc is empty (6.1.5).
  wire::EchClientHello ech;
  ech.outer =
      wire::EchClientHelloOuter{wire::HpkeSymmetricCipherSuite{static_cast<uint16_t>(suite_.kdf),
                                                               static_cast<uint16_t>(suite_.aead)},
                                config_.contents.key_config.config_id, std::move(enc),
                                Bytes(encoded.size() + crypto::kHpkeTagSize, 0)};
  const size_t at = outer.extensions.size();
  outer.extensions.push_back(wire::make_extension(wire::kExtEncryptedClientHello, ech));
  // draft 6.1.2: with a PSK in the inner ClientHello, the outer one carries
  // a GREASE pre_shared_key of the same shape: random identities, ages and
  // binders. It stays the last extension (RFC 8446 4.2.11).
  if (const wire::Extension* psk = inner.find_extension(wire::kExtPreSharedKey)) {
    TESSERA_ASSIGN_OR_RETURN(auto offered, wire::OfferedPsks::parse(psk->data));
    for (auto& id : offered.identities) {
      provider.public_random(id.identity);
      uint8_t age[4];
      provider.public_random(age);
      id.obfuscated_ticket_age = static_cast<uint32_t>(age[0]) << 24 |
                                 static_cast<uint32_t>(age[1]) << 16 |
                                 static_cast<uint32_t>(age[2]) << 8 | age[3];
    }
    for (auto& b : offered.binders) provider.public_random(b);
    outer.extensions.push_back(wire::make_extension(wire::kExtPreSharedKey, offered));
  }
  TESSERA_ASSIGN_OR_RETURN(Bytes aad, wire::client_hello_outer_aad(outer));
  TESSERA_ASSIGN_OR_RETURN(ech.outer->payload, context_->seal(aad, encoded));
  outer.extensions[at] = wire::make_extension(wire::kExtEncryptedClientHello, ech);
  if (first) first_extension_ = outer.extensions[at];
  return wire::encode_handshake(outer);
}

Result<wire::Extension> grease_ech_extension(crypto::Provider& provider,
                                             const wire::ClientHello& hello,
                                             const wire::ClientHello& inner,
                                             size_t psk_extension_size) {
  // draft 6.2.1: the payload is "L+C bytes, where C is the ciphertext
  // expansion of the selected AEAD scheme and L is the size of the
  // EncodedClientHelloInner the client would compute when offering ECH,
  // padded according to Section 6.1.3". Offering ECH, `hello` would be the
  // outer ClientHello but for its server_name (the public name), so what the
  // two share is compressed as EchClient::seal does, and the name is not.
  wire::ClientHello outer = hello;
  std::erase_if(outer.extensions,
                [](const wire::Extension& e) { return e.type == wire::kExtServerName; });
  TESSERA_ASSIGN_OR_RETURN(Bytes unpadded,
                           wire::encode_client_hello_inner(inner, compressible(inner, outer), 0));
  const size_t encoded = unpadded.size() + psk_extension_size;
  TESSERA_ASSIGN_OR_RETURN(const size_t padding, inner_padding(inner, encoded, 0));
  const size_t payload_size = encoded + padding + crypto::kHpkeTagSize;
  // "Set the config_id field to a random byte"; the cipher suite "SHOULD
  // vary"; enc is "a randomly-generated valid encapsulated public key output
  // by the HPKE KEM": a real X25519 public value, since random bytes would
  // often not be one (half of them are not on the curve).
  uint8_t pick[2];
  provider.public_random(pick);
  TESSERA_ASSIGN_OR_RETURN(auto share, provider.generate_key_share(NamedGroup::x25519));
  const ByteView enc = share->public_value();
  wire::EchClientHello ech;
  ech.outer = wire::EchClientHelloOuter{kOurSuites[pick[1] % std::size(kOurSuites)], pick[0],
                                        Bytes(enc.begin(), enc.end()), Bytes(payload_size)};
  provider.public_random(ech.outer->payload);
  return wire::make_extension(wire::kExtEncryptedClientHello, ech);
}

// --- server ------------------------------------------------------------------

namespace {

// find_outer_ech is find_ech for a ClientHello on the wire. Draft 7: "A
// shared mode server which receives a ClientHello with ECHClientHello.type
// of inner MUST abort with an "illegal_parameter" alert".
Result<std::optional<wire::EchClientHello>> find_outer_ech(const wire::ClientHello& ch) {
  TESSERA_ASSIGN_OR_RETURN(auto ech, find_ech(ch));
  if (ech && !ech->outer)
    return Error(ErrorCode::illegal_parameter,
                 "ClientHello carries the inner encrypted_client_hello extension: only an "
                 "encrypted ClientHello may");
  return ech;
}

}  // namespace

Result<void> EchServer::check_unopened(const wire::HandshakeMessage& m) {
  TESSERA_ASSIGN_OR_RETURN(auto ch, wire::ClientHello::parse(m.body));
  TESSERA_TRY(find_outer_ech(ch));
  return ok();
}

Result<std::optional<EchOpened>> EchServer::open(
    crypto::Provider& provider, const std::vector<std::shared_ptr<const EchKey>>& keys,
    const wire::HandshakeMessage& outer_msg) {
  TESSERA_ASSIGN_OR_RETURN(auto outer, wire::ClientHello::parse(outer_msg.body));
  TESSERA_ASSIGN_OR_RETURN(auto ech, find_outer_ech(outer));
  if (!ech) return std::optional<EchOpened>();
  offered = true;
  const wire::EchClientHelloOuter& o = *ech->outer;
  TESSERA_ASSIGN_OR_RETURN(Bytes aad, wire::client_hello_outer_aad(outer_msg.body));
  // draft 7.1: the candidates are the configs whose config_id matches; each
  // must list the client's cipher suite. One that does not open is skipped.
  for (const auto& key : keys) {
    if (!key || key->config_id() != o.config_id) continue;
    auto config = wire::EchConfig::parse(key->config());
    if (!config.ok() || !config->supported()) continue;
    const auto& kc = config->contents.key_config;
    if (std::find(kc.cipher_suites.begin(), kc.cipher_suites.end(), o.cipher_suite) ==
        kc.cipher_suites.end())
      continue;
    auto suite = crypto::hpke_suite(kc.kem_id, o.cipher_suite.kdf_id, o.cipher_suite.aead_id);
    if (!suite) continue;
    auto group = crypto::hpke_kem_group(suite->kem);
    if (!group) continue;
    // The config's public key is the private key's (EchKey checked it).
    TESSERA_ASSIGN_OR_RETURN(auto skR,
                             provider.import_key_pair(*group, key->private_key(), kc.public_key));
    auto context = crypto::hpke_setup_base_receiver(provider, *suite, o.enc, *skR,
                                                    wire::ech_hpke_info(*config));
    if (!context.ok()) continue;
    auto encoded = context->open(aad, o.payload);
    if (!encoded.ok()) continue;
    // draft 5.1, 7.1: rebuilt, the inner ClientHello must be well formed.
    TESSERA_ASSIGN_OR_RETURN(auto inner, wire::decode_client_hello_inner(*encoded, outer));
    TESSERA_TRY(check_inner(inner));
    accepted = true;
    config_id_ = o.config_id;
    suite_ = o.cipher_suite;
    description_ = describe_config(*config, *suite);
    context_.emplace(std::move(*context));
    TESSERA_ASSIGN_OR_RETURN(auto opened, to_message(inner, description_));
    return std::optional<EchOpened>(std::move(opened));
  }
  return std::optional<EchOpened>();
}

Result<EchOpened> EchServer::open_second(const wire::HandshakeMessage& outer_msg) {
  TESSERA_ASSIGN_OR_RETURN(auto outer, wire::ClientHello::parse(outer_msg.body));
  TESSERA_ASSIGN_OR_RETURN(auto ech, find_ech(outer));
  // draft 7.1.1: after accepting, the second ClientHelloOuter must carry the
  // extension (missing_extension), with the same suite and config_id and an
  // empty enc (illegal_parameter), and open with the first one's context as
  // its second message (decrypt_error).
  if (!ech)
    return Error(ErrorCode::missing_extension,
                 "second ClientHello lacks encrypted_client_hello, which we accepted");
  if (!ech->outer)
    return Error(ErrorCode::illegal_parameter,
                 "second ClientHello carries the inner encrypted_client_hello extension");
  const wire::EchClientHelloOuter& o = *ech->outer;
  if (o.config_id != config_id_ || !(o.cipher_suite == suite_))
    return Error(ErrorCode::illegal_parameter,
                 "second ClientHello changed the ECH config or cipher suite");
  if (!o.enc.empty())
    return Error(ErrorCode::illegal_parameter,
                 "second ClientHello sends an ECH enc again (it must be empty)");
  TESSERA_ASSIGN_OR_RETURN(Bytes aad, wire::client_hello_outer_aad(outer_msg.body));
  auto encoded = context_->open(aad, o.payload);
  if (!encoded.ok())
    return Error(ErrorCode::decrypt_error,
                 "the second encrypted ClientHello does not open with the first one's ECH context");
  TESSERA_ASSIGN_OR_RETURN(auto inner, wire::decode_client_hello_inner(*encoded, outer));
  TESSERA_TRY(check_inner(inner));
  return to_message(inner, description_);
}

wire::Extension retry_configs_extension(const std::vector<std::shared_ptr<const EchKey>>& keys) {
  // draft 5: ECHEncryptedExtensions is { ECHConfigList retry_configs; }.
  return wire::Extension{wire::kExtEncryptedClientHello, ech_config_list(keys)};
}

}  // namespace tessera::handshake

// --- EchKey (tessera/ech.h) ------------------------------------------------------

namespace tessera {

using handshake::kOurSuites;
using handshake::kX25519KeySize;
using handshake::kX25519Pkcs8Prefix;
using handshake::provider_or_default;

EchKey::EchKey(EchKey&& other) noexcept = default;
EchKey& EchKey::operator=(EchKey&& other) noexcept {
  if (this != &other) {
    secure_wipe(private_key_.data(), private_key_.size());
    config_ = std::move(other.config_);
    private_key_ = std::move(other.private_key_);
    public_name_ = std::move(other.public_name_);
    config_id_ = other.config_id_;
  }
  return *this;
}
EchKey::~EchKey() { secure_wipe(private_key_.data(), private_key_.size()); }

Result<EchKey> EchKey::generate(const EchKeyParams& params,
                                std::shared_ptr<crypto::Provider> provider) {
  provider = provider_or_default(std::move(provider));
  if (auto name = wire::check_public_name(params.public_name); !name.ok())
    return Error(ErrorCode::config_invalid, "ECH public name: " + name.error().message());
  TESSERA_ASSIGN_OR_RETURN(auto share, provider->generate_key_share(NamedGroup::x25519));
  TESSERA_ASSIGN_OR_RETURN(SecretBytes secret, share->private_key());
  wire::EchConfigContents c;
  c.key_config.config_id = params.config_id;
  c.key_config.kem_id = static_cast<uint16_t>(crypto::HpkeKem::x25519_sha256);
  ByteView pub = share->public_value();
  c.key_config.public_key.assign(pub.begin(), pub.end());
  c.key_config.cipher_suites.assign(std::begin(kOurSuites), std::end(kOurSuites));
  c.maximum_name_length = params.maximum_name_length;
  c.public_name = params.public_name;
  TESSERA_ASSIGN_OR_RETURN(auto config, wire::EchConfig::make(c));
  EchKey k;
  k.config_ = std::move(config.raw);
  k.private_key_.assign(secret.view().begin(), secret.view().end());
  k.public_name_ = params.public_name;
  k.config_id_ = params.config_id;
  return k;
}

Result<EchKey> EchKey::from_pem(std::string_view pem, std::shared_ptr<crypto::Provider> provider) {
  provider = provider_or_default(std::move(provider));
  auto fail = [](const std::string& why) {
    return Error(ErrorCode::config_invalid, "ECH key file: " + why);
  };
  TESSERA_ASSIGN_OR_RETURN(SecretBytes der, x509::pem_decode_secret(pem, "PRIVATE KEY"));
  ByteView d = der.view();
  if (d.size() != sizeof kX25519Pkcs8Prefix + kX25519KeySize ||
      !std::equal(std::begin(kX25519Pkcs8Prefix), std::end(kX25519Pkcs8Prefix), d.begin()))
    return fail("the PRIVATE KEY is not an X25519 key in PKCS#8 (RFC 8410)");
  ByteView raw = d.subspan(sizeof kX25519Pkcs8Prefix);
  TESSERA_ASSIGN_OR_RETURN(auto lists, x509::pem_decode_label(pem, "ECHCONFIG"));
  if (lists.size() != 1)
    return fail("expected one ECHCONFIG block, found " + std::to_string(lists.size()));
  auto list = wire::EchConfigList::parse(lists[0]);
  if (!list.ok()) return fail("the ECHCONFIG block: " + list.error().message());
  if (list->configs.size() != 1 || !list->configs[0].supported())
    return fail("the ECHCONFIG block must hold one ECHConfig of version 0xfe0d");
  const wire::EchConfig& config = list->configs[0];
  const auto& kc = config.contents.key_config;
  if (kc.kem_id != static_cast<uint16_t>(crypto::HpkeKem::x25519_sha256))
    return fail("the ECHConfig's KEM is " + crypto::hpke_kem_name(kc.kem_id) +
                ", not DHKEM(X25519, HKDF-SHA256)");
  if (auto name = wire::check_public_name(config.contents.public_name); !name.ok())
    return fail("the ECHConfig's public name: " + name.error().message());
  TESSERA_ASSIGN_OR_RETURN(auto share, provider->import_key_share(NamedGroup::x25519, raw));
  if (!std::equal(kc.public_key.begin(), kc.public_key.end(), share->public_value().begin(),
                  share->public_value().end()))
    return fail("the ECHConfig's public key is not the private key's");
  EchKey k;
  k.config_ = config.raw;
  k.private_key_.assign(raw.begin(), raw.end());
  k.public_name_ = config.contents.public_name;
  k.config_id_ = kc.config_id;
  return k;
}

std::string EchKey::to_pem() const {
  SecretBytes der(sizeof kX25519Pkcs8Prefix + private_key_.size());
  MutableByteView d = der.mutable_view();
  std::copy(std::begin(kX25519Pkcs8Prefix), std::end(kX25519Pkcs8Prefix), d.begin());
  std::copy(private_key_.begin(), private_key_.end(), d.begin() + sizeof kX25519Pkcs8Prefix);
  std::string key = x509::pem_encode("PRIVATE KEY", der.view());
  const std::string config = x509::pem_encode("ECHCONFIG", config_list());
  // Sized once: growing `out` would free a buffer holding the key unwiped.
  std::string out;
  out.reserve(key.size() + config.size());
  out += key;
  out += config;
  secure_wipe(key.data(), key.size());
  return out;
}

std::vector<uint8_t> EchKey::config_list() const {
  std::vector<uint8_t> list{static_cast<uint8_t>(config_.size() >> 8),
                            static_cast<uint8_t>(config_.size())};
  list.insert(list.end(), config_.begin(), config_.end());
  return list;
}

std::vector<uint8_t> ech_config_list(const std::vector<std::shared_ptr<const EchKey>>& keys) {
  std::vector<uint8_t> list(2, 0);
  for (const auto& k : keys)
    if (k) list.insert(list.end(), k->config().begin(), k->config().end());
  const size_t n = list.size() - 2;
  list[0] = static_cast<uint8_t>(n >> 8);
  list[1] = static_cast<uint8_t>(n);
  return list;
}

}  // namespace tessera
