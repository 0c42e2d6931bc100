// fuzz/fuzz_extensions.cc — the extension codecs of src/wire/extensions.h
// (RFC 8446 4.2, RFC 6066, RFC 7301, RFC 8422, RFC 5746, RFC 5077), the
// Encrypted Client Hello ones of src/wire/ech.h (draft-ietf-tls-esni-25) and
// the per-message extension rules (extension_rules.h).
//
// Input: a 2-byte ExtensionType followed by the extension_data, i.e. one
// Extension without its length prefix. A type with several forms (key_share,
// supported_versions, pre_shared_key, ALPN, encrypted_client_hello) is tried
// in all of them; encrypted_client_hello's EncryptedExtensions form is an
// ECHConfigList, which is also taken apart config by config (ech_config_list).
// Any other type parses the data as a whole `Extension extensions<0..2^16-1>`
// block (with its 2-byte length) and applies the TLS 1.3 rules for every
// message.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "fuzz_common.h"
#include "wire/ech.h"
#include "wire/extension_rules.h"
#include "wire/extensions.h"

using namespace tessera;
using namespace tessera::wire;
using tessera::fuzz::check_reencode;

namespace {

// parse_only is for parse-only codecs (no serialize()).
template <class M>
void parse_only(ByteView data) {
  (void)M::parse(data);
}

template <class M>
void typed(ByteView data) {
  auto m = M::parse(data);
  if (m.ok()) check_reencode(*m, [](ByteView b) { return M::parse(b); });
}

// ech_config checks one ECHConfig of a list that parsed: it parses alone to
// the same config, a supported one is re-made from its decoded contents byte
// for byte (the contents codec is exact), and what check_client_usable says
// agrees with the checks it is made of.
void ech_config(const EchConfig& c) {
  auto alone = EchConfig::parse(c.raw);
  if (!alone.ok() || alone->raw != c.raw || alone->version != c.version ||
      !(alone->contents == c.contents))
    std::abort();
  if (c.supported()) {
    auto made = EchConfig::make(c.contents);
    if (!made.ok() || made->raw != c.raw) std::abort();
  }
  (void)ech_hpke_info(c);
  const auto usable = check_client_usable(c);
  if (usable.ok() && (!c.supported() || !check_public_name(c.contents.public_name).ok() ||
                      c.contents.unsupported_mandatory_extension()))
    std::abort();
  // A client that knows every extension type the config carries sees no
  // unsupported mandatory one.
  std::vector<uint16_t> all;
  for (const Extension& e : c.contents.extensions) all.push_back(e.type);
  if (c.contents.unsupported_mandatory_extension(all)) std::abort();
  (void)check_client_usable(c, all);
}

// ech_config_list: an ECHConfigList (the DNS "ech" parameter, the retry
// configs) that parses keeps its bytes as raw, lists again to the same bytes,
// and each config passes ech_config.
void ech_config_list(ByteView data) {
  auto list = EchConfigList::parse(data);
  if (!list.ok()) return;
  if (!std::equal(list->raw.begin(), list->raw.end(), data.begin(), data.end())) std::abort();
  auto again = EchConfigList::make(list->configs);
  if (!again.ok() || again->raw != list->raw || again->configs.size() != list->configs.size())
    std::abort();
  size_t supported = 0;
  for (const EchConfig& c : list->configs) {
    ech_config(c);
    supported += c.supported() ? 1 : 0;
  }
  if (list->supported_count() != supported) std::abort();
}

void extension_block(ByteView data) {
  ByteReader r(data);
  auto list = read_extensions(r, 0, 0xFFFF, "fuzz");
  if (!list.ok()) return;
  for (auto ctx : {ExtensionContext::client_hello, ExtensionContext::server_hello,
                   ExtensionContext::hello_retry_request, ExtensionContext::encrypted_extensions,
                   ExtensionContext::certificate, ExtensionContext::certificate_request,
                   ExtensionContext::new_session_ticket}) {
    (void)check_tls13_extensions(*list, ctx);
  }
  for (const Extension& e : *list) {
    (void)extension_name(e.type);
    (void)find_extension(*list, e.type);
    (void)expect_empty_extension(e);
  }
  ByteWriter w;
  write_extensions(w, *list);
  auto enc = std::move(w).finish();
  if (enc.ok()) {
    ByteReader r2(*enc);
    auto again = read_extensions(r2, 0, 0xFFFF, "fuzz");
    if (!again.ok() || *again != *list) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint16_t type = static_cast<uint16_t>(data[0] << 8 | data[1]);
  ByteView d(data + 2, size - 2);
  switch (type) {
    case kExtServerName: typed<ServerNameList>(d); break;
    case kExtSupportedGroups: typed<NamedGroupList>(d); break;
    case kExtSignatureAlgorithms:
    case kExtSignatureAlgorithmsCert: typed<SignatureSchemeList>(d); break;
    case kExtSupportedVersions:
      typed<SupportedVersionsClient>(d);
      typed<SupportedVersionsServer>(d);
      break;
    case kExtKeyShare:
      typed<KeyShareClientHello>(d);
      typed<KeyShareServerHello>(d);
      typed<KeyShareHelloRetryRequest>(d);
      break;
    case kExtCookie: typed<Cookie>(d); break;
    case kExtAlpn:
      typed<ProtocolNameList>(d);
      (void)ProtocolNameList::parse_selected(d);
      break;
    case kExtPskKeyExchangeModes: typed<PskKeyExchangeModes>(d); break;
    case kExtPreSharedKey:
      typed<OfferedPsks>(d);
      typed<PreSharedKeyServerHello>(d);
      break;
    case kExtEarlyData: typed<EarlyDataNewSessionTicket>(d); break;
    case kExtCertificateAuthorities: typed<CertificateAuthorities>(d); break;
    case kExtEcPointFormats: typed<EcPointFormats>(d); break;
    case kExtRenegotiationInfo: typed<RenegotiationInfo>(d); break;
    case kExtSessionTicket: typed<SessionTicketExtension>(d); break;
    case kExtStatusRequest: parse_only<CertificateStatusRequest>(d); break;
    case kExtCompressCertificate: typed<CertificateCompressionAlgorithms>(d); break;
    case kExtEncryptedClientHello:
      typed<EchClientHello>(d);          // ClientHello: outer or inner
      typed<EchEncryptedExtensions>(d);  // EncryptedExtensions: retry_configs
      ech_config_list(d);                // the same, config by config
      typed<EchHelloRetryRequest>(d);    // HelloRetryRequest: the confirmation
      break;
    case kExtEchOuterExtensions: typed<EchOuterExtensions>(d); break;
    default: extension_block(d); break;
  }
  return 0;
}
