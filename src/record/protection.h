// record/protection.h — record protection: AEAD sealing and opening of
// records, one object per direction and per key.
//
// Two constructions:
//  * TLS 1.3 (RFC 8446 5.2-5.4): Tls13RecordProtection. The content type is
//    encrypted inside TLSInnerPlaintext = content || type || zeros; the outer
//    header says application_data / 0x0303; nonce = iv XOR padded sequence
//    number; AAD = the 5-byte record header.
//  * TLS 1.2 AEAD (RFC 5288 3 for AES-GCM, RFC 7905 2 for ChaCha20-Poly1305):
//    Tls12AeadRecordProtection. AAD = seq_num || type || version || length of
//    the plaintext. AES-GCM: nonce = 4-byte implicit salt || 8-byte explicit
//    nonce carried in the record (we send the sequence number there);
//    ChaCha20-Poly1305: nonce = 12-byte IV XOR padded sequence number, no
//    explicit nonce.
//
// Sequence numbers start at 0 and count each record sealed (or opened) by
// the object. RFC 8446 5.3: a sequence number never wraps; after record
// 2^64-1 the object refuses to work (sequence_exhausted) and the connection
// must rekey or close. A key change is a new object, whose sequence starts
// again at 0.
//
// seal appends to the caller's buffer (seal_into writes to a span the caller
// provides); open decrypts in place in the record's fragment, open_into from
// a read-only fragment into a buffer the caller provides. None allocates per
// record (apart from the caller's buffer growing).
#pragma once

#include <cstdint>
#include <memory>

#include "base/bytes.h"
#include "base/secret.h"
#include "crypto/provider.h"
#include "record/record.h"
#include "tessera/algorithms.h"
#include "tessera/result.h"

namespace tessera::record {

// The content of an opened record: its (inner) type and plaintext. The
// plaintext views the record's fragment, decrypted in place.
struct OpenedRecord {
  ContentType type = ContentType::invalid;
  ByteView plaintext;
};

class RecordProtection {
 public:
  virtual ~RecordProtection() = default;

  // seal protects `plaintext` (at most 2^14 bytes) as a record of `type` and
  // appends the complete record (header included) to `out`. padding_len
  // zero bytes are added inside the encryption (TLS 1.3 only; must be 0 for
  // TLS 1.2). `plaintext` must not point into `out` (out may reallocate).
  // internal_error for oversized input, sequence_exhausted when the sequence
  // number would wrap.
  // It is sealed_size() + seal_into() on the grown end of `out`.
  Result<void> seal(ContentType type, ByteView plaintext, size_t padding_len, Bytes& out);

  // sealed_size is the length of the whole record (header included) that
  // sealing `plaintext_len` bytes with `padding_len` bytes of padding writes.
  virtual size_t sealed_size(size_t plaintext_len, size_t padding_len) const = 0;

  // seal_into is seal() writing the record to the start of `out`
  // (out.size() >= sealed_size(), else internal_error) and returning its
  // length: the record is built once, where it will be sent, with the
  // plaintext encrypted from where it is. `plaintext` must not overlap
  // `out`. Nothing is written on error.
  virtual Result<size_t> seal_into(ContentType type, ByteView plaintext, size_t padding_len,
                                   MutableByteView out) = 0;

  // open checks and decrypts `record` in place and returns its content type
  // and plaintext (a view into record.fragment). Errors:
  //  bad_record_mac    the record does not authenticate (including records
  //                    too short to hold a tag);
  //  record_overflow   ciphertext or plaintext longer than allowed;
  //  unexpected_message an outer/inner type that cannot be protected, an
  //                    all-zero TLS 1.3 inner plaintext, or an empty
  //                    handshake/alert record;
  //  sequence_exhausted the sequence number would wrap.
  // After an error the record's fragment content is unspecified.
  virtual Result<OpenedRecord> open(const Record& record) = 0;

  // open_into is open() for a record that stays where it is (a read-only
  // fragment, typically in the caller's input): the ciphertext is decrypted
  // from there straight into `out`, which must hold at least
  // record.fragment.size() bytes and must not overlap the fragment (else
  // internal_error), and the returned plaintext views `out`. Same checks and
  // errors as open(). After an error the content of `out` is unspecified,
  // but holds no plaintext of a record that failed authentication (the AEAD
  // wipes it).
  virtual Result<OpenedRecord> open_into(const RecordView& record, MutableByteView out) = 0;

  // sequence_number is the number the next record will use. A record that
  // fails authentication in open() does not use up a number, so a server
  // skipping rejected 0-RTT data (RFC 8446 4.2.10) can keep trying records
  // with its handshake key.
  uint64_t sequence_number() const { return seq_; }

  // set_sequence_number_for_testing jumps the counter (to test exhaustion).
  void set_sequence_number_for_testing(uint64_t seq) {
    seq_ = seq;
    exhausted_ = false;
  }

 protected:
  // restart_sequence starts a new key's numbering at 0.
  void restart_sequence() {
    seq_ = 0;
    exhausted_ = false;
  }
  // next_sequence_number returns the number for the next record without
  // advancing, or sequence_exhausted if 2^64-1 was already used.
  Result<uint64_t> next_sequence_number() const;
  // advance_sequence_number marks the number returned by
  // next_sequence_number() as used.
  void advance_sequence_number();
  // take_sequence_number is next_sequence_number() + advance_sequence_number().
  Result<uint64_t> take_sequence_number();

 private:
  uint64_t seq_ = 0;
  bool exhausted_ = false;
};

// RFC 8446 5.2-5.4.
class Tls13RecordProtection final : public RecordProtection {
 public:
  // Takes a keyed AEAD (crypto::Provider::aead) and the 12-byte write IV.
  // internal_error if the IV has the wrong length.
  static Result<std::unique_ptr<Tls13RecordProtection>> create(std::unique_ptr<crypto::Aead> aead,
                                                               ByteView iv);
  // create keys an AEAD from the provider first.
  static Result<std::unique_ptr<Tls13RecordProtection>> create(crypto::Provider& provider,
                                                               AeadAlgorithm alg, ByteView key,
                                                               ByteView iv);

  size_t sealed_size(size_t plaintext_len, size_t padding_len) const override;
  Result<size_t> seal_into(ContentType type, ByteView plaintext, size_t padding_len,
                           MutableByteView out) override;
  Result<OpenedRecord> open(const Record& record) override;
  Result<OpenedRecord> open_into(const RecordView& record, MutableByteView out) override;

  // RFC 8446 5.5: "For AES-GCM, up to 2^24.5 full-size records (about 24
  // million) may be encrypted on a given connection while keeping a safety
  // margin of approximately 2^-57 for Authenticated Encryption (AE)
  // security." For ChaCha20-Poly1305 the sequence number wraps first. The
  // engine sends a KeyUpdate when a sending key reaches it.
  static constexpr uint64_t kAesGcmRecordLimit = 23726566;  // floor(2^24.5)

  // rekey moves to the next traffic keys (RFC 8446 7.3: a new key and IV per
  // epoch and per KeyUpdate) in this object: the AEAD is re-keyed in place
  // and the sequence number starts again at 0 (RFC 8446 5.3). false when the
  // AEAD cannot be re-keyed or the sizes are wrong: the caller then creates a
  // new protection and must not use this one again.
  bool rekey(ByteView key, ByteView iv);
  AeadAlgorithm aead_algorithm() const { return aead_->algorithm(); }

 private:
  Tls13RecordProtection(std::unique_ptr<crypto::Aead> aead, ByteView iv);
  // open_to is open and open_into: the inner plaintext is written at `out`
  // (record.fragment.data() itself when in place).
  Result<OpenedRecord> open_to(const RecordView& record, uint8_t* out);
  std::unique_ptr<crypto::Aead> aead_;
  SecretBytes iv_;
};

// RFC 5288 3 (AES-GCM) and RFC 7905 2 (ChaCha20-Poly1305) for TLS 1.2.
class Tls12AeadRecordProtection final : public RecordProtection {
 public:
  // Takes a keyed AEAD and the write IV from the key block: 4 bytes
  // (implicit salt) for AES-GCM, 12 bytes for ChaCha20-Poly1305.
  // internal_error if the IV length does not fit the algorithm.
  static Result<std::unique_ptr<Tls12AeadRecordProtection>> create(
      std::unique_ptr<crypto::Aead> aead, ByteView iv);
  static Result<std::unique_ptr<Tls12AeadRecordProtection>> create(crypto::Provider& provider,
                                                                   AeadAlgorithm alg, ByteView key,
                                                                   ByteView iv);

  size_t sealed_size(size_t plaintext_len, size_t padding_len) const override;
  Result<size_t> seal_into(ContentType type, ByteView plaintext, size_t padding_len,
                           MutableByteView out) override;
  Result<OpenedRecord> open(const Record& record) override;
  Result<OpenedRecord> open_into(const RecordView& record, MutableByteView out) override;

  // explicit_nonce_size is 8 for AES-GCM, 0 for ChaCha20-Poly1305.
  size_t explicit_nonce_size() const { return explicit_nonce_; }

 private:
  Tls12AeadRecordProtection(std::unique_ptr<crypto::Aead> aead, ByteView iv);
  void make_nonce(uint64_t seq, ByteView explicit_nonce, uint8_t* nonce) const;
  // open_to is open and open_into: the plaintext is written at `out` (just
  // after the explicit nonce in the fragment when in place).
  Result<OpenedRecord> open_to(const RecordView& record, uint8_t* out);
  std::unique_ptr<crypto::Aead> aead_;
  SecretBytes iv_;
  size_t explicit_nonce_;
};

namespace detail {
// The TLS 1.3 content-type scan (RFC 8446 5.4, constant time; protection.cc)
// in a chosen form, for tests: the portable form, or the AVX2 form that
// open() uses when content_scan_avx2_supported(). found is false when
// `inner` is all zeros; pos is the index of its last non-zero byte.
struct ContentScanForTesting {
  bool found = false;
  size_t pos = 0;
};
bool content_scan_avx2_supported();
ContentScanForTesting content_scan_for_testing(ByteView inner, bool avx2);
}  // namespace detail

}  // namespace tessera::record
