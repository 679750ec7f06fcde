#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

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

Outcome<Token> load_token(const std::string& configured, std::string_view key) {
  auto fail = [](std::string message) { return Problem{Failure::invalid, std::move(message)}; };
  std::string path = configured;
  constexpr std::string_view credentials = "$CREDENTIALS_DIRECTORY";
  if (path.rfind(credentials, 0) == 0) {
    const char* directory = std::getenv("CREDENTIALS_DIRECTORY");
    if (!directory || !*directory) {
      // The credential's name is the file's name in systemd's directory.
      std::string_view name = std::string_view(configured).substr(credentials.size());
      while (name.starts_with('/')) name.remove_prefix(1);
      name = name.substr(0, name.find('/'));
      return fail(configured +
                  " names $CREDENTIALS_DIRECTORY, which is not set: run under systemd with "
                  "LoadCredential=" +
                  std::string(name.empty() ? "NAME" : name) + ":FILE, or set " + std::string(key) +
                  " to the file");
    }
    path = directory + path.substr(credentials.size());
  }
  // Checked on the open descriptor, so the file judged is the file read.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    return fail("cannot read " + path + ": " + std::strerror(errno) +
                " (create it: (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \\n' > " + path +
                "))");
  }
  std::string token;
  std::string problem;
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    problem = "cannot read " + path + ": " + std::strerror(errno);
  } else if (!S_ISREG(st.st_mode)) {
    problem = path + " is not a regular file";
  } else if ((st.st_mode & 077) != 0) {
    // Like sshd with private keys: a secret others may read is no secret.
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    problem = path + " has mode " + mode + "; only its owner may read it: chmod 600 " + path;
  } else if (st.st_size > static_cast<off_t>(max_token_file_bytes)) {
    problem = path + " is larger than 4096 bytes; it should hold only the token";
  } else {
    char buffer[max_token_file_bytes + 1];
    ssize_t n = 0;
    while ((n = ::read(fd, buffer, sizeof buffer)) > 0 && token.size() <= max_token_file_bytes) {
      token.append(buffer, static_cast<std::size_t>(n));
    }
    if (n < 0) problem = "cannot read " + path + ": " + std::strerror(errno);
  }
  ::close(fd);
  if (!problem.empty()) return fail(problem);
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!token.empty() && space(token.back())) token.pop_back();
  std::size_t start = 0;
  while (start < token.size() && space(token[start])) ++start;
  token.erase(0, start);
  if (token.empty()) return fail(path + " is empty; write a random token of at least 32 characters to it");
  if (token.size() < min_token_length) return fail("the token in " + path + " is shorter than 32 characters");
  for (char c : token) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F) {
      return fail("the token in " + path + " contains whitespace or a control character");
    }
  }
  return Token{token};
}

}  // namespace tinhop::admin
