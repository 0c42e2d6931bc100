// `tessera selfcheck`: runs the crypto provider's known-answer checks (hash,
// HMAC, HKDF, every AEAD, every key exchange group, a signature) and exits 0
// only if all pass.
#include <cstdio>
#include <string>

#include "base/ct.h"
#include "base/hex.h"
#include "command.h"
#include "crypto/provider.h"

namespace tessera::cli {
namespace {

Bytes hex(std::string_view s) { return from_hex(s).value_or(Bytes{}); }

struct AeadKat {
  AeadAlgorithm alg;
  std::string_view key, nonce, aad, plaintext, ciphertext_and_tag;
};

// McGrew & Viega GCM test cases 4 and 16; RFC 8439 2.8.2. The expected
// output is ciphertext || tag.
const AeadKat kAeadKats[] = {
    {AeadAlgorithm::aes_128_gcm, "feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
     "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6"
     "b525b16aedf5aa0de657ba637b39",
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84"
     "aa051ba30b396a0aac973d58e0915bc94fbc3221a5db94fae95ae7121a47"},
    {AeadAlgorithm::aes_256_gcm, "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
     "cafebabefacedbaddecaf888", "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6"
     "b525b16aedf5aa0de657ba637b39",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b105682"
     "8838c5f61e6393ba7a0abcc9f66276fc6ece0f4e1768cddf8853bb2d551b"},
    {AeadAlgorithm::chacha20_poly1305,
     "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f", "070000004041424344454647",
     "50515253c0c1c2c3c4c5c6c7",
     "4c616469657320616e642047656e746c656d656e206f662074686520636c617373206f66202739393a20496620"
     "4920636f756c64206f6666657220796f75206f6e6c79206f6e652074697020666f7220746865206675747572652c"
     "2073756e73637265656e20776f756c642062652069742e",
     "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92"
     "728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b"
     "4831d7bc3ff4def08e4b7a9de576d26586cec64b61161ae10b594f09e26a7e902ecbd0600691"},
};

bool check_aead(crypto::Provider& p, const AeadKat& k) {
  auto aead = p.aead(k.alg, hex(k.key));
  if (!aead.ok()) return false;
  Bytes data = hex(k.plaintext);
  Bytes tag(crypto::Aead::kTagSize);
  if (!(*aead)->seal(hex(k.nonce), hex(k.aad), data, tag).ok()) return false;
  Bytes sealed = data;
  sealed.insert(sealed.end(), tag.begin(), tag.end());
  if (to_hex(sealed) != k.ciphertext_and_tag) return false;
  if (!(*aead)->open(hex(k.nonce), hex(k.aad), data, tag).ok()) return false;
  if (to_hex(data) != k.plaintext) return false;
  tag[0] ^= 1;  // a forged tag must be refused
  return !(*aead)->open(hex(k.nonce), hex(k.aad), data, tag).ok();
}

bool check_group(crypto::Provider& p, NamedGroup g) {
  auto share = p.generate_key_share(g);
  if (!share.ok()) return false;
  auto enc = p.encapsulate(g, (*share)->public_value());
  if (!enc.ok()) return false;
  auto dec = (*share)->decapsulate(enc->ciphertext);
  return dec.ok() && ct_equal(dec->view(), enc->shared_secret.view());
}

bool check_signature(crypto::Provider& p, crypto::KeyType type, SignatureScheme scheme) {
  auto key = p.generate_private_key({type, 2048});
  if (!key.ok()) return false;
  auto pub = p.load_public_key((*key)->public_spki());
  if (!pub.ok()) return false;
  Bytes msg = hex("00112233445566778899");
  auto sig = (*key)->sign(scheme, msg);
  if (!sig.ok() || !(*pub)->verify(scheme, msg, *sig).ok()) return false;
  msg[0] ^= 1;  // a changed message must not verify
  return !(*pub)->verify(scheme, msg, *sig).ok();
}

int run_selfcheck() {
  auto p = crypto::default_provider();
  int failures = 0;
  auto check = [&](const std::string& what, bool ok) {
    std::printf("  %-34s %s\n", what.c_str(), ok ? "ok" : "FAILED");
    if (!ok) ++failures;
  };
  std::printf("tessera selfcheck (provider: %.*s)\n", static_cast<int>(p->name().size()),
              p->name().data());
  // FIPS 180-2 B.1 / C.1: SHA-256("abc"), SHA-384("abc").
  check("SHA-256 known answer",
        to_hex(p->digest(HashAlgorithm::sha256, as_bytes_view("abc"))) ==
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  check(
      "SHA-384 known answer",
      to_hex(p->digest(HashAlgorithm::sha384, as_bytes_view("abc"))) ==
          "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca1"
          "34c825a7");
  // RFC 4231 test case 2.
  check("HMAC-SHA-256 known answer",
        to_hex(p->hmac(HashAlgorithm::sha256, as_bytes_view("Jefe"),
                       as_bytes_view("what do ya want for nothing?"))) ==
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // RFC 5869 A.1.
  {
    SecretBytes prk = p->hkdf_extract(HashAlgorithm::sha256, hex("000102030405060708090a0b0c"),
                                      hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"));
    auto okm = p->hkdf_expand(HashAlgorithm::sha256, prk.view(), hex("f0f1f2f3f4f5f6f7f8f9"), 42);
    check("HKDF-SHA-256 known answer",
          okm.ok() && to_hex(okm->view()) ==
                          "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf3400720"
                          "8d5b887185865");
  }
  for (const auto& k : kAeadKats)
    check(std::string(aead_name(k.alg)) + " known answer", check_aead(*p, k));
  for (NamedGroup g : {NamedGroup::x25519, NamedGroup::secp256r1, NamedGroup::secp384r1,
                       NamedGroup::ffdhe2048, NamedGroup::ffdhe3072, NamedGroup::ffdhe4096}) {
    check("key exchange " + group_name(static_cast<uint16_t>(g)), check_group(*p, g));
  }
  check("sign/verify ecdsa_secp256r1_sha256",
        check_signature(*p, crypto::KeyType::ec_p256, SignatureScheme::ecdsa_secp256r1_sha256));
  check("sign/verify ed25519",
        check_signature(*p, crypto::KeyType::ed25519, SignatureScheme::ed25519));
  std::printf("%s\n", failures ? "selfcheck FAILED" : "selfcheck passed");
  return failures ? 1 : 0;
}

const bool kRegistered =
    register_command({"selfcheck", "Run the crypto provider's self-test",
                      [](CLI::App&) -> Runner { return [] { return run_selfcheck(); }; }});

}  // namespace
}  // namespace tessera::cli
