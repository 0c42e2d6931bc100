// fuzz/fuzz_handshake.cc — every handshake message codec in src/wire, TLS 1.3
// and TLS 1.2 (RFC 8446 4, RFC 5246 7.4), from one target.
//
// Also the Encrypted Client Hello transformations of ClientHello bodies
// (draft-ietf-tls-esni-25 5.1, 5.2): decode_client_hello_inner against a
// fixed ClientHelloOuter (ech_outer.h) and client_hello_outer_aad.
//
// Input: byte 0 selects the parser (kParsers below, modulo their number),
// the rest is the message body (no 4-byte header), except for the framing
// selectors, which get the rest as a stream of complete messages, and
// ech_inner, which gets an EncodedClientHelloInner. Whatever a parser accepts
// must re-encode stably (fuzz_common.h check_reencode).
#include <algorithm>
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "ech_outer.h"
#include "fuzz_common.h"
#include "wire/alert.h"
#include "wire/certificate.h"
#include "wire/certificate_verify.h"
#include "wire/ech.h"
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

// compressible_run returns a run of consecutive extensions of inner that
// outer carries byte for byte in the same order (what a client may leave to
// ech_outer_extensions, draft 5.1): the longest one found in one forward
// pass, never encrypted_client_hello or pre_shared_key.
std::vector<uint16_t> compressible_run(const ClientHello& inner, const ClientHello& outer) {
  std::vector<uint16_t> best, run;
  size_t next = 0;  // where in outer the run may continue
  for (const Extension& e : inner.extensions) {
    if (e.type == kExtEncryptedClientHello || e.type == kExtPreSharedKey) {
      run.clear();
      next = 0;
      continue;
    }
    auto from = [&](size_t start) {
      for (size_t j = start; j < outer.extensions.size(); ++j)
        if (outer.extensions[j] == e) return j;
      return outer.extensions.size();
    };
    size_t at = from(next);
    if (at == outer.extensions.size() && !run.empty()) {
      run.clear();  // the run ends here; e may start the next one
      at = from(0);
    }
    if (at == outer.extensions.size()) {
      next = 0;
      continue;
    }
    run.push_back(e.type);
    next = at + 1;
    if (run.size() > best.size()) best = run;
  }
  if (best.size() > kMaxEchOuterExtensions) best.resize(kMaxEchOuterExtensions);
  return best;
}

// ech_inner: an EncodedClientHelloInner (the plaintext of the outer
// ClientHello's ECH payload) decoded against the fixed outer. An accepted
// one is a ClientHello that re-encodes stably, has outer's session id, no
// ech_outer_extensions and no type twice; encoded again (without and with
// the compression a client would choose) it decodes to the same ClientHello.
void ech_inner(ByteView encoded) {
  const ClientHello& outer = fuzz::ech_fixed_outer();
  auto inner = decode_client_hello_inner(encoded, outer);
  if (!inner.ok()) return;
  if (inner->legacy_session_id != outer.legacy_session_id) std::abort();
  std::bitset<65536> seen;
  for (const Extension& e : inner->extensions) {
    if (e.type == kExtEchOuterExtensions || seen.test(e.type)) std::abort();
    seen.set(e.type);
  }
  check_reencode(*inner, [](ByteView b) { return ClientHello::parse(b); });
  auto want = encode(*inner);
  if (!want.ok()) return;
  for (const auto& compress : {std::vector<uint16_t>{}, compressible_run(*inner, outer)}) {
    auto again = encode_client_hello_inner(*inner, compress, encoded.size() % 40);
    if (!again.ok()) {
      // internal_error: a misuse (the run above is wrong); otherwise a length overflow.
      if (again.error().code() == ErrorCode::internal_error) std::abort();
      continue;
    }
    auto back = decode_client_hello_inner(*again, outer);
    if (!back.ok()) std::abort();
    auto got = encode(*back);
    if (!got.ok() || *got != *want) std::abort();
  }
}

// ech_outer_aad: client_hello_outer_aad on any ClientHello body. The AAD has
// the body's size and differs from it only in bytes it zeroes (the ECH
// payload); it is its own AAD; and for a body that parses and re-encodes to
// itself, it parses to the same ClientHello but for the payload, and equals
// the AAD of the parsed value.
void ech_outer_aad(ByteView body) {
  auto aad = client_hello_outer_aad(body);
  if (!aad.ok()) return;
  if (aad->size() != body.size()) std::abort();
  for (size_t i = 0; i < body.size(); ++i)
    if ((*aad)[i] != body[i] && (*aad)[i] != 0) std::abort();
  auto twice = client_hello_outer_aad(ByteView(*aad));
  if (!twice.ok() || *twice != *aad) std::abort();
  auto ch = ClientHello::parse(body);
  if (!ch.ok()) return;
  auto enc = encode(*ch);
  if (!enc.ok() || !std::equal(enc->begin(), enc->end(), body.begin(), body.end())) return;
  auto of_value = client_hello_outer_aad(*ch);
  if (!of_value.ok() || *of_value != *aad) std::abort();
  auto zeroed = ClientHello::parse(*aad);
  if (!zeroed.ok() || zeroed->extensions.size() != ch->extensions.size()) std::abort();
  for (size_t i = 0; i < ch->extensions.size(); ++i) {
    const Extension &a = ch->extensions[i], &z = zeroed->extensions[i];
    if (a.type != kExtEncryptedClientHello) {
      if (!(a == z)) std::abort();
      continue;
    }
    auto ea = EchClientHello::parse(a.data);
    auto ez = EchClientHello::parse(z.data);
    if (!ea.ok() || !ez.ok() || !ea->outer || !ez->outer) std::abort();
    EchClientHelloOuter expect = *ea->outer;
    std::fill(expect.payload.begin(), expect.payload.end(), uint8_t{0});
    if (!(expect == *ez->outer)) std::abort();
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
    ech_inner,                      // 26: draft-ietf-tls-esni-25 5.1
    ech_outer_aad,                  // 27: draft-ietf-tls-esni-25 5.2
};
constexpr size_t kNumParsers = sizeof(kParsers) / sizeof(kParsers[0]);

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  kParsers[data[0] % kNumParsers](ByteView(data + 1, size - 1));
  return 0;
}
