// examples/https_get.cc — fetch a page over TLS with the blocking Stream.
//
//   example_https_get HOST PORT [CA.pem]
//
// Verifies the server against CA.pem (or the system trust store) and the host
// name, sends "GET / HTTP/1.0" and prints the response.
#include <tessera/config.h>
#include <tessera/connection.h>
#include <tessera/stream.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s HOST PORT [CA.pem]\n", argv[0]);
    return 2;
  }
  std::string host = argv[1];
  auto port = static_cast<uint16_t>(std::stoi(argv[2]));

  auto config = std::make_shared<tessera::ClientConfig>();  // default policy
  if (argc > 3) {
    std::ifstream f(argv[3]);
    std::stringstream pem;
    pem << f.rdbuf();
    auto trust = tessera::load_trust_anchors(pem.str());
    if (!trust.ok()) {
      std::fprintf(stderr, "CA file: %s\n", trust.error().to_string().c_str());
      return 1;
    }
    config->trust = *trust;
  }  // else: the system trust store

  auto conn = tessera::Connection::client(config, {host, {}});
  if (!conn.ok()) {
    std::fprintf(stderr, "config: %s\n", conn.error().to_string().c_str());
    return 1;
  }
  auto fd = tessera::Stream::connect_tcp(host, port, std::chrono::seconds(5));
  if (!fd.ok()) {
    std::fprintf(stderr, "%s\n", fd.error().to_string().c_str());
    return 1;
  }
  tessera::Stream stream(*fd, std::move(*conn));
  if (auto r = stream.handshake(); !r.ok()) {
    std::fprintf(stderr, "handshake: %s\n", r.error().to_string().c_str());
    return 1;
  }
  std::string req = "GET / HTTP/1.0\r\nHost: " + host + "\r\n\r\n";
  if (auto r = stream.write_all({reinterpret_cast<const uint8_t*>(req.data()), req.size()});
      !r.ok()) {
    std::fprintf(stderr, "write: %s\n", r.error().to_string().c_str());
    return 1;
  }
  uint8_t buf[4096];
  for (;;) {
    auto n = stream.read(buf);
    if (!n.ok()) {
      // truncated_connection is a close without close_notify: an HTTP/1.0
      // body ends at the close, so what came may be cut short by anyone on
      // the path. Like every other read error, it fails the fetch.
      std::fprintf(stderr, "read: %s\n", n.error().to_string().c_str());
      return 1;
    }
    if (*n == 0) break;  // close_notify: the response is complete
    std::fwrite(buf, 1, *n, stdout);
  }
  (void)stream.shutdown();
  return 0;
}
