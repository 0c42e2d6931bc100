// fuzz/ech_outer.h — the fixed ClientHelloOuter against which fuzz_handshake
// decodes EncodedClientHelloInner (wire::decode_client_hello_inner), shared
// with corpus_gen.cc, which builds the seeds that reference its extensions.
//
// It carries the extensions a real outer ClientHello does, plus a GREASE
// one and a pre_shared_key (last), so that an ech_outer_extensions list can
// resolve references to many types, in and out of order, and move
// pre_shared_key. Its legacy_session_id is not empty, so that copying it
// into the inner ClientHello (5.1) shows.
#pragma once

#include <cstdlib>

#include "wire/codec.h"
#include "wire/ech.h"
#include "wire/extensions.h"
#include "wire/hello.h"

namespace tessera::fuzz {

inline const wire::ClientHello& ech_fixed_outer() {
  static const wire::ClientHello* outer = [] {
    using namespace tessera::wire;
    ClientHello ch;
    ch.random.fill(0x0a);
    ch.legacy_session_id.assign(32, 0x5e);
    ch.cipher_suites = {0x1301, 0x1302, 0x1303};
    Extensions& x = ch.extensions;
    x.push_back(make_extension(kExtServerName, ServerNameList{"public.example"}));
    x.push_back(make_extension(kExtSupportedGroups, NamedGroupList{{0x001d, 0x0017, 0x0018}}));
    x.push_back(make_extension(kExtSignatureAlgorithms,
                               SignatureSchemeList{{0x0807, 0x0403, 0x0804, 0x0503}}));
    x.push_back(make_extension(kExtAlpn, ProtocolNameList{{"h2", "http/1.1"}}));
    x.push_back(make_extension(kExtCompressCertificate, CertificateCompressionAlgorithms{{1, 2}}));
    x.push_back(make_extension(kExtSupportedVersions, SupportedVersionsClient{{0x0304}}));
    x.push_back(make_extension(kExtPskKeyExchangeModes, PskKeyExchangeModes{{1}}));
    x.push_back(make_extension(kExtKeyShare,
                               KeyShareClientHello{{KeyShareEntry{0x001d, Bytes(32, 0x42)}}}));
    x.push_back(make_empty_extension(0x0a0a));  // GREASE (RFC 8701)
    EchClientHello ech;
    ech.outer = EchClientHelloOuter{{0x0001, 0x0001}, 0x2a, Bytes(32, 0x17), Bytes(64, 0x99)};
    x.push_back(make_extension(kExtEncryptedClientHello, ech));
    x.push_back(
        make_extension(kExtPreSharedKey,
                       OfferedPsks{{PskIdentity{Bytes(16, 0x33), 0x01020304}}, {Bytes(32, 0x44)}}));
    // Checked as a server would read it.
    auto enc = encode(ch);
    if (!enc.ok()) std::abort();
    auto parsed = ClientHello::parse(*enc);
    if (!parsed.ok()) std::abort();
    return new ClientHello(std::move(*parsed));
  }();
  return *outer;
}

}  // namespace tessera::fuzz
