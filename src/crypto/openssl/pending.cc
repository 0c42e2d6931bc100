// Temporary: operations not implemented yet report unsupported_algorithm.
#include "crypto/openssl/openssl_provider.h"

namespace tessera::crypto {

Result<std::unique_ptr<PublicKey>> OpenSslProvider::load_public_key(ByteView) {
  return Error(ErrorCode::unsupported_algorithm, "keys not implemented yet");
}
Result<std::unique_ptr<PrivateKey>> OpenSslProvider::load_private_key(ByteView) {
  return Error(ErrorCode::unsupported_algorithm, "keys not implemented yet");
}
Result<std::unique_ptr<PrivateKey>> OpenSslProvider::generate_private_key(const KeyGenParams&) {
  return Error(ErrorCode::unsupported_algorithm, "keys not implemented yet");
}
Result<Bytes> OpenSslProvider::rsa_encrypt_pkcs1(const PublicKey&, ByteView) {
  return Error(ErrorCode::unsupported_algorithm, "RSA not implemented yet");
}

}  // namespace tessera::crypto
