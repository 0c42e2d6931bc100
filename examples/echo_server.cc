// examples/echo_server.cc — a one-connection-at-a-time TLS echo server that
// requires client certificates (mTLS) and, given ALLOWED peers, lets in only
// the clients they name (authorization: tessera::allow_peers).
//
//   example_echo_server PORT CHAIN.pem KEY.pem CLIENT_CA.pem [ALLOWED...]
//
// ALLOWED: e.g. URI:spiffe://example.org/ns/prod/sa/api, DNS:batch.internal,
// CN:reporting, spki-sha256:BASE64. Other clients of the CA get the
// access_denied alert.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <tessera/config.h>
#include <tessera/connection.h>
#include <tessera/stream.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

static std::string slurp(const char* path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s PORT CHAIN.pem KEY.pem CLIENT_CA.pem [ALLOWED...]\n", argv[0]);
    return 2;
  }
  // The key file is read into memory that is wiped after use.
  auto cred = tessera::Credential::from_pem_files(argv[2], argv[3]);
  auto trust = tessera::load_trust_anchors(slurp(argv[4]));
  if (!cred.ok() || !trust.ok()) {
    std::fprintf(stderr, "%s\n", (!cred.ok() ? cred.error() : trust.error()).to_string().c_str());
    return 1;
  }
  auto config = std::make_shared<tessera::ServerConfig>();
  config->credentials = {std::make_shared<tessera::Credential>(std::move(*cred))};
  config->client_auth = tessera::ClientAuth::required;
  config->client_trust = *trust;
  if (argc > 5) {
    // The CA vouches for who a client is; this list says who may connect.
    auto check = tessera::allow_peers(std::vector<std::string>(argv + 5, argv + argc));
    if (!check.ok()) {
      std::fprintf(stderr, "%s\n", check.error().to_string().c_str());
      return 2;
    }
    config->peer_check = std::move(*check);
  }

  int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(std::stoi(argv[1])));
  if (::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(lfd, 16) != 0) {
    std::perror("listen");
    return 1;
  }
  for (;;) {
    int fd = ::accept(lfd, nullptr, nullptr);
    if (fd < 0) continue;
    auto conn = tessera::Connection::server(config);
    if (!conn.ok()) return 1;
    tessera::Stream stream(fd, std::move(*conn));
    if (auto r = stream.handshake(); !r.ok()) {
      std::fprintf(stderr, "handshake failed: %s\n", r.error().to_string().c_str());
      continue;
    }
    std::fprintf(stderr, "client %s connected\n",
                 stream.connection().summary().peer_subject.c_str());
    uint8_t buf[16384];
    for (;;) {
      auto n = stream.read(buf);
      if (!n.ok()) {  // a timeout, a reset, a close without close_notify, ...
        std::fprintf(stderr, "connection ended: %s\n", n.error().to_string().c_str());
        break;
      }
      if (*n == 0) break;  // close_notify
      if (auto w = stream.write_all({buf, *n}); !w.ok()) {
        std::fprintf(stderr, "connection ended: %s\n", w.error().to_string().c_str());
        break;
      }
    }
    (void)stream.shutdown();
  }
}
