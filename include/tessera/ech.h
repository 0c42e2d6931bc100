// tessera/ech.h — Encrypted Client Hello keys (draft-ietf-tls-esni-25).
//
// With ECH a client encrypts its real ClientHello (the server name it wants,
// its ALPN list, its ticket, ...) to a public key the server published, and
// sends it inside an outer ClientHello that names only the server's public
// name. An observer of the connection learns the public name, not the
// origin.
//
// A server holds one or more EchKey objects (ServerConfig::ech_keys): each
// is an ECHConfig, the structure clients are given, and the HPKE private key
// (RFC 9180) that opens ClientHellos sealed to it. Clients are given the
// ECHConfigList of the keys (ech_config_list(); in DNS, the "ech" parameter
// of the HTTPS record) and set it in ClientOptions::ech_config_list.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/result.h"

namespace tessera {

namespace crypto {
class Provider;
}

// What a new EchKey is made with.
struct EchKeyParams {
  // The name observers see in the outer ClientHello (ECHConfig public_name),
  // for which the server must also hold a certificate: a client whose ECH
  // the server cannot open authenticates the server under this name before
  // it retries (draft-ietf-tls-esni 6.1.7). A DNS name, not an IP address.
  std::string public_name;
  // ECHConfig config_id: how a server tells its keys apart (a client names
  // the one it used). Distinct for each key a server holds at once.
  uint8_t config_id = 0;
  // ECHConfig maximum_name_length: the longest server name behind this key;
  // clients pad their encrypted ClientHello to it (6.1.3), so that names of
  // different lengths look alike. 0: the client pads by its own rule only.
  uint8_t maximum_name_length = 0;
};

// EchKey: an ECHConfig (version 0xfe0d) with its private key. The key is an
// X25519 key (DHKEM(X25519, HKDF-SHA256)); the config offers HKDF-SHA256
// with AES-128-GCM and with ChaCha20-Poly1305. The private key is wiped when
// the object is destroyed. Share it as std::shared_ptr<const EchKey>.
class EchKey {
 public:
  EchKey(const EchKey&) = delete;
  EchKey& operator=(const EchKey&) = delete;
  EchKey(EchKey&&) noexcept;
  EchKey& operator=(EchKey&&) noexcept;
  ~EchKey();

  // generate makes a new key pair and its ECHConfig. config_invalid if the
  // public name is not a valid DNS name (6.1.7: a dot-separated sequence of
  // LDH labels of at most 63 bytes, whose last label does not look like an
  // IPv4 address). provider null: the default provider.
  static Result<EchKey> generate(const EchKeyParams& params,
                                 std::shared_ptr<crypto::Provider> provider = nullptr);
  // from_pem reads what to_pem writes: a PKCS#8 "PRIVATE KEY" block (an
  // X25519 key) followed by an "ECHCONFIG" block holding an ECHConfigList
  // with one ECHConfig for that key (the PEM file format of OpenSSL's ECH
  // support). The config must carry the key's public half.
  static Result<EchKey> from_pem(std::string_view pem,
                                 std::shared_ptr<crypto::Provider> provider = nullptr);
  std::string to_pem() const;

  // The serialized ECHConfig (version, length and contents), and the
  // ECHConfigList holding only it (what a client of this key is given).
  const std::vector<uint8_t>& config() const { return config_; }
  std::vector<uint8_t> config_list() const;
  uint8_t config_id() const { return config_id_; }
  const std::string& public_name() const { return public_name_; }
  // The 32-byte X25519 private key (secret).
  const std::vector<uint8_t>& private_key() const { return private_key_; }

 private:
  EchKey() = default;
  std::vector<uint8_t> config_;
  std::vector<uint8_t> private_key_;
  std::string public_name_;
  uint8_t config_id_ = 0;
};

// ech_config_list concatenates the keys' configs into one ECHConfigList, in
// the order given (the client's order of preference).
std::vector<uint8_t> ech_config_list(const std::vector<std::shared_ptr<const EchKey>>& keys);

// What became of Encrypted Client Hello in a handshake.
enum class EchStatus : uint8_t {
  not_offered,  // the client offered no ECH
  accepted,     // the server opened the inner ClientHello and used it
  rejected,     // client: the server used the outer ClientHello (ErrorCode::ech_required);
                // server: the client offered ECH, and no key of ours opened it
  grease,       // client: no ECHConfig, so a GREASE extension was sent in its place
                // (ClientConfig::ech_grease): nothing was encrypted
};

}  // namespace tessera
