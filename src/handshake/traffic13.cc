#include "handshake/traffic13.h"

#include <string>

#include "crypto/key_schedule.h"
#include "handshake/common.h"
#include "handshake/messages13.h"
#include "wire/post_handshake.h"

namespace tessera::handshake {

Result<SecretBytes> Traffic13::export_keying_material(const Traffic13* traffic,
                                                      crypto::Provider& provider,
                                                      std::string_view label,
                                                      std::optional<ByteView> context,
                                                      size_t length) {
  if (!traffic)
    return Error(ErrorCode::internal_error,
                 "keying material export before the handshake completed");
  const HashAlgorithm hash = traffic->suite_.hash;
  TESSERA_TRY(check_exporter_request(label, context, length, hash));
  return crypto::export_keying_material(provider, hash, traffic->exporter_.view(), label,
                                        context.value_or(ByteView()), length);
}

Result<void> Traffic13::send_key_update(crypto::Provider& provider, Channel& channel,
                                        bool request_peer) {
  TESSERA_ASSIGN_OR_RETURN(Bytes msg, build_key_update(request_peer));
  channel.send_handshake(msg);
  replied_at_.reset();  // on_key_update marks its replies
  // RFC 8446 7.2: application_traffic_secret_N+1 = HKDF-Expand-Label(
  //   application_traffic_secret_N, "traffic upd", "", Hash.length).
  TESSERA_ASSIGN_OR_RETURN(
      ours_, crypto::next_application_traffic_secret(provider, suite_.hash, ours_.view()));
  TESSERA_TRY(channel.set_write_secret_tls13(suite_, ours_.view()));
  if (channel.tracing())
    channel.trace(std::string("-> KeyUpdate: our traffic keys updated") +
                  (request_peer ? "; asked the peer to update too" : ""));
  return ok();
}

Result<void> Traffic13::on_key_update(crypto::Provider& provider, Channel& channel, ByteView body,
                                      const char* peer) {
  TESSERA_ASSIGN_OR_RETURN(auto ku, wire::KeyUpdate::parse(body));
  TESSERA_ASSIGN_OR_RETURN(
      peers_, crypto::next_application_traffic_secret(provider, suite_.hash, peers_.view()));
  TESSERA_TRY(channel.set_read_secret_tls13(suite_, peers_.view()));
  channel.event(Event::key_update_received);
  if (channel.tracing())
    channel.trace(std::string("<- KeyUpdate: the ") + peer + " updated its traffic keys");
  // RFC 8446 4.6.3: on update_requested, respond with our own KeyUpdate
  // (update_not_requested) before sending more application data; requests
  // that arrive while we have sent nothing since our last reply are answered
  // by it ("respond with a single update").
  if (ku.request_update != wire::KeyUpdateRequest::update_requested) return ok();
  if (replied_at_ && *replied_at_ == channel.application_records_sent()) {
    if (channel.tracing())
      channel.trace("   (answered by our reply to the last request: nothing sent since)");
    return ok();
  }
  TESSERA_TRY(send_key_update(provider, channel, false));
  replied_at_ = channel.application_records_sent();
  return ok();
}

}  // namespace tessera::handshake
