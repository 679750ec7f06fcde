#include "tinhop/websub/signature.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/algorithm/string/predicate.hpp>

namespace tinhop::websub {

namespace {

const EVP_MD* digest_of(std::string_view method) {
  if (boost::algorithm::iequals(method, "sha1")) return EVP_sha1();
  if (boost::algorithm::iequals(method, "sha256")) return EVP_sha256();
  if (boost::algorithm::iequals(method, "sha384")) return EVP_sha384();
  if (boost::algorithm::iequals(method, "sha512")) return EVP_sha512();
  return nullptr;
}

std::string hex_hmac(const EVP_MD* digest, std::string_view secret, std::string_view body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(digest, secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &length) == nullptr) {
    return {};
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[mac[i] >> 4]);
    hex.push_back(kHex[mac[i] & 0x0f]);
  }
  return hex;
}

}  // namespace

std::string signature(std::string_view method, std::string_view secret, std::string_view body) {
  const EVP_MD* digest = digest_of(method);
  if (digest == nullptr) return {};
  const std::string hex = hex_hmac(digest, secret, body);
  return hex.empty() ? std::string() : std::string(method) + "=" + hex;
}

bool signature_matches(std::string_view header, std::string_view secret, std::string_view body) {
  const std::size_t equals = header.find('=');
  if (equals == std::string_view::npos) return false;
  const EVP_MD* digest = digest_of(header.substr(0, equals));
  if (digest == nullptr) return false;
  std::string given(header.substr(equals + 1));
  for (char& c : given) c = static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
  const std::string expected = hex_hmac(digest, secret, body);
  return !expected.empty() && given.size() == expected.size() &&
         CRYPTO_memcmp(given.data(), expected.data(), expected.size()) == 0;
}

}  // namespace tinhop::websub
