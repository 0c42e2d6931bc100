// fuzz/corpus_gen.cc — writes the seed corpora under fuzz/corpus/<target>/.
//
//   build-fuzz/fuzz/fuzz_corpus_gen fuzz/corpus
//
// Seeds come from (a) real in-memory handshakes between a tessera client and
// server in each scenario of state_machine.h (the byte streams both ways,
// including application data, KeyUpdate and close_notify), checked to replay
// to a completed handshake, and (b) the committed test vectors:
// tests/vectors/wire (RFC 8448 and TLS 1.2 handshake messages),
// tests/vectors/pki, x509 and x509v (certificates, CRLs, hostile sets), and
// (c) Encrypted Client Hello structures (ech_seeds): the ech scenario's
// ECHConfigList and outer ClientHello, and EncodedClientHelloInner values
// built against fuzz_handshake's fixed outer ClientHello (ech_outer.h).
// File names are stable, so re-running rewrites the same files.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "ech_outer.h"
#include "handshake/cert_compression.h"
#include "handshake/tickets.h"
#include "state_machine.h"
#include "wire/certificate.h"
#include "wire/ech.h"
#include "wire/encrypted_extensions.h"
#include "wire/extensions.h"
#include "wire/handshake.h"
#include "wire/hello.h"
#include "x509/certificate.h"
#include "x509/pem.h"

using namespace tessera;
namespace fs = std::filesystem;

namespace {

fs::path g_out;
const fs::path kVectors = fs::path(TESSERA_FUZZ_PKI_DIR).parent_path();

void write_seed(const std::string& target, const std::string& name, ByteView data) {
  fs::create_directories(g_out / target);
  std::ofstream f(g_out / target / name, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

Bytes cat(std::initializer_list<ByteView> parts) {
  Bytes out;
  for (ByteView p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

Bytes parse_hex_file(const fs::path& p) {
  Bytes out;
  std::ifstream f(p);
  std::string line;
  while (std::getline(f, line)) {
    if (!line.empty() && line[0] == '#') continue;
    std::string digits;
    for (char ch : line) {
      if (std::isxdigit(static_cast<unsigned char>(ch))) digits += ch;
    }
    for (size_t i = 0; i + 1 < digits.size(); i += 2) {
      out.push_back(static_cast<uint8_t>(std::stoi(digits.substr(i, 2), nullptr, 16)));
    }
  }
  return out;
}

struct Streams {
  Bytes client_to_server, server_to_client;
};

// handshake runs one scenario between a tessera client and server, recording
// what each side sends, then exchanges data, a KeyUpdate and close_notify.
Streams handshake(fuzz::Scenario s) {
  Streams out;
  auto c = fuzz::new_client(s);
  auto sv = Connection::server(fuzz::server_config(s));
  if (!c.ok() || !sv.ok()) std::abort();
  Connection& cl = **c;
  Connection& sr = **sv;
  int paused = 0;  // async: handshakes that waited for a signature
  auto deliver = [&](Connection& to, const Bytes& bytes) {
    Result<void> r = to.receive_tls(bytes);
    if (to.signature_request()) ++paused;
    (void)fuzz::complete_signatures(to, std::move(r));
  };
  auto pump = [&] {
    for (int i = 0; i < 64; ++i) {
      bool moved = false;
      if (auto b = cl.pending_tls(); !b.empty()) {
        Bytes copy(b.begin(), b.end());
        cl.consume_tls(copy.size());
        out.client_to_server.insert(out.client_to_server.end(), copy.begin(), copy.end());
        deliver(sr, copy);
        moved = true;
      }
      if (auto b = sr.pending_tls(); !b.empty()) {
        Bytes copy(b.begin(), b.end());
        sr.consume_tls(copy.size());
        out.server_to_client.insert(out.server_to_client.end(), copy.begin(), copy.end());
        deliver(cl, copy);
        moved = true;
      }
      if (!moved) break;
    }
  };
  pump();
  if (!cl.is_handshake_done() || !sr.is_handshake_done() || cl.error() || sr.error()) {
    std::fprintf(stderr, "scenario %s: handshake failed: %s / %s\n",
                 fuzz::kScenarioNames[static_cast<int>(s)],
                 cl.error() ? cl.error()->to_string().c_str() : "-",
                 sr.error() ? sr.error()->to_string().c_str() : "-");
    std::exit(1);
  }
  // async: each side paused once, for its CertificateVerify.
  if (s == fuzz::Scenario::async_signer && (paused != 2 || !sr.summary().client_authenticated)) {
    std::fprintf(stderr, "scenario async: %d signature pauses, expected 2\n", paused);
    std::exit(1);
  }
  // pha: the server asks for the client's certificate at once (fuzz::feed
  // does the same when the recorded stream is replayed).
  if (s == fuzz::Scenario::post_handshake) {
    if (!sr.request_client_certificate().ok()) std::abort();
    pump();
    if (sr.client_certificate_request() != ClientCertificateRequest::received) {
      std::fprintf(stderr, "scenario pha: the client's certificate was not received\n");
      std::exit(1);
    }
  }
  // ech: both sides must have used the inner ClientHello.
  if ((s == fuzz::Scenario::ech || s == fuzz::Scenario::ech_hello_retry) &&
      (cl.summary().ech != EchStatus::accepted || sr.summary().ech != EchStatus::accepted ||
       cl.summary().hello_retry != (s == fuzz::Scenario::ech_hello_retry))) {
    std::fprintf(stderr, "scenario %s: ECH was not accepted (or HRR not as planned)\n",
                 fuzz::kScenarioNames[static_cast<int>(s)]);
    std::exit(1);
  }
  // grease: the client sent GREASE, the server could not open it.
  if (s == fuzz::Scenario::ech_grease &&
      (cl.summary().ech != EchStatus::grease || sr.summary().ech != EchStatus::rejected)) {
    std::fprintf(stderr, "scenario grease: not GREASE on the client, refused on the server\n");
    std::exit(1);
  }
  const std::string req = "GET / HTTP/1.0\r\n\r\n", resp = "HTTP/1.0 200 OK\r\n\r\nhello";
  (void)cl.write(as_bytes_view(req));
  pump();
  (void)sr.write(as_bytes_view(resp));
  (void)sr.key_update(true);
  pump();
  (void)cl.write(as_bytes_view(req));
  cl.close();
  pump();
  sr.close();
  pump();
  return out;
}

// replays checks that the recorded peer stream takes a fresh, identically
// seeded connection through the handshake: the point of the deterministic
// setup.
void check_replay(fuzz::Scenario s, const Streams& st) {
  auto c = fuzz::new_client(s);
  auto sv = Connection::server(fuzz::server_config(s));
  (void)fuzz::feed(**c, s, /*server=*/false, st.server_to_client);
  (void)fuzz::feed(**sv, s, /*server=*/true, st.client_to_server);
  bool ok_c = (*c)->is_handshake_done() && !(*c)->error();
  bool ok_s = (*sv)->is_handshake_done() && !(*sv)->error();
  // pha: the replayed answer must meet the replayed request.
  if (s == fuzz::Scenario::post_handshake)
    ok_s = ok_s && (*sv)->client_certificate_request() == ClientCertificateRequest::received;
  // ech: the replays must accept ECH too (the client checks the server's
  // confirmation, the server opens the recorded encrypted ClientHello).
  if (s == fuzz::Scenario::ech || s == fuzz::Scenario::ech_hello_retry) {
    ok_c = ok_c && (*c)->summary().ech == EchStatus::accepted;
    ok_s = ok_s && (*sv)->summary().ech == EchStatus::accepted;
  }
  if (s == fuzz::Scenario::ech_grease) {
    ok_c = ok_c && (*c)->summary().ech == EchStatus::grease;
    ok_s = ok_s && (*sv)->summary().ech == EchStatus::rejected;
  }
  std::printf("scenario %-5s: c->s %5zu bytes, s->c %5zu bytes; replay: client %s, server %s\n",
              fuzz::kScenarioNames[static_cast<int>(s)], st.client_to_server.size(),
              st.server_to_client.size(), ok_c ? "completes" : "FAILS",
              ok_s ? "completes" : "FAILS");
  // TLS 1.2 mTLS: the client's ECDSA CertificateVerify is randomised by
  // libcrypto (not drawn from the deterministic provider) and, unlike TLS 1.3,
  // the server's Finished covers it, so the recorded server flight can only
  // take the client as far as that Finished. The server side replays fully.
  const bool client_must_complete = s != fuzz::Scenario::tls12_mtls;
  if ((client_must_complete && !ok_c) || !ok_s) std::exit(1);
}

void state_machine_seeds() {
  for (uint8_t i = 0; i < fuzz::kNumScenarios; ++i) {
    auto s = static_cast<fuzz::Scenario>(i);
    Streams st = handshake(s);
    check_replay(s, st);
    const std::string n = fuzz::kScenarioNames[i];
    const uint8_t sel[] = {i};
    write_seed("client", n, cat({sel, st.server_to_client}));
    write_seed("server", n, cat({sel, st.client_to_server}));
    // The deframer target: mode byte (chunking/limits) + a stream.
    const uint8_t whole[] = {0x00}, bytewise[] = {0x01}, tls13[] = {0xc7};
    write_seed("deframer", n + "_c2s", cat({whole, st.client_to_server}));
    write_seed("deframer", n + "_s2c", cat({whole, st.server_to_client}));
    write_seed("deframer", n + "_s2c_chunked", cat({bytewise, st.server_to_client}));
    write_seed("deframer", n + "_c2s_tls13", cat({tls13, st.client_to_server}));
  }
}

// Selectors of fuzz_handshake.cc's kParsers.
int handshake_selector(uint8_t type, const std::string& name, size_t body_len) {
  const bool tls12 = name.rfind("tls12", 0) == 0;
  switch (type) {
    case 1: return 0;
    case 2: return 1;
    case 8: return 2;
    case 11: return tls12 ? 4 : 3;
    case 13: return tls12 ? 6 : 5;
    case 15: return 7;
    case 20: return body_len == 48 ? 9 : body_len == 12 ? 10 : 8;
    case 4: return tls12 ? 12 : 11;
    case 24: return 13;
    case 25: return 25;  // CompressedCertificate
    case 5: return 14;
    case 14: return 15;
    case 0: return 16;
    case 12: return name.find("ecdhe") != std::string::npos ? 17 : 18;
    case 16:
      if (name.find("ecdhe") != std::string::npos) return 19;
      if (name.find("dhe") != std::string::npos) return 20;
      return 21;
    default: return -1;
  }
}

void write_extension_seeds(const std::string& prefix, const wire::Extensions& exts) {
  for (const wire::Extension& e : exts) {
    const uint8_t t[] = {static_cast<uint8_t>(e.type >> 8), static_cast<uint8_t>(e.type)};
    write_seed("extensions", prefix + "_" + wire::extension_name(e.type), cat({t, e.data}));
  }
  ByteWriter w;
  wire::write_extensions(w, exts);
  const uint8_t block[] = {0xff, 0xfe};  // unknown type: the whole block
  write_seed("extensions", prefix + "_block", cat({block, std::move(w).take()}));
}

void wire_seeds() {
  Bytes all13;
  for (const auto& entry : fs::directory_iterator(kVectors / "wire")) {
    if (entry.path().extension() != ".hex") continue;
    const std::string name = entry.path().stem().string();
    Bytes msg = parse_hex_file(entry.path());
    if (msg.size() < 4) continue;
    ByteView body = ByteView(msg).subspan(4);
    int sel = handshake_selector(msg[0], name, body.size());
    if (sel < 0) continue;
    const uint8_t s[] = {static_cast<uint8_t>(sel)};
    write_seed("handshake", name, cat({s, body}));
    if (name.rfind("rfc8448_s3", 0) == 0) all13.insert(all13.end(), msg.begin(), msg.end());
    if (msg[0] == 1) {
      if (auto ch = wire::ClientHello::parse(body); ch.ok())
        write_extension_seeds(name, ch->extensions);
    } else if (msg[0] == 2) {
      if (auto sh = wire::ServerHello::parse(body); sh.ok())
        write_extension_seeds(name, sh->extensions);
    } else if (msg[0] == 8) {
      if (auto ee = wire::EncryptedExtensions::parse(body); ee.ok())
        write_extension_seeds(name, ee->extensions);
    } else if (msg[0] == 11 && sel == 3) {
      // The TLS 1.3 Certificate as a CompressedCertificate (RFC 8879 4).
      auto packed = handshake::compress_certificate_message(CertCompression::zlib, body);
      if (packed.ok()) {
        wire::CompressedCertificate cc{1, static_cast<uint32_t>(body.size()), *packed};
        ByteWriter w;
        cc.serialize(w);
        const uint8_t c[] = {25};
        write_seed("handshake", name + "_compressed", cat({c, std::move(w).take()}));
      }
    }
  }
  const uint8_t framing[] = {23};
  write_seed("handshake", "framing_rfc8448_s3", cat({framing, all13}));
  const uint8_t alert[] = {22, 2, 40};
  write_seed("handshake", "alert", alert);
}

// ech_seeds writes the seeds of the ECH codecs: for fuzz_extensions
// (encrypted_client_hello 0xfe0d, ech_outer_extensions 0xfd00) the ech
// scenario key's ECHConfigList, a list mixing it with configs a client skips
// or must look into, an HRR confirmation, the inner variant, and the
// extensions of the scenario's real outer ClientHello; for fuzz_handshake
// that ClientHello (client_hello and ech_outer_aad) and EncodedClientHelloInner
// values (ech_inner) built against ech_outer.h's fixed outer ClientHello.
void ech_seeds() {
  using namespace tessera::wire;
  const uint8_t ech[] = {0xfe, 0x0d}, outer_exts[] = {0xfd, 0x00};
  const auto key = fuzz::fuzz_ech_key();
  write_seed("extensions", "ech_config_list", cat({ech, key->config_list()}));
  auto ours = EchConfig::parse(key->config());
  if (!ours.ok()) std::abort();
  EchConfigContents other = ours->contents;
  other.key_config.config_id = 7;
  other.public_name = "public.example";
  other.extensions = {Extension{0x0a0a, {1, 2, 3}}, Extension{0x8001, {}}};  // 0x8001: mandatory
  auto with_extensions = EchConfig::make(other);
  const uint8_t older_draft[] = {0xfe, 0x0c, 0x00, 0x04, 0xde, 0xad, 0xbe, 0xef};
  auto older = EchConfig::parse(older_draft);
  if (!with_extensions.ok() || !older.ok()) std::abort();
  auto mixed = EchConfigList::make({*older, *with_extensions, *ours});
  if (!mixed.ok()) std::abort();
  write_seed("extensions", "ech_config_list_mixed", cat({ech, mixed->raw}));
  const uint8_t confirmation[] = {1, 2, 3, 4, 5, 6, 7, 8}, inner_variant[] = {1};
  write_seed("extensions", "ech_hello_retry_request", cat({ech, confirmation}));
  write_seed("extensions", "ech_inner_variant", cat({ech, inner_variant}));

  // The ech scenario's outer ClientHello: the first record of the client's
  // stream holds it whole.
  const fuzz::Scenario s = fuzz::Scenario::ech;
  const Bytes stream = handshake(s).client_to_server;
  if (stream.size() < 5) std::abort();
  const size_t len = size_t{stream[3]} << 8 | stream[4];
  ByteReader records(ByteView(stream).subspan(5, len));
  auto msg = read_handshake_message(records);
  if (!msg.ok() || msg->type != HandshakeType::client_hello) std::abort();
  auto real_outer = ClientHello::parse(msg->body);
  if (!real_outer.ok()) std::abort();
  const uint8_t sel_client_hello[] = {0}, sel_inner[] = {26}, sel_aad[] = {27};
  write_seed("handshake", "ech_client_hello_outer", cat({sel_client_hello, msg->body}));
  write_seed("handshake", "ech_outer_aad", cat({sel_aad, msg->body}));
  write_extension_seeds("ech_client_hello_outer", real_outer->extensions);

  // EncodedClientHelloInner against the fixed outer: its own name, random,
  // ECH (inner variant) and PSK, the eight extensions between them
  // compressed (5.1), padded as a client pads (6.1.3); and uncompressed.
  const ClientHello& outer = fuzz::ech_fixed_outer();
  write_seed("handshake", "ech_outer_aad_fixed", cat({sel_aad, *encode(outer)}));
  ClientHello inner = outer;
  inner.random.fill(0x1b);
  inner.legacy_session_id.clear();
  std::vector<uint16_t> compress;
  for (Extension& e : inner.extensions) {
    if (e.type == kExtServerName) {
      e = make_extension(kExtServerName, ServerNameList{"localhost"});
    } else if (e.type == kExtEncryptedClientHello) {
      e = make_extension(kExtEncryptedClientHello, EchClientHello::inner());
    } else if (e.type == kExtPreSharedKey) {
      e = make_extension(kExtPreSharedKey,
                         OfferedPsks{{PskIdentity{Bytes(20, 0x66), 7}}, {Bytes(32, 0x77)}});
    } else {
      compress.push_back(e.type);
    }
  }
  auto plain = encode_client_hello_inner(inner, {}, 0);
  auto unpadded = encode_client_hello_inner(inner, compress, 0);
  if (!plain.ok() || !unpadded.ok()) std::abort();
  auto padded = encode_client_hello_inner(
      inner, compress, ech_padding_length(unpadded->size(), 9, ours->contents.maximum_name_length));
  if (!padded.ok()) std::abort();
  write_seed("handshake", "ech_inner_compressed", cat({sel_inner, *padded}));
  write_seed("handshake", "ech_inner_uncompressed", cat({sel_inner, *plain}));
  write_seed("extensions", "ech_outer_extensions",
             cat({outer_exts, *encode(EchOuterExtensions{compress})}));
}

std::vector<Bytes> der_certs(const fs::path& pem_file) {
  std::vector<Bytes> out;
  auto blocks = x509::pem_decode(slurp(pem_file));
  if (!blocks.ok()) return out;
  for (auto& b : *blocks) {
    if (b.label == "CERTIFICATE" || b.label == "X509 CRL") out.push_back(std::move(b.der));
  }
  return out;
}

void x509_seeds() {
  std::map<std::string, std::vector<Bytes>> certs;  // stem -> DER blocks
  for (const char* dir : {"pki", "x509", "x509v"}) {
    for (const auto& entry : fs::directory_iterator(kVectors / dir)) {
      if (entry.path().extension() != ".pem") continue;
      const std::string stem = std::string(dir) + "_" + entry.path().stem().string();
      auto ders = der_certs(entry.path());
      for (size_t i = 0; i < ders.size(); ++i) {
        const std::string n = stem + (ders.size() > 1 ? "_" + std::to_string(i) : "");
        write_seed("der", n, ders[i]);
        write_seed("x509", n, ders[i]);
        write_seed("x509_differential", n, ders[i]);
      }
      certs[stem] = std::move(ders);
      const std::string text = slurp(entry.path());
      if (dir == std::string("pki") || stem.find("hostile") != std::string::npos ||
          stem.find("crl") != std::string::npos) {
        write_seed("pem", stem, as_bytes_view(text));
      }
    }
  }
  // OCSP responses (tests/vectors/ocsp/gen.sh) for OcspResponse::parse.
  write_seed("x509", "ocsp_delegated", as_bytes_view(slurp(kVectors / "ocsp" / "delegated.der")));
  // Path building: mode byte + length-prefixed certificates, leaf first.
  auto chain = [&](uint8_t mode, std::initializer_list<const char*> stems) {
    Bytes out{mode};
    std::string name;
    for (const char* s : stems) {
      for (const Bytes& d : certs[s]) {
        out.push_back(static_cast<uint8_t>(d.size() >> 8));
        out.push_back(static_cast<uint8_t>(d.size()));
        out.insert(out.end(), d.begin(), d.end());
      }
      name += std::string(name.empty() ? "" : "+") + s;
    }
    write_seed("path", name, out);
  };
  chain(0x04, {"pki_server-ec"});
  chain(0x0c, {"pki_server-ec", "pki_ca"});
  chain(0x04, {"pki_server-rsa", "pki_rogue-ca"});
  chain(0x01, {"pki_client-ec"});
  chain(0x01, {"pki_rogue-client", "pki_ca"});
  chain(0x10, {"x509v_leaf", "x509v_int"});
  chain(0x10, {"x509v_leaf_hostile", "x509v_hostile_set"});
  chain(0x10, {"x509v_leaf_sub", "x509v_sub_int", "x509v_int"});
  chain(0x10, {"x509v_leaf_nc_ok", "x509v_nc_int"});
  chain(0x10, {"x509v_leaf_pl", "x509v_pl0_int", "x509v_int"});
  chain(0x10, {"x509v_leaf", "x509v_int_by_root2", "x509v_fake_int_self", "x509v_int"});
  chain(0x12, {"x509v_leaf_under_v1", "x509v_v1_int"});
}

}  // namespace

// Ticket states (fuzz_tickets): a TLS 1.3 and a TLS 1.2 session, with and
// without a client identity, in format 6 as encode_state writes them.
void ticket_seeds() {
  handshake::TicketState s;
  s.cipher_suite = 0x1301;
  s.issued_at_ms = fuzz::kFuzzNow * 1000;
  s.lifetime_s = 7200;
  s.age_add = 0x01020304;
  s.psk = SecretBytes(Bytes(32, 0x42));
  s.alpn = "h2";
  s.sni = "localhost";
  s.max_early_data = 16384;
  s.record_size_limit = 4096;
  s.origin.authenticated_at_ms = s.issued_at_ms;
  auto plain = handshake::encode_state(s);
  if (plain.ok()) write_seed("tickets", "tls13_no_client", plain->view());
  auto ca = x509::pem_decode_label(slurp(fs::path(TESSERA_FUZZ_PKI_DIR) / "ca.pem"),
                                   x509::pem_label::kCertificate);
  auto anchor = ca.ok() && !ca->empty() ? x509::Certificate::parse(ca->front())
                                        : Result<x509::Certificate>(Error(ErrorCode::cert_parse));
  if (anchor.ok()) {
    s.client_subject = "CN=tessera test client";
    const ByteView subject = anchor->subject().der();
    s.origin.client_issuer.assign(subject.begin(), subject.end());
    s.origin.client_serial = {0x01, 0x23};
    s.origin.client_anchor_subject.assign(subject.begin(), subject.end());
    s.origin.client_anchor_sha256 = anchor->fingerprint_sha256(*crypto::default_provider());
    s.origin.client_not_after = anchor->not_after();
    s.client_kept.spki_sha256 = Bytes(32, 0x33);
    s.client_kept.common_name = "tessera test client";
    s.client_kept.names = {"DNS:client.internal", "URI:spiffe://example.org/client"};
    auto mtls = handshake::encode_state(s);
    if (mtls.ok()) write_seed("tickets", "tls13_client", mtls->view());
  }
  s.version = 0x0303;
  s.cipher_suite = 0xc02b;
  s.extended_master_secret = true;
  s.psk = SecretBytes(Bytes(48, 0x24));
  auto tls12 = handshake::encode_state(s);
  if (tls12.ok()) write_seed("tickets", "tls12_client", tls12->view());
}

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTDIR (fuzz/corpus)\n", argv[0]);
    return 2;
  }
  g_out = argv[1];
  state_machine_seeds();
  wire_seeds();
  ech_seeds();
  x509_seeds();
  ticket_seeds();
  std::printf("seeds written to %s\n", g_out.c_str());
  return 0;
}
