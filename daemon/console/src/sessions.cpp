#include "sessions.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>
#include <stdexcept>

namespace tinhop::console {
namespace {

std::string hex(const unsigned char* bytes, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[bytes[i] >> 4]);
    out.push_back(kDigits[bytes[i] & 0xf]);
  }
  return out;
}

std::string key_of(std::string_view id) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(id.data()), id.size(), digest.data());
  return hex(digest.data(), digest.size());
}

bool expired(const Session& session, Instant now, const SessionLimits& limits) {
  return now - session.last_used >= limits.idle || now - session.opened >= limits.lifetime;
}

}  // namespace

std::string random_token() {
  std::array<unsigned char, 32> bytes{};
  // Without randomness no session can be safe: a bug or a broken system, not a user error.
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
    throw std::runtime_error("OpenSSL RAND_bytes failed: no random session id");
  return hex(bytes.data(), bytes.size());
}

bool same_secret(std::string_view a, std::string_view b) {
  // Hashing first makes the comparison's length fixed, so the length does not leak either.
  return CRYPTO_memcmp(key_of(a).data(), key_of(b).data(), SHA256_DIGEST_LENGTH * 2) == 0;
}

std::string Sessions::open(Instant now) {
  std::string id = random_token();
  sessions_[key_of(id)] = Session{random_token(), now, now, {}};
  return id;
}

Session* Sessions::find(std::string_view id, Instant now, const SessionLimits& limits) {
  forget_expired(now, limits);
  if (id.empty()) return nullptr;
  auto found = sessions_.find(key_of(id));
  if (found == sessions_.end()) return nullptr;
  found->second.last_used = now;
  return &found->second;
}

void Sessions::close(std::string_view id) {
  sessions_.erase(key_of(id));
}

void Sessions::forget_expired(Instant now, const SessionLimits& limits) {
  std::erase_if(sessions_, [&](const auto& entry) { return expired(entry.second, now, limits); });
}

std::optional<std::chrono::seconds> SignInLimiter::wait(Instant now) {
  while (!failures_.empty() && now - failures_.front() >= window_) failures_.pop_front();
  if (failures_.size() < max_failures_) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::seconds>(failures_.front() + window_ - now);
}

void SignInLimiter::failed(Instant now) {
  failures_.push_back(now);
}

}  // namespace tinhop::console
