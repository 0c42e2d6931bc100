#include "crypto/transcript.h"

#include <string>

namespace tessera::crypto {

Result<void> Transcript::select_hash(Provider& provider, HashAlgorithm hash) {
  if (ctx_ != nullptr) {
    return Error(ErrorCode::internal_error, "transcript: the hash was already selected");
  }
  std::unique_ptr<HashContext> ctx = provider.hash(hash);
  if (ctx == nullptr) {
    return Error(ErrorCode::unsupported_algorithm,
                 "transcript: the provider has no " + std::string(hash_name(hash)));
  }
  empty_ = ctx->clone();
  ctx->update(kept_);
  ctx_ = std::move(ctx);
  hash_ = hash;
  if (!retain_) {
    secure_wipe(kept_.data(), kept_.size());
    kept_.clear();
    kept_.shrink_to_fit();
  }
  return ok();
}

void Transcript::add(ByteView message_with_header) {
  added_any_ = true;
  if (ctx_ != nullptr) ctx_->update(message_with_header);
  if (ctx_ == nullptr || retain_) {
    kept_.insert(kept_.end(), message_with_header.begin(), message_with_header.end());
  }
}

Result<Transcript> Transcript::fork() const {
  if (ctx_ == nullptr) {
    return Error(ErrorCode::internal_error, "transcript: fork before the hash was selected");
  }
  Transcript t;
  t.hash_ = hash_;
  t.ctx_ = ctx_->clone();
  t.empty_ = empty_->clone();
  t.retain_ = retain_;
  if (retain_) t.kept_ = kept_;
  t.added_any_ = added_any_;
  return t;
}

Result<Bytes> Transcript::current_hash() const { return current_hash_with({}); }

Result<Bytes> Transcript::current_hash_with(ByteView extra) const {
  if (ctx_ == nullptr) {
    return Error(ErrorCode::internal_error,
                 "transcript: hash requested before the cipher suite selected one");
  }
  std::unique_ptr<HashContext> snapshot = ctx_->clone();
  if (!extra.empty()) snapshot->update(extra);
  return snapshot->finish();
}

Result<void> Transcript::replace_with_message_hash() {
  if (ctx_ == nullptr) {
    return Error(ErrorCode::internal_error,
                 "transcript: HelloRetryRequest handling needs the hash to be selected first");
  }
  if (!added_any_) {
    return Error(ErrorCode::internal_error,
                 "transcript: HelloRetryRequest handling needs ClientHello1 in the transcript");
  }
  Bytes client_hello1_hash = ctx_->clone()->finish();
  ctx_ = empty_->clone();
  added_any_ = false;
  kept_.clear();
  return start_from_message_hash(client_hello1_hash);
}

Result<void> Transcript::start_from_message_hash(ByteView client_hello1_hash) {
  if (ctx_ == nullptr) {
    return Error(ErrorCode::internal_error,
                 "transcript: message_hash needs the hash to be selected first");
  }
  if (added_any_) {
    return Error(ErrorCode::internal_error,
                 "transcript: message_hash must be the first message of the transcript");
  }
  if (client_hello1_hash.size() != hash_length(hash_)) {
    return Error(
        ErrorCode::internal_error,
        "transcript: ClientHello1 hash has the wrong length for " + std::string(hash_name(hash_)));
  }
  // RFC 8446 4.4.1: Transcript-Hash(ClientHello1, HelloRetryRequest, ... Mn) =
  //   Hash(message_hash ||        /* Handshake type */
  //        00 00 Hash.length  ||  /* Handshake message length (bytes) */
  //        Hash(ClientHello1) ||  /* Hash of ClientHello1 */
  //        HelloRetryRequest  || ... || Mn)
  ByteWriter w(4 + client_hello1_hash.size());
  w.u8(kMessageHashType);
  w.prefixed<3>([&](ByteWriter& body) { body.bytes(client_hello1_hash); });
  add(w.view());
  return ok();
}

}  // namespace tessera::crypto
