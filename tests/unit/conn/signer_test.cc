// Credentials whose private key tessera does not hold (tessera/signer.h):
// a KeySigner standing in for an HSM, signing for servers and for clients
// in mutual TLS, checked at load, checked on every signature, and kept out of
// TLS 1.2 RSA key transport.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <string_view>

#include "pair.h"
#include "tessera/signer.h"
#include "test_signer.h"

namespace tessera::testing {
namespace {

constexpr SignatureScheme kP256 = SignatureScheme::ecdsa_secp256r1_sha256;

TEST(KeySigner, ServerSignsThroughItInTls13AndTls12) {
  auto signer = std::make_shared<TestSigner>("server-ec.key", std::vector{kP256});
  auto sc = server_config();
  sc->credentials = {signer_credential("server-ec", signer)};
  ASSERT_EQ(signer->calls, 1);  // the test signature of from_signer
  for (ProtocolVersion v : {ProtocolVersion::tls13, ProtocolVersion::tls12}) {
    const int before = signer->calls;
    Pair p = make_tls_pair(versioned_client_config(v, ""), sc);
    ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
    EXPECT_EQ(p.client->summary().version, v);
    EXPECT_EQ(p.client->summary().peer_subject, "CN=localhost");
    // One signature per handshake: CertificateVerify, or ServerKeyExchange.
    EXPECT_EQ(signer->calls, before + 1);
    EXPECT_EQ(signer->last_scheme.load(), kP256);
    transfer(p, true, 1000);
  }
}

TEST(KeySigner, RsaKeySignsButIsNeverUsedForRsaKeyTransport) {
  auto signer = std::make_shared<TestSigner>(
      "server-rsa.key",
      std::vector{SignatureScheme::rsa_pss_rsae_sha256, SignatureScheme::rsa_pkcs1_sha256});
  auto sc = server_config("server-rsa");
  sc->credentials = {signer_credential("server-rsa", signer)};
  Pair p13 = make_tls_pair(versioned_client_config(ProtocolVersion::tls13, ""), sc);
  ASSERT_TRUE(p13.handshake()) << err(*p13.client) << " / " << err(*p13.server);
  EXPECT_EQ(signer->last_scheme.load(), SignatureScheme::rsa_pss_rsae_sha256);
  // A TLS 1.2 client that offers only RSA key transport: a key held as a
  // file would serve it (the control); a signer's cannot decrypt.
  auto cc = versioned_client_config(ProtocolVersion::tls12, "");
  cc->policy.cipher_suites = {CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256};
  auto file_sc = server_config("server-rsa");
  file_sc->policy.cipher_suites.push_back(CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256);
  sc->policy.cipher_suites = file_sc->policy.cipher_suites;
  Pair control = make_tls_pair(cc, file_sc);
  ASSERT_TRUE(control.handshake()) << err(*control.client) << " / " << err(*control.server);
  Pair p = make_tls_pair(cc, sc);
  EXPECT_FALSE(p.handshake());
  ASSERT_TRUE(p.server->error());
  EXPECT_EQ(p.server->error()->alert(), AlertDescription::handshake_failure) << err(*p.server);
  // With ECDHE offered too, the signer's credential signs the key exchange.
  cc->policy.cipher_suites.push_back(CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
  const int before = signer->calls;
  Pair ecdhe = make_tls_pair(cc, sc);
  ASSERT_TRUE(ecdhe.handshake()) << err(*ecdhe.client) << " / " << err(*ecdhe.server);
  EXPECT_EQ(ecdhe.client->summary().cipher_suite,
            static_cast<uint16_t>(CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256));
  EXPECT_EQ(signer->calls, before + 1);
}

TEST(KeySigner, ClientCertificateInMutualTls) {
  auto signer = std::make_shared<TestSigner>("client-ec.key", std::vector{kP256});
  for (ProtocolVersion v : {ProtocolVersion::tls13, ProtocolVersion::tls12}) {
    auto cc = versioned_client_config(v, "");
    cc->credential = signer_credential("client-ec", signer);
    const int before = signer->calls;
    Pair p = make_tls_pair(cc, mtls_server_config());
    ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
    EXPECT_TRUE(p.server->summary().client_authenticated);
    EXPECT_EQ(signer->calls, before + 1);
  }
}

TEST(KeySigner, LoadRefusesAnotherKeyOrNoUsableScheme) {
  // The signer holds the client's key, not the server certificate's.
  auto c = Credential::from_signer(
      read_pki("server-ec.pem"), std::make_shared<TestSigner>("client-ec.key", std::vector{kP256}));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), ErrorCode::config_invalid);
  EXPECT_NE(c.error().message().find("does not match the certificate CN=localhost"),
            std::string::npos)
      << c.error().to_string();
  // Only schemes a P-256 key cannot make.
  c = Credential::from_signer(
      read_pki("server-ec.pem"),
      std::make_shared<TestSigner>("server-ec.key",
                                   std::vector{SignatureScheme::rsa_pss_rsae_sha256,
                                               SignatureScheme::ecdsa_secp384r1_sha384}));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), ErrorCode::config_invalid);
  EXPECT_NE(c.error().message().find("rsa_pss_rsae_sha256, ecdsa_secp384r1_sha384"),
            std::string::npos)
      << c.error().to_string();
  // A signer that fails its test signature; none at all; no certificate.
  auto failing = std::make_shared<TestSigner>("server-ec.key", std::vector{kP256});
  failing->fault = TestSigner::Fault::error;
  c = Credential::from_signer(read_pki("server-ec.pem"), failing);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().to_string().find("HSM unreachable"), std::string::npos)
      << c.error().to_string();
  EXPECT_FALSE(Credential::from_signer(read_pki("server-ec.pem"), nullptr).ok());
  EXPECT_FALSE(
      Credential::from_signer("", std::make_shared<TestSigner>("server-ec.key", std::vector{kP256}))
          .ok());
  // The key is not exportable.
  auto ok = signer_credential("server-ec",
                              std::make_shared<TestSigner>("server-ec.key", std::vector{kP256}));
  ASSERT_TRUE(ok);
  EXPECT_FALSE(ok->key->to_pkcs8_pem().ok());
}

TEST(KeySigner, FailingOrCorruptSignatureFailsTheHandshakeUnsent) {
  for (auto fault : {TestSigner::Fault::error, TestSigner::Fault::corrupt}) {
    auto signer = std::make_shared<TestSigner>("server-ec.key", std::vector{kP256});
    auto sc = server_config();
    sc->credentials = {signer_credential("server-ec", signer)};
    signer->fault = fault;
    Pair p = make_tls_pair(client_config(), sc);
    EXPECT_FALSE(p.handshake());
    ASSERT_TRUE(p.server->error());
    EXPECT_EQ(p.server->error()->code(), ErrorCode::internal_error);
    EXPECT_NE(err(*p.server).find(fault == TestSigner::Fault::error
                                      ? "the key signer failed to sign"
                                      : "does not verify with the certificate's key"),
              std::string::npos)
        << err(*p.server);
    // The client got internal_error, not a signature to reject.
    ASSERT_TRUE(p.client->error());
    EXPECT_EQ(p.client->error()->code(), ErrorCode::peer_alert) << err(*p.client);
    EXPECT_NE(err(*p.client).find("internal_error"), std::string::npos) << err(*p.client);
  }
}

// --- asynchronous signers (KeySigner::asynchronous) ---

std::string text_of(std::span<const uint8_t> b) { return std::string(b.begin(), b.end()); }

// async_server_config: the server's key behind `signer`, made asynchronous
// once the credential is loaded.
std::shared_ptr<ServerConfig> async_server_config(const std::shared_ptr<TestSigner>& signer) {
  auto sc = server_config();
  sc->credentials = {signer_credential("server-ec", signer)};
  signer->async = true;
  return sc;
}

// sign_elsewhere signs a copy of the request on another thread, as an
// application with a slow signer would.
Result<std::vector<uint8_t>> sign_elsewhere(const SignatureRequest& request) {
  return std::async(std::launch::async, [copy = request] { return copy.sign(); }).get();
}

TEST(AsyncSigner, ServerHandshakePausesForTheSignatureInTls13AndTls12) {
  auto signer = std::make_shared<TestSigner>("server-ec.key", std::vector{kP256});
  auto sc = async_server_config(signer);
  for (ProtocolVersion v : {ProtocolVersion::tls13, ProtocolVersion::tls12}) {
    SCOPED_TRACE(v == ProtocolVersion::tls13 ? "TLS 1.3" : "TLS 1.2");
    const int before = signer->calls;
    Pair p = make_tls_pair(versioned_client_config(v, ""), sc);
    ASSERT_TRUE(p.pump()) << err(*p.client) << " / " << err(*p.server);
    // The server stopped at its signature: it asked, and did not sign itself.
    const SignatureRequest* req = p.server->signature_request();
    ASSERT_NE(req, nullptr);
    EXPECT_TRUE(has_event(drain_events(*p.server), Event::signature_requested));
    EXPECT_EQ(signer->calls, before);
    EXPECT_EQ(req->signer.get(), signer.get());
    EXPECT_EQ(req->scheme, kP256);
    if (v == ProtocolVersion::tls13) {
      // RFC 8446 4.4.3: 64 spaces, the context string, 0, the transcript hash.
      const std::string prefix = std::string(64, ' ') + "TLS 1.3, server CertificateVerify";
      ASSERT_EQ(req->message.size(), prefix.size() + 1 + 32);  // SHA-256 suite
      EXPECT_EQ(text_of(std::span(req->message).first(prefix.size())), prefix);
    } else {
      // RFC 8422 5.4: both randoms, then the ECDHE parameters.
      EXPECT_GT(req->message.size(), 64u + 4u);
    }
    EXPECT_FALSE(p.server->is_handshake_done());
    EXPECT_FALSE(p.client->is_handshake_done());
    // Nothing moves while it waits.
    ASSERT_TRUE(p.pump());
    EXPECT_FALSE(p.client->is_handshake_done());
    ASSERT_NE(p.server->signature_request(), nullptr);

    auto sig = sign_elsewhere(*p.server->signature_request());
    EXPECT_EQ(signer->calls, before + 1);
    ASSERT_TRUE(p.server->complete_signature(std::move(sig)).ok()) << err(*p.server);
    EXPECT_EQ(p.server->signature_request(), nullptr);
    ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
    EXPECT_EQ(p.client->summary().version, v);
    EXPECT_EQ(p.client->summary().signature_scheme, static_cast<uint16_t>(kP256));
    transfer(p, true, 5000);
    transfer(p, false, 5000);
    EXPECT_EQ(signer->calls, before + 1);
  }
}

// After a HelloRetryRequest the pause comes in the answer to the second
// ClientHello.
TEST(AsyncSigner, ServerPausesAfterAHelloRetryRequest) {
  auto signer = std::make_shared<TestSigner>("server-ec.key", std::vector{kP256});
  auto sc = async_server_config(signer);
  sc->policy.groups = {NamedGroup::x25519, NamedGroup::secp256r1};
  auto cc = client_config();
  cc->policy.key_share_groups = {NamedGroup::secp384r1};
  Pair p = make_tls_pair(cc, sc);
  ASSERT_TRUE(p.pump()) << err(*p.client) << " / " << err(*p.server);
  const SignatureRequest* req = p.server->signature_request();
  ASSERT_NE(req, nullptr);
  EXPECT_TRUE(p.server->summary().hello_retry);
  ASSERT_TRUE(p.server->complete_signature(sign_elsewhere(*req)).ok()) << err(*p.server);
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_TRUE(p.client->summary().hello_retry);
  transfer(p, true, 3000);
}

TEST(AsyncSigner, ClientCertificateVerifyPausesInTls13AndTls12) {
  auto signer = std::make_shared<TestSigner>("client-ec.key", std::vector{kP256});
  auto cred = signer_credential("client-ec", signer);
  signer->async = true;
  for (ProtocolVersion v : {ProtocolVersion::tls13, ProtocolVersion::tls12}) {
    SCOPED_TRACE(v == ProtocolVersion::tls13 ? "TLS 1.3" : "TLS 1.2");
    auto cc = versioned_client_config(v, "");
    cc->credential = cred;
    Pair p = make_tls_pair(cc, mtls_server_config());
    ASSERT_TRUE(p.pump()) << err(*p.client) << " / " << err(*p.server);
    const SignatureRequest* req = p.client->signature_request();
    ASSERT_NE(req, nullptr);
    EXPECT_TRUE(has_event(drain_events(*p.client), Event::signature_requested));
    if (v == ProtocolVersion::tls13) {
      EXPECT_NE(text_of(req->message).find("TLS 1.3, client CertificateVerify"), std::string::npos);
    }
    EXPECT_FALSE(p.client->is_handshake_done());
    EXPECT_FALSE(p.server->is_handshake_done());
    // write() before the handshake completed is still refused.
    EXPECT_FALSE(p.client->write(pattern(10, 1)).ok());
    EXPECT_EQ(p.client->error(), nullptr);
    ASSERT_TRUE(p.client->complete_signature(sign_elsewhere(*req)).ok()) << err(*p.client);
    ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
    EXPECT_TRUE(p.server->summary().client_authenticated);
    EXPECT_EQ(p.server->summary().peer_subject, "CN=tessera test client");
    EXPECT_EQ(p.client->summary().client_signature_scheme, static_cast<uint16_t>(kP256));
    transfer(p, true, 1000);
  }
}

// A client whose key signs asynchronously answers a post-handshake
// CertificateRequest (RFC 8446 4.6.2): what the server sends meanwhile waits
// unprocessed, and what the application writes meanwhile follows the
// client's Finished (application data inside the answer is
// unexpected_message at the server).
struct PostHandshakeAsync {
  std::shared_ptr<TestSigner> signer =
      std::make_shared<TestSigner>("client-ec.key", std::vector{kP256});
  Pair p;
  PostHandshakeAsync() {
    auto cc = client_config();
    cc->policy.cipher_suites = {CipherSuite::TLS_AES_128_GCM_SHA256};
    cc->credential = signer_credential("client-ec", signer);
    cc->post_handshake_auth = true;
    signer->async = true;
    auto sc = server_config();
    sc->client_trust = trust();
    sc->tickets = 0;
    p = make_tls_pair(cc, sc);
  }
  // ask has the server request the certificate and send `data` after the
  // request, and hands both to the client in one piece.
  void ask(size_t data) {
    ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
    ASSERT_TRUE(p.server->request_client_certificate().ok());
    std::vector<uint8_t> payload(data);
    for (size_t i = 0; i < data; ++i) payload[i] = static_cast<uint8_t>('a' + i % 26);
    ASSERT_TRUE(p.server->write(payload).ok());
    (void)p.client->receive_tls(take_out(*p.server));
  }
};

TEST(AsyncSigner, PostHandshakeAnswerWaitsAndKeepsWhatArrivesAndWhatIsWritten) {
  PostHandshakeAsync t;
  t.ask(100);
  Pair& p = t.p;
  ASSERT_EQ(p.client->error(), nullptr) << err(*p.client);
  const SignatureRequest* req = p.client->signature_request();
  ASSERT_NE(req, nullptr);
  // The server's data behind its request is kept, not processed.
  EXPECT_TRUE(p.client->app_data().empty());
  // Written now, sent after the answer.
  const std::string early = "written while the signer works";
  ASSERT_TRUE(p.client->write(as_bytes_view(early)).ok());
  // A KeyUpdate now would land inside the answer: refused, harmlessly.
  auto ku = p.client->key_update(false);
  ASSERT_FALSE(ku.ok());
  EXPECT_EQ(ku.error().code(), ErrorCode::internal_error);
  EXPECT_EQ(p.client->error(), nullptr);
  // The Certificate went out before the pause; the server waits for the rest.
  ASSERT_TRUE(p.pump()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_EQ(p.server->client_certificate_request(), ClientCertificateRequest::pending);

  ASSERT_TRUE(p.client->complete_signature(sign_elsewhere(*req)).ok()) << err(*p.client);
  const std::string sent = read_all(*p.client);
  ASSERT_EQ(sent.size(), 100u);
  EXPECT_EQ(sent.substr(0, 27), "abcdefghijklmnopqrstuvwxyza");
  EXPECT_TRUE(has_event(drain_events(*p.client), Event::certificate_requested));
  ASSERT_TRUE(p.pump()) << err(*p.client) << " / " << err(*p.server);
  EXPECT_EQ(p.server->client_certificate_request(), ClientCertificateRequest::received);
  EXPECT_EQ(p.server->summary().peer_subject, "CN=tessera test client");
  EXPECT_EQ(read_all(*p.server), early);
  transfer(p, true, 20000);
  transfer(p, false, 20000);
}

// After close() nothing the handshake answers is sent, so a
// CertificateRequest arriving then asks for no signature, and the peer's
// close_notify behind it is still read.
TEST(AsyncSigner, NoSignatureIsAskedForAfterClose) {
  PostHandshakeAsync t;
  Pair& p = t.p;
  ASSERT_TRUE(p.handshake()) << err(*p.client) << " / " << err(*p.server);
  ASSERT_TRUE(p.server->request_client_certificate().ok());
  p.client->close();
  p.server->close();
  ASSERT_TRUE(p.client->receive_tls(take_out(*p.server)).ok()) << err(*p.client);
  EXPECT_EQ(p.client->signature_request(), nullptr);
  EXPECT_FALSE(has_event(drain_events(*p.client), Event::signature_requested));
  EXPECT_TRUE(p.client->is_peer_closed());
  EXPECT_EQ(t.signer->calls, 1);  // from_signer's test signature only
}

TEST(AsyncSigner, TooMuchInputWhileWaitingFailsTheConnection) {
  PostHandshakeAsync t;
  t.ask(300 * 1024);
  Pair& p = t.p;
  ASSERT_TRUE(p.client->error());
  EXPECT_EQ(p.client->error()->code(), ErrorCode::too_many_messages) << err(*p.client);
  EXPECT_NE(err(*p.client).find("waited for the key signer"), std::string::npos) << err(*p.client);
}

TEST(AsyncSigner, SignerErrorOrBadSignatureFailsWithInternalError) {
  auto signer = std::make_shared<TestSigner>("server-ec.key", std::vector{kP256});
  auto sc = async_server_config(signer);
  for (bool corrupt : {false, true}) {
    Pair p = make_tls_pair(client_config(), sc);
    ASSERT_TRUE(p.pump());
    const SignatureRequest* req = p.server->signature_request();
    ASSERT_NE(req, nullptr);
    Result<std::vector<uint8_t>> answer = Error(ErrorCode::io_error, "KMS request timed out");
    if (corrupt) {
      answer = req->sign();
      ASSERT_TRUE(answer.ok());
      (*answer)[answer->size() / 2] ^= 0x01;
    }
    auto r = p.server->complete_signature(std::move(answer));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::internal_error);
    EXPECT_NE(r.error().to_string().find(corrupt ? "does not verify with the certificate's key"
                                                 : "KMS request timed out"),
              std::string::npos)
        << r.error().to_string();
    ASSERT_TRUE(p.server->error());
    EXPECT_FALSE(p.pump());
    ASSERT_TRUE(p.client->error());
    EXPECT_EQ(p.client->error()->code(), ErrorCode::peer_alert) << err(*p.client);
    EXPECT_NE(err(*p.client).find("internal_error"), std::string::npos) << err(*p.client);
  }
}

TEST(AsyncSigner, CompleteWithoutARequestAndCloseWhileWaiting) {
  auto signer = std::make_shared<TestSigner>("server-ec.key", std::vector{kP256});
  auto sc = async_server_config(signer);
  Pair p = make_tls_pair(client_config(), sc);
  // Nothing was asked yet: refused, and the connection is unaffected.
  auto early = p.server->complete_signature(std::vector<uint8_t>{1, 2, 3});
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code(), ErrorCode::internal_error);
  EXPECT_EQ(p.server->error(), nullptr);
  ASSERT_TRUE(p.pump());
  ASSERT_NE(p.server->signature_request(), nullptr);
  // close() drops the request; a late answer is refused.
  (void)take_out(*p.server);
  p.server->close();
  EXPECT_EQ(p.server->signature_request(), nullptr);
  auto late = p.server->complete_signature(signer->sign(kP256, std::vector<uint8_t>{1}));
  ASSERT_FALSE(late.ok());
  EXPECT_NE(late.error().message().find("after close()"), std::string::npos)
      << late.error().to_string();
  // user_canceled and close_notify went out; the client sees the cancel.
  EXPECT_FALSE(p.pump());
  ASSERT_TRUE(p.client->error());
  EXPECT_EQ(p.client->error()->code(), ErrorCode::peer_closed) << err(*p.client);
  EXPECT_TRUE(p.server->receive_tls(pattern(100, 3)).ok());
}

}  // namespace
}  // namespace tessera::testing
