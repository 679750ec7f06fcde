#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <sys/stat.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "tinhop/admin/api.hpp"

namespace tinhop::admin {

namespace {

constexpr std::size_t min_token_length = 32;
constexpr std::size_t max_token_file_bytes = 4096;

std::array<unsigned char, SHA256_DIGEST_LENGTH> digest(std::string_view text) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> out{};
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), out.data());
  return out;
}

}  // namespace

bool Token::matches(std::string_view presented) const {
  auto expected = digest(value);
  auto given = digest(presented);
  return !value.empty() && CRYPTO_memcmp(expected.data(), given.data(), expected.size()) == 0;
}

Outcome<Token> load_token(const std::string& configured) {
  auto fail = [](std::string message) { return Problem{Failure::invalid, std::move(message)}; };
  std::string path = configured;
  constexpr std::string_view credentials = "$CREDENTIALS_DIRECTORY";
  if (path.rfind(credentials, 0) == 0) {
    const char* directory = std::getenv("CREDENTIALS_DIRECTORY");
    if (!directory || !*directory) {
      return fail("admin.token_file: " + configured +
                  " names $CREDENTIALS_DIRECTORY, which is not set (LoadCredential=)");
    }
    path = directory + path.substr(credentials.size());
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return fail("admin.token_file: cannot read " + path + ": " + std::strerror(errno) +
                " (create it: head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \\n' > " + path + ")");
  }
  if (st.st_mode & S_IROTH) {
    return fail("admin.token_file: " + path + " is readable by every user; chmod o-r " + path);
  }
  if (st.st_size > static_cast<off_t>(max_token_file_bytes)) {
    return fail("admin.token_file: " + path + " is larger than 4096 bytes; it should hold only the token");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("admin.token_file: cannot read " + path + ": " + std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  std::string token = buffer.str();
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!token.empty() && space(token.back())) token.pop_back();
  std::size_t start = 0;
  while (start < token.size() && space(token[start])) ++start;
  token.erase(0, start);
  if (token.size() < min_token_length) {
    return fail("admin.token_file: the token in " + path + " is shorter than 32 characters");
  }
  for (char c : token) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F) {
      return fail("admin.token_file: the token in " + path + " contains whitespace or a control character");
    }
  }
  return Token{token};
}

}  // namespace tinhop::admin
