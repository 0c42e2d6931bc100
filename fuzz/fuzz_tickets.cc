// fuzz/fuzz_tickets.cc — the server's session ticket state (src/handshake/
// tickets.h): decode_state on arbitrary bytes, then the checks a resumption
// runs on what it decoded.
//
// Input: a ticket state as it sits inside a sealed ticket (format byte
// first, formats 2-6). The AEAD in front of it is not fuzzed: only states
// the server sealed reach decode_state, but a decoder bug there once let a
// client choose what the server sealed (an SNI overflowing its length), so
// the decoder and encoder are held to each other here:
//  - a state that decodes encodes again (every field fits its prefix, since
//    it came from one) and decodes to the same state;
//  - a format 6 state re-encodes to the same bytes;
//  - resumption_refused and session_ticket_lifetime take any decoded state
//    (its anchor subject goes through Name::parse and the trust store).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "base/ct.h"
#include "fuzz_common.h"
#include "handshake/tickets.h"
#include "tessera/config.h"

using namespace tessera;
using namespace tessera::handshake;

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_tickets: %s\n", what);
  std::abort();
}

bool same(const TicketState& a, const TicketState& b) {
  return a.version == b.version && a.extended_master_secret == b.extended_master_secret &&
         a.cipher_suite == b.cipher_suite && a.issued_at_ms == b.issued_at_ms &&
         a.lifetime_s == b.lifetime_s && a.age_add == b.age_add &&
         ct_equal(a.psk.view(), b.psk.view()) && a.alpn == b.alpn && a.sni == b.sni &&
         a.client_subject == b.client_subject && a.max_early_data == b.max_early_data &&
         a.record_size_limit == b.record_size_limit &&
         a.origin.authenticated_at_ms == b.origin.authenticated_at_ms &&
         a.origin.client_issuer == b.origin.client_issuer &&
         a.origin.client_serial == b.origin.client_serial &&
         a.origin.client_anchor_subject == b.origin.client_anchor_subject &&
         a.origin.client_anchor_sha256 == b.origin.client_anchor_sha256 &&
         a.origin.client_not_after == b.origin.client_not_after &&
         a.client_kept.spki_sha256 == b.client_kept.spki_sha256 &&
         a.client_kept.common_name == b.client_kept.common_name &&
         a.client_kept.names == b.client_kept.names;
}

const ServerConfig& mtls_config() {
  static const std::shared_ptr<ServerConfig> cfg = [] {
    auto c = std::make_shared<ServerConfig>();
    c->client_auth = ClientAuth::required;
    auto trust = load_trust_anchors(tessera::fuzz::read_pki("ca.pem"));
    if (!trust.ok()) fail("cannot load ca.pem");
    c->client_trust = *trust;
    c->ticket_lifetime_s = 7200;
    return c;
  }();
  return *cfg;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteView in(data, size);
  auto st = decode_state(in);
  if (!st) return 0;
  auto enc = encode_state(*st);
  if (!enc.ok()) fail("a decoded state does not encode");
  auto back = decode_state(enc->view());
  if (!back) fail("a re-encoded state does not decode");
  if (!same(*st, *back)) fail("a re-encoded state decodes to another state");
  if (size > 0 && data[0] == 6 &&
      !(enc->view().size() == size && std::equal(in.begin(), in.end(), enc->view().begin())))
    fail("a format 6 state re-encodes to other bytes");
  auto& p = *crypto::default_provider();
  const int64_t now = st->issued_at_ms / 1000 + 60;
  (void)resumption_refused(p, mtls_config(), *st, ProtocolVersion::tls13, st->sni, now);
  (void)session_ticket_lifetime(7200, st->origin, now);
  return 0;
}
