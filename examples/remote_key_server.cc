// examples/remote_key_server.cc — a TLS echo server whose private key is not
// in the process: every handshake signature is asked of a "key service"
// (here a thread holding the key, standing in for a KMS or a remote HSM),
// and the connection, driven by hand (sans-I/O), keeps its event loop free
// while it waits. A sketch of the pattern, not a server: it serves one
// connection at a time, and gives up on a peer silent for 10 s.
//
//   example_remote_key_server PORT CHAIN.pem KEY.pem
//
// The pattern: a KeySigner that says asynchronous(); on
// Event::signature_requested, hand a copy of conn.signature_request() to
// whatever makes signatures, go on polling, and give the result back with
// conn.complete_signature() on the connection's thread. (EventServer does
// this for you with EventServerOptions::signing_threads.)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <poll.h>
#include <sys/socket.h>
#include <tessera/config.h>
#include <tessera/connection.h>
#include <tessera/signer.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

static std::string slurp(const char* path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// KeyService signs ECDSA P-256 / SHA-256 with a key it alone holds (through
// libcrypto here; in production, a call to the KMS).
class KeyService final : public tessera::KeySigner {
 public:
  explicit KeyService(const std::string& pem) {
    BIO* b = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    key_ = PEM_read_bio_PrivateKey(b, nullptr, nullptr, nullptr);
    BIO_free(b);
  }
  ~KeyService() override { EVP_PKEY_free(key_); }
  bool loaded() const { return key_ != nullptr; }

  std::vector<tessera::SignatureScheme> schemes() const override {
    return {tessera::SignatureScheme::ecdsa_secp256r1_sha256};
  }
  bool asynchronous() const override { return true; }  // never call me on the event loop
  tessera::Result<std::vector<uint8_t>> sign(tessera::SignatureScheme scheme,
                                             std::span<const uint8_t> message) const override {
    if (scheme != tessera::SignatureScheme::ecdsa_secp256r1_sha256)
      return tessera::Error(tessera::ErrorCode::unsupported_algorithm,
                            "the key service signs ecdsa_secp256r1_sha256 only");
    std::vector<uint8_t> sig(EVP_PKEY_get_size(key_));
    size_t n = sig.size();
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    bool ok = EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key_) == 1 &&
              EVP_DigestSign(ctx, sig.data(), &n, message.data(), message.size()) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok) return tessera::Error(tessera::ErrorCode::internal_error, "the key service failed");
    sig.resize(n);  // DER ECDSA-Sig-Value, as TLS carries it
    return sig;
  }

 private:
  EVP_PKEY* key_ = nullptr;
};

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s PORT CHAIN.pem KEY.pem\n", argv[0]);
    return 2;
  }
  std::string key_pem = slurp(argv[3]);
  auto service = std::make_shared<KeyService>(key_pem);
  OPENSSL_cleanse(key_pem.data(), key_pem.size());  // the service holds the key now
  if (!service->loaded()) {
    std::fprintf(stderr, "cannot read the key %s\n", argv[3]);
    return 1;
  }
  // The chain is public; the key stays with the service (one test signature
  // now checks that it is the certificate's).
  auto cred = tessera::Credential::from_signer(slurp(argv[2]), service);
  if (!cred.ok()) {
    std::fprintf(stderr, "%s\n", cred.error().to_string().c_str());
    return 1;
  }
  auto config = std::make_shared<tessera::ServerConfig>();
  config->credentials = {std::make_shared<tessera::Credential>(std::move(*cred))};

  int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(std::stoi(argv[1])));
  int done[2];  // the key service writes a byte here when a signature is ready
  if (::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(lfd, 16) != 0 ||
      ::pipe(done) != 0) {
    std::perror("listen");
    return 1;
  }

  for (;;) {
    int fd = ::accept(lfd, nullptr, nullptr);
    if (fd < 0) continue;
    auto made = tessera::Connection::server(config);
    if (!made.ok()) {
      std::fprintf(stderr, "%s\n", made.error().to_string().c_str());
      return 1;
    }
    auto conn = std::move(*made);
    std::mutex mu;
    std::optional<tessera::Result<std::vector<uint8_t>>> signature;  // from the service
    std::thread worker;
    bool open = true;
    while (open) {
      // Send what the connection has queued.
      for (auto out = conn->pending_tls(); !out.empty(); out = conn->pending_tls()) {
        ssize_t n = ::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
        if (n <= 0) break;
        conn->consume_tls(static_cast<size_t>(n));
      }
      if (conn->error() || conn->is_peer_closed()) break;
      // Wait for the peer or for the key service, whichever comes first.
      pollfd fds[2] = {{fd, POLLIN, 0}, {done[0], POLLIN, 0}};
      if (::poll(fds, 2, 10000) <= 0) break;
      if (fds[1].revents & POLLIN) {
        char c;
        if (::read(done[0], &c, 1) != 1) break;
        worker.join();
        std::lock_guard<std::mutex> lock(mu);
        if (!conn->complete_signature(std::move(*signature)).ok()) open = false;
        signature.reset();
      }
      if (fds[0].revents & (POLLIN | POLLHUP)) {
        uint8_t buf[16384];
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0 || !conn->receive_tls({buf, static_cast<size_t>(n)}).ok()) open = false;
      }
      while (auto e = conn->poll_event()) {
        if (*e == tessera::Event::signature_requested) {
          // A copy owns everything it needs: sign it elsewhere.
          worker = std::thread([&, request = *conn->signature_request()] {
            auto sig = request.sign();
            std::lock_guard<std::mutex> lock(mu);
            signature = std::move(sig);
            if (::write(done[1], "s", 1) != 1) std::perror("write");
          });
          std::fprintf(stderr, "handshake paused: the key service is signing (%s)\n",
                       tessera::signature_scheme_name(
                           static_cast<uint16_t>(conn->signature_request()->scheme))
                           .c_str());
        }
        if (*e == tessera::Event::handshake_done) std::fprintf(stderr, "handshake done\n");
      }
      // Echo the application data.
      if (auto in = conn->app_data(); !in.empty()) {
        if (!conn->write(in).ok()) open = false;
        conn->consume_app_data(in.size());
      }
    }
    if (worker.joinable()) {
      // The peer left while the service was signing: wait for it, and take
      // its wake-up byte so the next connection does not see it.
      worker.join();
      char c;
      if (::read(done[0], &c, 1) != 1) std::perror("read");
    }
    if (conn->error()) std::fprintf(stderr, "%s\n", conn->error()->to_string().c_str());
    conn->close();
    auto out = conn->pending_tls();
    (void)::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
    ::close(fd);
  }
}
