// handshake/traffic13.h — an established TLS 1.3 connection's application
// traffic secrets and the KeyUpdate mechanics (RFC 8446 4.6.3, 7.2), shared
// by the client and the server state machines.
#pragma once

#include <cstdint>
#include <optional>

#include "base/bytes.h"
#include "base/secret.h"
#include "crypto/provider.h"
#include "handshake/handshake.h"
#include "tessera/algorithms.h"

namespace tessera::handshake {

class Traffic13 {
 public:
  Traffic13(const CipherSuiteInfo& suite, SecretBytes ours, SecretBytes peers,
            SecretBytes resumption, SecretBytes exporter)
      : suite_(suite),
        ours_(std::move(ours)),
        peers_(std::move(peers)),
        resumption_(std::move(resumption)),
        exporter_(std::move(exporter)) {}

  // send_key_update queues a KeyUpdate (asking the peer to update too when
  // request_peer is set) and moves our write keys to the next secret.
  Result<void> send_key_update(crypto::Provider& provider, Channel& channel, bool request_peer);

  // on_key_update handles the peer's KeyUpdate message body: the peer's
  // next secret becomes our read key, and if the peer asked for it we answer
  // with our own KeyUpdate (RFC 8446 4.6.3). `peer` names the peer in traces.
  Result<void> on_key_update(crypto::Provider& provider, Channel& channel, ByteView body,
                             const char* peer);

  ByteView resumption_master_secret() const { return resumption_.view(); }
  // The current application traffic secrets (RFC 8446 7.2: _N after N
  // KeyUpdates): the base keys of a post-handshake authentication's Finished
  // (RFC 8446 4.4: client_application_traffic_secret_N).
  ByteView own_secret() const { return ours_.view(); }
  ByteView peer_secret() const { return peers_.view(); }

  // export_keying_material is the TLS 1.3 exporter (RFC 8446 7.5) over the
  // connection's exporter_master_secret (arguments checked by
  // check_exporter_request; no context and an empty one are the same);
  // traffic is null before the handshake completed (internal_error).
  static Result<SecretBytes> export_keying_material(const Traffic13* traffic,
                                                    crypto::Provider& provider,
                                                    std::string_view label,
                                                    std::optional<ByteView> context, size_t length);

 private:
  CipherSuiteInfo suite_;
  SecretBytes ours_;   // our application traffic secret (write)
  SecretBytes peers_;  // the peer's (read)
  SecretBytes resumption_;
  SecretBytes exporter_;
  // Channel::application_records_sent when our last KeyUpdate answered the
  // peer's request: a request while it is unchanged is answered by that one
  // (RFC 8446 4.6.3: requests received while silent get a single update). A
  // KeyUpdate of our own clears it (crossing requests are each answered).
  std::optional<uint64_t> replied_at_;
};

}  // namespace tessera::handshake
