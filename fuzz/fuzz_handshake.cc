// fuzz/fuzz_handshake.cc — every handshake message codec in src/wire, TLS 1.3
// and TLS 1.2 (RFC 8446 4, RFC 5246 7.4), from one target.
//
// Input: byte 0 selects the parser (kParsers below, modulo their number),
// the rest is the message body (no 4-byte header), except for the framing
// selectors, which get the rest as a stream of complete messages. Whatever a
// parser accepts must re-encode stably (fuzz_common.h check_reencode).
#include <cstddef>
#include <cstdint>

#include "fuzz_common.h"
#include "wire/alert.h"
#include "wire/certificate.h"
#include "wire/certificate_verify.h"
#include "wire/empty_messages.h"
#include "wire/encrypted_extensions.h"
#include "wire/extension_rules.h"
#include "wire/finished.h"
#include "wire/handshake.h"
#include "wire/hello.h"
#include "wire/key_exchange.h"
#include "wire/post_handshake.h"

using namespace tessera;
using namespace tessera::wire;
using tessera::fuzz::check_reencode;

namespace {

template <class M>
void simple(ByteView body) {
  auto m = M::parse(body);
  if (m.ok()) check_reencode(*m, [](ByteView b) { return M::parse(b); });
}

void client_hello(ByteView body) {
  auto m = ClientHello::parse(body);
  if (!m.ok()) return;
  check_reencode(*m, [](ByteView b) { return ClientHello::parse(b); });
  (void)check_tls13_extensions(m->extensions, ExtensionContext::client_hello);
  (void)m->binders_size();
  // truncate_for_binders wants the complete message, header included.
  ByteWriter w;
  write_handshake(w, HandshakeType::client_hello, [&](ByteWriter& b) { b.bytes(body); });
  auto full = std::move(w).finish();
  if (full.ok()) {
    auto prefix = m->truncate_for_binders(*full);
    if (prefix.ok() && prefix->size() > full->size()) std::abort();
  }
}

void server_hello(ByteView body) {
  auto m = ServerHello::parse(body);
  if (!m.ok()) return;
  check_reencode(*m, [](ByteView b) { return ServerHello::parse(b); });
  (void)check_tls13_extensions(m->extensions, m->is_hello_retry_request()
                                                  ? ExtensionContext::hello_retry_request
                                                  : ExtensionContext::server_hello);
  (void)downgrade_sentinel_of(m->random);
}

void finished(ByteView body, size_t len) {
  auto m = Finished::parse(body, len);
  if (m.ok()) check_reencode(*m, [len](ByteView b) { return Finished::parse(b, len); });
}

void framing(ByteView stream) {
  (void)complete_handshake_message_size(stream);
  ByteReader r(stream);
  while (!r.empty()) {
    auto before = r.remaining();
    auto m = read_handshake_message(r);
    if (!m.ok()) {
      if (r.remaining() != before) std::abort();  // a failed read must not move the cursor
      break;
    }
    if (m->raw.size() != m->body.size() + kHandshakeHeaderSize) std::abort();
    (void)handshake_type_name(m->type);
  }
}

using Parser = void (*)(ByteView);
const Parser kParsers[] = {
    client_hello,
    server_hello,
    simple<EncryptedExtensions>,
    simple<Certificate13>,
    simple<Certificate12>,
    simple<CertificateRequest13>,
    simple<CertificateRequest12>,
    simple<CertificateVerify>,
    [](ByteView b) { finished(b, 32); },  // TLS 1.3 SHA-256 suites
    [](ByteView b) { finished(b, 48); },  // TLS 1.3 SHA-384 suites
    [](ByteView b) { finished(b, 12); },  // TLS 1.2 verify_data
    simple<NewSessionTicket>,
    simple<NewSessionTicket12>,
    simple<KeyUpdate>,
    simple<EndOfEarlyData>,
    simple<ServerHelloDone>,
    simple<HelloRequest>,
    simple<ServerKeyExchangeEcdhe>,
    simple<ServerKeyExchangeDhe>,
    simple<ClientKeyExchangeEcdhe>,
    simple<ClientKeyExchangeDhe>,
    simple<ClientKeyExchangeRsa>,
    simple<Alert>,
    framing,
    [](ByteView b) {
      ByteReader r(b);
      (void)HandshakeHeader::parse(r);
      (void)expect_empty_body(b, "fuzz");
    },
    simple<CompressedCertificate>,  // RFC 8879 4 (appended: earlier selectors keep their seeds)
};
constexpr size_t kNumParsers = sizeof(kParsers) / sizeof(kParsers[0]);

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  kParsers[data[0] % kNumParsers](ByteView(data + 1, size - 1));
  return 0;
}
