// crypto/transcript.h — Transcript: the running hash of the handshake
// messages (RFC 8446 4.4.1, RFC 5246 7.4.9, RFC 7627 3).
//
// Messages are added whole, with their 4-byte handshake header, in the order
// they were sent or received. The transcript can start before the hash is
// known: until select_hash() is called, added messages are buffered (the
// ClientHello arrives before the cipher suite is chosen) and replayed into the
// hash when it is selected.
//
// Typical TLS 1.3 use:
//   Transcript t;
//   t.add(client_hello);                       // buffered
//   TESSERA_TRY(t.select_hash(provider, HashAlgorithm::sha256));
//   // if the server sent a HelloRetryRequest instead of a ServerHello:
//   TESSERA_TRY(t.replace_with_message_hash());
//   t.add(server_hello);
//   TESSERA_ASSIGN_OR_RETURN(Bytes h, t.current_hash());
#pragma once

#include <memory>

#include "base/bytes.h"
#include "crypto/provider.h"
#include "tessera/algorithms.h"
#include "tessera/result.h"

namespace tessera::crypto {

// RFC 8446 4.4.1: the handshake type of the synthetic message that replaces
// ClientHello1 after a HelloRetryRequest.
inline constexpr uint8_t kMessageHashType = 254;

class Transcript {
 public:
  Transcript() = default;
  Transcript(Transcript&&) = default;
  Transcript& operator=(Transcript&&) = default;
  Transcript(const Transcript&) = delete;
  Transcript& operator=(const Transcript&) = delete;

  // select_hash fixes the transcript hash and feeds it every message added so
  // far. The provider is only used here; the hash context it returns is
  // independent of it. Fails with internal_error if a hash was already
  // selected, or with the provider's error if the hash is unavailable.
  Result<void> select_hash(Provider& provider, HashAlgorithm hash);

  // has_hash says whether select_hash succeeded.
  bool has_hash() const { return ctx_ != nullptr; }
  // hash returns the selected hash; precondition: has_hash().
  HashAlgorithm hash() const { return hash_; }

  // add appends one handshake message, header included. Before the hash is
  // selected the bytes are buffered (and count towards retained_messages()).
  void add(ByteView message_with_header);

  // current_hash returns Hash(all messages added so far) without finishing
  // the running hash (a clone is finished). internal_error if no hash has
  // been selected.
  Result<Bytes> current_hash() const;

  // fork returns an independent transcript holding the same messages (the
  // running hash cloned), for a branch that adds messages of its own: a
  // TLS 1.3 post-handshake authentication hashes the handshake through the
  // client's Finished, then its own messages (RFC 8446 4.4). internal_error
  // if no hash has been selected.
  Result<Transcript> fork() const;

  // current_hash_with returns Hash(all messages so far || extra) without
  // adding extra. Used for PSK binders (RFC 8446 4.2.11.2), which hash a
  // truncated ClientHello. internal_error if no hash has been selected.
  Result<Bytes> current_hash_with(ByteView extra) const;

  // replace_with_message_hash applies the HelloRetryRequest rule of RFC 8446
  // 4.4.1: the messages added so far (which must be exactly ClientHello1) are
  // replaced by the synthetic message
  //   message_hash(254) || 00 00 Hash.length || Hash(ClientHello1).
  // internal_error if no hash has been selected or nothing was added yet.
  Result<void> replace_with_message_hash();

  // start_from_message_hash begins an empty transcript (hash selected) with
  // the synthetic message_hash message built from a ClientHello1 hash that
  // was kept elsewhere (e.g. a stateless server's HelloRetryRequest cookie).
  // internal_error if messages were already added or the hash length does
  // not match the selected hash.
  Result<void> start_from_message_hash(ByteView client_hello1_hash);

  // retain_messages makes the transcript keep a copy of every message added
  // from now on (and those buffered so far), for TLS 1.2 CertificateVerify,
  // which signs the concatenated handshake messages themselves
  // (RFC 5246 7.4.8). Off by default.
  void retain_messages() { retain_ = true; }
  // retained_messages returns the kept messages (valid until the next add).
  ByteView retained_messages() const { return kept_; }

 private:
  HashAlgorithm hash_ = HashAlgorithm::sha256;
  std::unique_ptr<HashContext> ctx_;    // running hash, once selected
  std::unique_ptr<HashContext> empty_;  // a fresh context of the same hash
  Bytes kept_;                          // buffered messages before select_hash, or retained ones
  bool retain_ = false;
  bool added_any_ = false;
};

}  // namespace tessera::crypto
