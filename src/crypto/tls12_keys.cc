#include "crypto/tls12_keys.h"

#include <cassert>
#include <string>

#include "base/ct.h"

namespace tessera::crypto {

namespace {

Result<void> check_random(ByteView r, std::string_view which) {
  if (r.size() != kTls12RandomSize) {
    return Error(ErrorCode::internal_error,
                 std::string(which) + " random must be 32 bytes, got " + std::to_string(r.size()));
  }
  return ok();
}

Bytes concat(ByteView a, ByteView b) {
  Bytes out(a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

}  // namespace

Result<SecretBytes> tls12_master_secret(Provider& provider, HashAlgorithm prf_hash,
                                        ByteView pre_master_secret, ByteView client_random,
                                        ByteView server_random) {
  TESSERA_TRY(check_random(client_random, "client"));
  TESSERA_TRY(check_random(server_random, "server"));
  // RFC 5246 8.1: PRF(pre_master_secret, "master secret",
  //                   ClientHello.random + ServerHello.random)[0..47]
  return provider.tls12_prf(prf_hash, pre_master_secret, "master secret",
                            concat(client_random, server_random), kTls12MasterSecretSize);
}

Result<SecretBytes> tls12_extended_master_secret(Provider& provider, HashAlgorithm prf_hash,
                                                 ByteView pre_master_secret,
                                                 ByteView session_hash) {
  if (session_hash.size() != hash_length(prf_hash)) {
    return Error(ErrorCode::internal_error, "extended master secret: session hash has " +
                                                std::to_string(session_hash.size()) + " bytes, " +
                                                std::string(hash_name(prf_hash)) + " needs " +
                                                std::to_string(hash_length(prf_hash)));
  }
  // RFC 7627 4: PRF(pre_master_secret, "extended master secret", session_hash)[0..47]
  return provider.tls12_prf(prf_hash, pre_master_secret, "extended master secret", session_hash,
                            kTls12MasterSecretSize);
}

size_t tls12_iv_length(AeadAlgorithm aead) {
  return aead == AeadAlgorithm::chacha20_poly1305 ? Aead::kNonceSize : 4;
}

Result<Tls12KeyBlock> tls12_key_block(Provider& provider, HashAlgorithm prf_hash,
                                      ByteView master_secret, ByteView client_random,
                                      ByteView server_random, AeadAlgorithm aead) {
  TESSERA_TRY(check_random(client_random, "client"));
  TESSERA_TRY(check_random(server_random, "server"));
  size_t key_len = aead_key_length(aead);
  size_t iv_len = tls12_iv_length(aead);
  // RFC 5246 6.3: key_block = PRF(master_secret, "key expansion",
  //                               server_random + client_random)
  TESSERA_ASSIGN_OR_RETURN(
      SecretBytes block,
      provider.tls12_prf(prf_hash, master_secret, "key expansion",
                         concat(server_random, client_random), 2 * key_len + 2 * iv_len));
  ByteReader r(block.view());
  TESSERA_ASSIGN_OR_RETURN(ByteView ck, r.read_bytes(key_len));
  TESSERA_ASSIGN_OR_RETURN(ByteView sk, r.read_bytes(key_len));
  TESSERA_ASSIGN_OR_RETURN(ByteView civ, r.read_bytes(iv_len));
  TESSERA_ASSIGN_OR_RETURN(ByteView siv, r.read_bytes(iv_len));
  TESSERA_TRY(r.expect_end("TLS 1.2 key block"));
  return Tls12KeyBlock{SecretBytes(ck), SecretBytes(sk), SecretBytes(civ), SecretBytes(siv)};
}

Result<Bytes> tls12_finished(Provider& provider, HashAlgorithm prf_hash, ByteView master_secret,
                             Tls12Sender sender, ByteView handshake_hash) {
  if (handshake_hash.size() != hash_length(prf_hash)) {
    return Error(ErrorCode::internal_error,
                 "TLS 1.2 Finished: handshake hash has the wrong length");
  }
  // RFC 5246 7.4.9: verify_data = PRF(master_secret, finished_label,
  //                                   Hash(handshake_messages))[0..11]
  std::string_view label = sender == Tls12Sender::client ? "client finished" : "server finished";
  TESSERA_ASSIGN_OR_RETURN(SecretBytes v, provider.tls12_prf(prf_hash, master_secret, label,
                                                             handshake_hash, kTls12VerifyDataSize));
  return Bytes(v.view().begin(), v.view().end());
}

Result<void> tls12_verify_finished(Provider& provider, HashAlgorithm prf_hash,
                                   ByteView master_secret, Tls12Sender sender,
                                   ByteView handshake_hash, ByteView received) {
  TESSERA_ASSIGN_OR_RETURN(
      Bytes expected, tls12_finished(provider, prf_hash, master_secret, sender, handshake_hash));
  // RFC 5246 7.4.9: "Recipients of Finished messages MUST verify that the
  // contents are correct." A wrong value is a decrypt_error (RFC 5246 7.2.2:
  // "a handshake cryptographic operation failed, including being unable to
  // ... validate a finished message"). One of the wrong length (not the
  // suite's verify_data_length, 12) is malformed: decode_error (7.2.2).
  if (received.size() != expected.size())
    return Error(ErrorCode::decode_length, AlertDescription::decode_error,
                 std::string(sender == Tls12Sender::client ? "client" : "server") +
                     " Finished is " + std::to_string(received.size()) + " bytes, not " +
                     std::to_string(expected.size()));
  if (!ct_equal(expected, received)) {
    return Error(ErrorCode::decrypt_error, AlertDescription::decrypt_error,
                 std::string(sender == Tls12Sender::client ? "client" : "server") +
                     " Finished verify_data does not match the handshake");
  }
  return ok();
}

Result<SecretBytes> tls12_export_keying_material(Provider& provider, HashAlgorithm prf_hash,
                                                 ByteView master_secret, std::string_view label,
                                                 ByteView client_random, ByteView server_random,
                                                 std::optional<ByteView> context, size_t length) {
  TESSERA_TRY(check_random(client_random, "client"));
  TESSERA_TRY(check_random(server_random, "server"));
  // RFC 5705 4: "the context value length is encoded as an unsigned, 16-bit
  // quantity ... representing the length of the context value."
  if (context && context->size() > 0xffff) {
    return Error(ErrorCode::internal_error, "TLS 1.2 exporter: context longer than 65535 bytes");
  }
  ByteWriter seed(2 * kTls12RandomSize + 2 + (context ? context->size() : 0));
  seed.bytes(client_random);
  seed.bytes(server_random);
  if (context) seed.prefixed<2>([&](ByteWriter& w) { w.bytes(*context); });
  return provider.tls12_prf(prf_hash, master_secret, label, seed.view(), length);
}

SecretBytes tls12_rsa_premaster_from_em(ByteView em, uint16_t client_version, ByteView fallback) {
  assert(em.size() >= kTls12PremasterSize + 11 && fallback.size() == kTls12PremasterSize);
  // RFC 8017 7.2.2 / RFC 5246 7.4.7.1: EM = 0x00 || 0x02 || PS || 0x00 || M
  // with PS at least 8 non-zero bytes and M the 48-byte PreMasterSecret whose
  // first two bytes are ClientHello.client_version. With |M| fixed at 48 the
  // layout is fixed too: PS occupies EM[2 .. k-50], the separator is EM[k-49].
  const size_t k = em.size();
  uint32_t good = ct_eq_mask(em[0], 0x00);
  good &= ct_eq_mask(em[1], 0x02);
  const size_t sep = k - kTls12PremasterSize - 1;
  for (size_t i = 2; i < sep; ++i) good &= ~ct_eq_mask(em[i], 0x00);  // PS bytes non-zero
  good &= ct_eq_mask(em[sep], 0x00);
  ByteView m = em.subspan(sep + 1);
  good &= ct_eq_mask(m[0], static_cast<uint8_t>(client_version >> 8));
  good &= ct_eq_mask(m[1], static_cast<uint8_t>(client_version & 0xff));
  SecretBytes out(kTls12PremasterSize);
  ct_select(good, m, fallback, out.mutable_view());
  return out;
}

}  // namespace tessera::crypto
