#include "handshake/tls12_common.h"

#include <algorithm>

#include "base/ct.h"
#include "crypto/key_schedule.h"
#include "handshake/common.h"
#include "handshake/messages13.h"

namespace tessera::handshake {

Result<Tls12Secrets> derive_tls12_secrets(crypto::Provider& p, const CipherSuiteInfo& suite,
                                          ByteView premaster, bool ems, ByteView session_hash,
                                          ByteView client_random, ByteView server_random,
                                          const KeyLogCallback& keylog) {
  Tls12Secrets s;
  if (ems) {
    TESSERA_ASSIGN_OR_RETURN(
        s.master, crypto::tls12_extended_master_secret(p, suite.hash, premaster, session_hash));
  } else {
    TESSERA_ASSIGN_OR_RETURN(s.master, crypto::tls12_master_secret(p, suite.hash, premaster,
                                                                   client_random, server_random));
  }
  TESSERA_ASSIGN_OR_RETURN(
      s.block, crypto::tls12_key_block(p, suite.hash, s.master.view(), client_random, server_random,
                                       suite.aead));
  if (keylog)
    keylog(crypto::keylog::line(crypto::keylog::kClientRandom, client_random, s.master.view()));
  return s;
}

Result<Tls12Secrets> resume_tls12_secrets(crypto::Provider& p, const CipherSuiteInfo& suite,
                                          ByteView master_secret, ByteView client_random,
                                          ByteView server_random, const KeyLogCallback& keylog) {
  Tls12Secrets s;
  s.master = SecretBytes(master_secret);
  TESSERA_ASSIGN_OR_RETURN(
      s.block, crypto::tls12_key_block(p, suite.hash, s.master.view(), client_random, server_random,
                                       suite.aead));
  if (keylog)
    keylog(crypto::keylog::line(crypto::keylog::kClientRandom, client_random, master_secret));
  return s;
}

Result<void> send_change_cipher_spec_and_finished(crypto::Provider& p, Channel& channel,
                                                  crypto::Transcript& transcript,
                                                  const CipherSuiteInfo& suite,
                                                  const Tls12Secrets& secrets,
                                                  crypto::Tls12Sender us) {
  const bool client = us == crypto::Tls12Sender::client;
  const auto& b = secrets.block;
  channel.send_change_cipher_spec();
  TESSERA_TRY(channel.set_write_keys_tls12(
      suite, client ? b.client_write_key.view() : b.server_write_key.view(),
      client ? b.client_write_iv.view() : b.server_write_iv.view()));
  TESSERA_ASSIGN_OR_RETURN(Bytes h, transcript.current_hash());
  TESSERA_ASSIGN_OR_RETURN(Bytes vd,
                           crypto::tls12_finished(p, suite.hash, secrets.master.view(), us, h));
  TESSERA_ASSIGN_OR_RETURN(Bytes fin, build_finished(vd));
  transcript.add(fin);
  channel.send_handshake(fin);
  if (channel.tracing()) {
    channel.trace("-> ChangeCipherSpec: our records are encrypted from now on");
    channel.trace(std::string("-> Finished: PRF(master secret, \"") +
                  (client ? "client" : "server") + " finished\", transcript hash)");
  }
  return ok();
}

Result<SecretBytes> tls12_exporter(crypto::Provider& p, const CipherSuiteInfo& suite, bool ems,
                                   const Tls12Secrets* secrets, ByteView client_random,
                                   ByteView server_random, std::string_view label,
                                   std::optional<ByteView> context, size_t length) {
  if (!secrets)
    return Error(ErrorCode::internal_error,
                 "keying material export before the handshake completed");
  TESSERA_TRY(check_exporter_request(label, context, length, suite.hash));
  if (!ems)
    return Error(ErrorCode::insufficient_security,
                 "no keying material export from a TLS 1.2 connection without the extended "
                 "master secret (RFC 7627 5.4: it could be shared with another connection)");
  return crypto::tls12_export_keying_material(p, suite.hash, secrets->master.view(), label,
                                              client_random, server_random, context, length);
}

bool key_fits_suite(const CipherSuiteInfo& suite, crypto::KeyType t) {
  using crypto::KeyType;
  if (suite.kx == KeyExchange::rsa) return t == KeyType::rsa;
  switch (suite.auth) {
    case AuthAlgorithm::ecdsa:
      return t == KeyType::ec_p256 || t == KeyType::ec_p384 || t == KeyType::ec_p521 ||
             t == KeyType::ed25519;
    case AuthAlgorithm::rsa: return t == KeyType::rsa || t == KeyType::rsa_pss;
    case AuthAlgorithm::tls13: return false;
  }
  return false;
}

bool scheme_allowed_tls12(uint16_t s) {
  return s != static_cast<uint16_t>(SignatureScheme::rsa_pkcs1_sha1) &&
         s != static_cast<uint16_t>(SignatureScheme::ecdsa_sha1);
}

bool key_can_sign_tls12(const crypto::PublicKey& key, uint16_t s) {
  return crypto::scheme_fits_key(static_cast<SignatureScheme>(s), key.type(),
                                 /*strict_curve=*/false);
}

Result<SecretBytes> dhe_shared_secret(crypto::KeyShare& share, ByteView peer_value) {
  auto z = share.decapsulate(peer_value);
  if (!z.ok())
    return Error(z.error().code(), AlertDescription::handshake_failure, z.error().message());
  return z;
}

std::string kx_name(KeyExchange kx) {
  switch (kx) {
    case KeyExchange::ecdhe: return "ECDHE";
    case KeyExchange::dhe: return "DHE";
    case KeyExchange::rsa: return "RSA";
    case KeyExchange::tls13: return "TLS 1.3";
  }
  return "?";
}

Result<Bytes> dh_value_padded(ByteView y, size_t p_size) {
  while (!y.empty() && y[0] == 0) y = y.subspan(1);
  // RFC 7919 3 and 4: a peer's value outside 1 < y < p - 1 -> handshake_failure,
  // as for the range check that follows.
  if (y.size() > p_size)
    return Error(ErrorCode::handshake_failure,
                 "Diffie-Hellman public value is longer than the group's prime");
  Bytes out(p_size - y.size(), 0);
  out.insert(out.end(), y.begin(), y.end());
  return out;
}

SecretBytes strip_leading_zeros(SecretBytes z) {
  ByteView v = z.view();
  // Count the leading zero bytes without a branch on Z: the loop runs over
  // all of Z and keeps a mask that stays set while the bytes are zero.
  size_t n = 0;
  uint32_t leading = 0xffffffffu;
  for (uint8_t b : v) {
    leading &= ct_eq_mask(b, 0);
    n += leading & 1u;
  }
  // RFC 5246 8.1.2 makes the premaster's length depend on Z, and the length
  // shows in the PRF's timing (the "Raccoon" attack, 2020): the count is
  // public by the protocol's design, so it is declassified here and the
  // rest of the handshake may use the length (docs/constant-time.md). TLS 1.3
  // (RFC 8446 7.4.1) keeps the leading zeros; prefer it or ECDHE.
  ct_declassify(&n, sizeof n);
  if (n == 0) return z;
  return SecretBytes(v.subspan(n));
}

}  // namespace tessera::handshake
