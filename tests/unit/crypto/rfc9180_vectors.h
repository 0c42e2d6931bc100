// RFC 9180 Appendix A: the mode_base test vectors of the suites crypto/hpke.h
// implements (A.1 to A.5), copied from the appendix by a script: setup
// values, the encryptions at sequence numbers 0, 1, 2, 4, 255 and 256 (all of
// the same plaintext), and the exported values. A.6 (DHKEM(P-521)) and A.7
// (the export-only AEAD) are not implemented.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace tessera::crypto::testing::rfc9180 {

struct Encryption {
  uint64_t seq;
  std::string_view aad;
  std::string_view nonce;
  std::string_view ct;
};

struct Export {
  std::string_view exporter_context;
  size_t length;
  std::string_view exported_value;
};

// All values are hex, as in the appendix.
struct Vector {
  std::string_view suite;  // the appendix section title
  uint16_t kem_id, kdf_id, aead_id;
  std::string_view info, skEm, pkEm, skRm, pkRm, enc, shared_secret, key, base_nonce,
      exporter_secret;
  std::vector<Encryption> encryptions;
  std::string_view pt;
  std::vector<Export> exports;
};

inline const std::vector<Vector>& base_mode_vectors() {
  static const std::vector<Vector> kVectors = {
      // DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM
      {"DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM",
       /*kem_id=*/32,
       /*kdf_id=*/1,
       /*aead_id=*/1,
       /*info=*/"4f6465206f6e2061204772656369616e2055726e",
       /*skEm=*/"52c4a758a802cd8b936eceea314432798d5baf2d7e9235dc084ab1b9cfa2f736",
       /*pkEm=*/"37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431",
       /*skRm=*/"4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8",
       /*pkRm=*/"3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d",
       /*enc=*/"37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431",
       /*shared_secret=*/"fe0e18c9f024ce43799ae393c7e8fe8fce9d218875e8227b0187c04e7d2ea1fc",
       /*key=*/"4531685d41d65f03dc48f6b8302c05b0",
       /*base_nonce=*/"56d890e5accaaf011cff4b7d",
       /*exporter_secret=*/"45ff1c2e220db587171952c0592d5f5ebe103f1561a2614e38f2ffd47e99e3f8",
       {
           {0, "436f756e742d30", "56d890e5accaaf011cff4b7d",
            "f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a9"
            "6d8770ac83d07bea87e13c512a"},
           {1, "436f756e742d31", "56d890e5accaaf011cff4b7c",
            "af2d7e9ac9ae7e270f46ba1f975be53c09f8d875bdc8535458c2494e8a6eab25"
            "1c03d0c22a56b8ca42c2063b84"},
           {2, "436f756e742d32", "56d890e5accaaf011cff4b7f",
            "498dfcabd92e8acedc281e85af1cb4e3e31c7dc394a1ca20e173cb7251649158"
            "8d96a19ad4a683518973dcc180"},
           {4, "436f756e742d34", "56d890e5accaaf011cff4b79",
            "583bd32bc67a5994bb8ceaca813d369bca7b2a42408cddef5e22f880b631215a"
            "09fc0012bc69fccaa251c0246d"},
           {255, "436f756e742d323535", "56d890e5accaaf011cff4b82",
            "7175db9717964058640a3a11fb9007941a5d1757fda1a6935c805c21af32505b"
            "f106deefec4a49ac38d71c9e0a"},
           {256, "436f756e742d323536", "56d890e5accaaf011cff4a7d",
            "957f9800542b0b8891badb026d79cc54597cb2d225b54c00c5238c25d05c30e3"
            "fbeda97d2e0e1aba483a2df9f2"},
       },
       /*pt=*/"4265617574792069732074727574682c20747275746820626561757479",
       {
           {"", 32, "3853fe2b4035195a573ffc53856e77058e15d9ea064de3e59f4961d0095250ee"},
           {"00", 32, "2e8f0b54673c7029649d4eb9d5e33bf1872cf76d623ff164ac185da9e88c21a5"},
           {"54657374436f6e74657874", 32,
            "e9e43065102c3836401bed8c3c3c75ae46be1639869391d62c61f1ec7af54931"},
       }},
      // DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20Poly1305
      {"DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20Poly1305",
       /*kem_id=*/32,
       /*kdf_id=*/1,
       /*aead_id=*/3,
       /*info=*/"4f6465206f6e2061204772656369616e2055726e",
       /*skEm=*/"f4ec9b33b792c372c1d2c2063507b684ef925b8c75a42dbcbf57d63ccd381600",
       /*pkEm=*/"1afa08d3dec047a643885163f1180476fa7ddb54c6a8029ea33f95796bf2ac4a",
       /*skRm=*/"8057991eef8f1f1af18f4a9491d16a1ce333f695d4db8e38da75975c4478e0fb",
       /*pkRm=*/"4310ee97d88cc1f088a5576c77ab0cf5c3ac797f3d95139c6c84b5429c59662a",
       /*enc=*/"1afa08d3dec047a643885163f1180476fa7ddb54c6a8029ea33f95796bf2ac4a",
       /*shared_secret=*/"0bbe78490412b4bbea4812666f7916932b828bba79942424abb65244930d69a7",
       /*key=*/"ad2744de8e17f4ebba575b3f5f5a8fa1f69c2a07f6e7500bc60ca6e3e3ec1c91",
       /*base_nonce=*/"5c4d98150661b848853b547f",
       /*exporter_secret=*/"a3b010d4994890e2c6968a36f64470d3c824c8f5029942feb11e7a74b2921922",
       {
           {0, "436f756e742d30", "5c4d98150661b848853b547f",
            "1c5250d8034ec2b784ba2cfd69dbdb8af406cfe3ff938e131f0def8c8b60b4db"
            "21993c62ce81883d2dd1b51a28"},
           {1, "436f756e742d31", "5c4d98150661b848853b547e",
            "6b53c051e4199c518de79594e1c4ab18b96f081549d45ce015be002090bb119e"
            "85285337cc95ba5f59992dc98c"},
           {2, "436f756e742d32", "5c4d98150661b848853b547d",
            "71146bd6795ccc9c49ce25dda112a48f202ad220559502cef1f34271e0cb4b02"
            "b4f10ecac6f48c32f878fae86b"},
           {4, "436f756e742d34", "5c4d98150661b848853b547b",
            "63357a2aa291f5a4e5f27db6baa2af8cf77427c7c1a909e0b37214dd47db122b"
            "b153495ff0b02e9e54a50dbe16"},
           {255, "436f756e742d323535", "5c4d98150661b848853b5480",
            "18ab939d63ddec9f6ac2b60d61d36a7375d2070c9b683861110757062c52b888"
            "0a5f6b3936da9cd6c23ef2a95c"},
           {256, "436f756e742d323536", "5c4d98150661b848853b557f",
            "7a4a13e9ef23978e2c520fd4d2e757514ae160cd0cd05e556ef692370ca53076"
            "214c0c40d4c728d6ed9e727a5b"},
       },
       /*pt=*/"4265617574792069732074727574682c20747275746820626561757479",
       {
           {"", 32, "4bbd6243b8bb54cec311fac9df81841b6fd61f56538a775e7c80a9f40160606e"},
           {"00", 32, "8c1df14732580e5501b00f82b10a1647b40713191b7c1240ac80e2b68808ba69"},
           {"54657374436f6e74657874", 32,
            "5acb09211139c43b3090489a9da433e8a30ee7188ba8b0a9a1ccf0c229283e53"},
       }},
      // DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-128-GCM
      {"DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-128-GCM",
       /*kem_id=*/16,
       /*kdf_id=*/1,
       /*aead_id=*/1,
       /*info=*/"4f6465206f6e2061204772656369616e2055726e",
       /*skEm=*/"4995788ef4b9d6132b249ce59a77281493eb39af373d236a1fe415cb0c2d7beb",
       /*pkEm=*/
       "04a92719c6195d5085104f469a8b9814d5838ff72b60501e2c4466e5e67b325a"
       "c98536d7b61a1af4b78e5b7f951c0900be863c403ce65c9bfcb9382657222d18"
       "c4",
       /*skRm=*/"f3ce7fdae57e1a310d87f1ebbde6f328be0a99cdbcadf4d6589cf29de4b8ffd2",
       /*pkRm=*/
       "04fe8c19ce0905191ebc298a9245792531f26f0cece2460639e8bc39cb7f706a"
       "826a779b4cf969b8a0e539c7f62fb3d30ad6aa8f80e30f1d128aafd68a2ce72e"
       "a0",
       /*enc=*/
       "04a92719c6195d5085104f469a8b9814d5838ff72b60501e2c4466e5e67b325a"
       "c98536d7b61a1af4b78e5b7f951c0900be863c403ce65c9bfcb9382657222d18"
       "c4",
       /*shared_secret=*/"c0d26aeab536609a572b07695d933b589dcf363ff9d93c93adea537aeabb8cb8",
       /*key=*/"868c066ef58aae6dc589b6cfdd18f97e",
       /*base_nonce=*/"4e0bc5018beba4bf004cca59",
       /*exporter_secret=*/"14ad94af484a7ad3ef40e9f3be99ecc6fa9036df9d4920548424df127ee0d99f",
       {
           {0, "436f756e742d30", "4e0bc5018beba4bf004cca59",
            "5ad590bb8baa577f8619db35a36311226a896e7342a6d836d8b7bcd2f20b6c7f"
            "9076ac232e3ab2523f39513434"},
           {1, "436f756e742d31", "4e0bc5018beba4bf004cca58",
            "fa6f037b47fc21826b610172ca9637e82d6e5801eb31cbd3748271affd4ecb06"
            "646e0329cbdf3c3cd655b28e82"},
           {2, "436f756e742d32", "4e0bc5018beba4bf004cca5b",
            "895cabfac50ce6c6eb02ffe6c048bf53b7f7be9a91fc559402cbc5b8dcaeb52b"
            "2ccc93e466c28fb55fed7a7fec"},
           {4, "436f756e742d34", "4e0bc5018beba4bf004cca5d",
            "8787491ee8df99bc99a246c4b3216d3d57ab5076e18fa27133f520703bc70ec9"
            "99dd36ce042e44f0c3169a6a8f"},
           {255, "436f756e742d323535", "4e0bc5018beba4bf004ccaa6",
            "2ad71c85bf3f45c6eca301426289854b31448bcf8a8ccb1deef3ebd87f60848a"
            "a53c538c30a4dac71d619ee2cd"},
           {256, "436f756e742d323536", "4e0bc5018beba4bf004ccb59",
            "10f179686aa2caec1758c8e554513f16472bd0a11e2a907dde0b212cbe87d74f"
            "367f8ffe5e41cd3e9962a6afb2"},
       },
       /*pt=*/"4265617574792069732074727574682c20747275746820626561757479",
       {
           {"", 32, "5e9bc3d236e1911d95e65b576a8a86d478fb827e8bdfe77b741b289890490d4d"},
           {"00", 32, "6cff87658931bda83dc857e6353efe4987a201b849658d9b047aab4cf216e796"},
           {"54657374436f6e74657874", 32,
            "d8f1ea7942adbba7412c6d431c62d01371ea476b823eb697e1f6e6cae1dab85a"},
       }},
      // DHKEM(P-256, HKDF-SHA256), HKDF-SHA512, AES-128-GCM
      {"DHKEM(P-256, HKDF-SHA256), HKDF-SHA512, AES-128-GCM",
       /*kem_id=*/16,
       /*kdf_id=*/3,
       /*aead_id=*/1,
       /*info=*/"4f6465206f6e2061204772656369616e2055726e",
       /*skEm=*/"2292bf14bb6e15b8c81a0f45b7a6e93e32d830e48cca702e0affcfb4d07e1b5c",
       /*pkEm=*/
       "0493ed86735bdfb978cc055c98b45695ad7ce61ce748f4dd63c525a3b8d53a15"
       "565c6897888070070c1579db1f86aaa56deb8297e64db7e8924e72866f9a4725"
       "80",
       /*skRm=*/"3ac8530ad1b01885960fab38cf3cdc4f7aef121eaa239f222623614b4079fb38",
       /*pkRm=*/
       "04085aa5b665dc3826f9650ccbcc471be268c8ada866422f739e2d531d4a8818"
       "a9466bc6b449357096232919ec4fe9070ccbac4aac30f4a1a53efcf7af90610e"
       "dd",
       /*enc=*/
       "0493ed86735bdfb978cc055c98b45695ad7ce61ce748f4dd63c525a3b8d53a15"
       "565c6897888070070c1579db1f86aaa56deb8297e64db7e8924e72866f9a4725"
       "80",
       /*shared_secret=*/"02f584736390fc93f5b4ad039826a3fa08e9911bd1215a3db8e8791ba533cafd",
       /*key=*/"090ca96e5f8aa02b69fac360da50ddf9",
       /*base_nonce=*/"9c995e621bf9a20c5ca45546",
       /*exporter_secret=*/
       "4a7abb2ac43e6553f129b2c5750a7e82d149a76ed56dc342d7bca61e26d494f4"
       "855dff0d0165f27ce57756f7f16baca006539bb8e4518987ba610480ac03efa8",
       {
           {0, "436f756e742d30", "9c995e621bf9a20c5ca45546",
            "d3cf4984931484a080f74c1bb2a6782700dc1fef9abe8442e44a6f09044c8890"
            "7200b332003543754eb51917ba"},
           {1, "436f756e742d31", "9c995e621bf9a20c5ca45547",
            "d14414555a47269dfead9fbf26abb303365e40709a4ed16eaefe1f2070f1ddeb"
            "1bdd94d9e41186f124e0acc62d"},
           {2, "436f756e742d32", "9c995e621bf9a20c5ca45544",
            "9bba136cade5c4069707ba91a61932e2cbedda2d9c7bdc33515aa01dd0e0f7e9"
            "d3579bf4016dec37da4aafa800"},
           {4, "436f756e742d34", "9c995e621bf9a20c5ca45542",
            "a531c0655342be013bf32112951f8df1da643602f1866749519f5dcb09cc6843"
            "2579de305a77e6864e862a7600"},
           {255, "436f756e742d323535", "9c995e621bf9a20c5ca455b9",
            "be5da649469efbad0fb950366a82a73fefeda5f652ec7d3731fac6c4ffa21a70"
            "04d2ab8a04e13621bd3629547d"},
           {256, "436f756e742d323536", "9c995e621bf9a20c5ca45446",
            "62092672f5328a0dde095e57435edf7457ace60b26ee44c9291110ec135cb0e1"
            "4b85594e4fea11247d937deb62"},
       },
       /*pt=*/"4265617574792069732074727574682c20747275746820626561757479",
       {
           {"", 32, "a32186b8946f61aeead1c093fe614945f85833b165b28c46bf271abf16b57208"},
           {"00", 32, "84998b304a0ea2f11809398755f0abd5f9d2c141d1822def79dd15c194803c2a"},
           {"54657374436f6e74657874", 32,
            "93fb9411430b2cfa2cf0bed448c46922a5be9beff20e2e621df7e4655852edbc"},
       }},
      // DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, ChaCha20Poly1305
      {"DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, ChaCha20Poly1305",
       /*kem_id=*/16,
       /*kdf_id=*/1,
       /*aead_id=*/3,
       /*info=*/"4f6465206f6e2061204772656369616e2055726e",
       /*skEm=*/"7550253e1147aae48839c1f8af80d2770fb7a4c763afe7d0afa7e0f42a5b3689",
       /*pkEm=*/
       "04c07836a0206e04e31d8ae99bfd549380b072a1b1b82e563c935c095827824f"
       "c1559eac6fb9e3c70cd3193968994e7fe9781aa103f5b50e934b5b2f387e3812"
       "91",
       /*skRm=*/"a4d1c55836aa30f9b3fbb6ac98d338c877c2867dd3a77396d13f68d3ab150d3b",
       /*pkRm=*/
       "04a697bffde9405c992883c5c439d6cc358170b51af72812333b015621dc0f40"
       "bad9bb726f68a5c013806a790ec716ab8669f84f6b694596c2987cf35baba2a0"
       "06",
       /*enc=*/
       "04c07836a0206e04e31d8ae99bfd549380b072a1b1b82e563c935c095827824f"
       "c1559eac6fb9e3c70cd3193968994e7fe9781aa103f5b50e934b5b2f387e3812"
       "91",
       /*shared_secret=*/"806520f82ef0b03c823b7fc524b6b55a088f566b9751b89551c170f4113bd850",
       /*key=*/"a8f45490a92a3b04d1dbf6cf2c3939ad8bfc9bfcb97c04bffe116730c9dfe3fc",
       /*base_nonce=*/"726b4390ed2209809f58c693",
       /*exporter_secret=*/"4f9bd9b3a8db7d7c3a5b9d44fdc1f6e37d5d77689ade5ec44a7242016e6aa205",
       {
           {0, "436f756e742d30", "726b4390ed2209809f58c693",
            "6469c41c5c81d3aa85432531ecf6460ec945bde1eb428cb2fedf7a29f5a685b4"
            "ccb0d057f03ea2952a27bb458b"},
           {1, "436f756e742d31", "726b4390ed2209809f58c692",
            "f1564199f7e0e110ec9c1bcdde332177fc35c1adf6e57f8d1df24022227ffa87"
            "16862dbda2b1dc546c9d114374"},
           {2, "436f756e742d32", "726b4390ed2209809f58c691",
            "39de89728bcb774269f882af8dc5369e4f3d6322d986e872b3a8d074c7c18e85"
            "49ff3f85b6d6592ff87c3f310c"},
           {4, "436f756e742d34", "726b4390ed2209809f58c697",
            "bc104a14fbede0cc79eeb826ea0476ce87b9c928c36e5e34dc9b6905d91473ec"
            "369a08b1a25d305dd45c6c5f80"},
           {255, "436f756e742d323535", "726b4390ed2209809f58c66c",
            "8f2814a2c548b3be50259713c6724009e092d37789f6856553d61df23ebc0792"
            "35f710e6af3c3ca6eaba7c7c6c"},
           {256, "436f756e742d323536", "726b4390ed2209809f58c793",
            "b45b69d419a9be7219d8c94365b89ad6951caf4576ea4774ea40e9b7047a09d6"
            "537d1aa2f7c12d6ae4b729b4d0"},
       },
       /*pt=*/"4265617574792069732074727574682c20747275746820626561757479",
       {
           {"", 32, "9b13c510416ac977b553bf1741018809c246a695f45eff6d3b0356dbefe1e660"},
           {"00", 32, "6c8b7be3a20a5684edecb4253619d9051ce8583baf850e0cb53c402bdcaf8ebb"},
           {"54657374436f6e74657874", 32,
            "477a50d804c7c51941f69b8e32fe8288386ee1a84905fe4938d58972f24ac938"},
       }},

  };
  return kVectors;
}

}  // namespace tessera::crypto::testing::rfc9180
