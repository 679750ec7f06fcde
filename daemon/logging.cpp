#include "logging.hpp"

#include <unistd.h>

#include <spdlog/sinks/base_sink.h>
#include <sys/stat.h>
#include <boost/json.hpp>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>

namespace tinhop::logging {

namespace {

int syslog_priority(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug: return 7;
    case spdlog::level::info: return 6;
    case spdlog::level::warn: return 4;
    case spdlog::level::err: return 3;
    case spdlog::level::critical: return 2;
    default: return 6;
  }
}

spdlog::level::level_enum to_spdlog(config::LogLevel level) {
  switch (level) {
    case config::LogLevel::trace: return spdlog::level::trace;
    case config::LogLevel::debug: return spdlog::level::debug;
    case config::LogLevel::info: return spdlog::level::info;
    case config::LogLevel::warn: return spdlog::level::warn;
    case config::LogLevel::error: return spdlog::level::err;
    case config::LogLevel::critical: return spdlog::level::critical;
    case config::LogLevel::off: return spdlog::level::off;
  }
  return spdlog::level::info;
}

// journald sets JOURNAL_STREAM to "device:inode" of the stream it reads; when stderr is
// that stream, journald stamps the time itself and reads the <N> prefix.
bool stderr_is_journal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (!stream) return false;
  struct stat st {};
  if (fstat(STDERR_FILENO, &st) != 0) return false;
  unsigned long long device = 0, inode = 0;
  if (std::sscanf(stream, "%llu:%llu", &device, &inode) != 2) return false;
  return device == static_cast<unsigned long long>(st.st_dev) &&
         inode == static_cast<unsigned long long>(st.st_ino);
}

std::string utc_timestamp(spdlog::log_clock::time_point when) {
  auto since_epoch = std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(since_epoch / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[40];
  std::size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(buffer + n, sizeof buffer - n, ".%03dZ", static_cast<int>(since_epoch % 1000));
  return buffer;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class StderrSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  StderrSink(config::LogFormat format, bool journal, std::vector<std::string> secret_params)
      : format_(format), journal_(journal), secret_params_(std::move(secret_params)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    // One seam for every line: URLs reach logs in keys, error texts and redirect chains.
    const std::string redacted =
        redact_urls_in(std::string_view(msg.payload.data(), msg.payload.size()), secret_params_);
    std::string_view payload(redacted);
    std::string line;
    int priority = syslog_priority(msg.level);
    if (format_ == config::LogFormat::json) {
      if (journal_) line += "<" + std::to_string(priority) + ">";
      line += "{\"ts\":\"" + utc_timestamp(msg.time) + "\",\"level\":\"";
      line += spdlog::level::to_string_view(msg.level).data();
      line += "\",\"logger\":" +
              boost::json::serialize(boost::json::string(msg.logger_name.data(), msg.logger_name.size()));
      std::string members = logfmt_to_json(payload);
      if (!members.empty()) line += "," + members;
      line += "}";
    } else {
      line += "<" + std::to_string(priority) + ">";
      if (!journal_) line += utc_timestamp(msg.time) + " ";
      line.append(msg.logger_name.data(), msg.logger_name.size());
      line += ": ";
      line += payload;
    }
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }

 private:
  config::LogFormat format_;
  bool journal_;
  std::vector<std::string> secret_params_;
};

std::mutex setup_mutex;
spdlog::sink_ptr current_sink;

bool needs_quotes(std::string_view value) {
  if (value.empty()) return true;
  for (char c : value) {
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
      return true;
  }
  return false;
}

bool is_key_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
}

}  // namespace

void setup(config::LogLevel level, config::LogFormat format, const std::vector<std::string>& secret_params) {
  std::lock_guard lock(setup_mutex);
  current_sink = std::make_shared<StderrSink>(format, stderr_is_journal(), secret_params);
  auto spd_level = to_spdlog(level);
  spdlog::apply_all([&](const std::shared_ptr<spdlog::logger>& logger) {
    logger->sinks().assign(1, current_sink);
    logger->set_level(spd_level);
  });
  if (!spdlog::default_logger()) {
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("tinhop", current_sink));
  } else {
    spdlog::default_logger()->sinks().assign(1, current_sink);
  }
  spdlog::set_level(spd_level);
  spdlog::flush_on(spdlog::level::trace);
}

std::shared_ptr<spdlog::logger> get(const std::string& stage) {
  std::lock_guard lock(setup_mutex);
  if (auto existing = spdlog::get(stage)) return existing;
  if (!current_sink)
    current_sink =
        std::make_shared<StderrSink>(config::LogFormat::text, stderr_is_journal(), default_secret_params());
  auto logger = std::make_shared<spdlog::logger>(stage, current_sink);
  logger->set_level(spdlog::get_level());
  logger->flush_on(spdlog::level::trace);
  spdlog::register_logger(logger);
  return logger;
}

std::string kv(std::string_view key, std::string_view value) {
  std::string out(key);
  out += '=';
  if (!needs_quotes(value)) return out.append(value);
  out += '"';
  for (char c : value) {
    auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (byte < 0x20 || byte == 0x7F) {
          static constexpr char hex[] = "0123456789abcdef";
          out += "\\x";
          out += hex[byte >> 4];
          out += hex[byte & 0xF];
        } else {
          out += c;
        }
    }
  }
  return out += '"';
}

std::string kv(std::string_view key, const char* value) {
  return kv(key, std::string_view(value ? value : ""));
}
std::string kv(std::string_view key, const std::string& value) {
  return kv(key, std::string_view(value));
}
std::string kv(std::string_view key, std::int64_t value) {
  return std::string(key) + "=" + std::to_string(value);
}
std::string kv(std::string_view key, int value) {
  return std::string(key) + "=" + std::to_string(value);
}

std::string logfmt_to_json(std::string_view line) {
  boost::json::object object;
  std::string message;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    std::size_t start = i;
    while (i < line.size() && is_key_char(line[i])) ++i;
    bool is_pair = i > start && i < line.size() && line[i] == '=';
    if (!is_pair) {
      // Free text: up to the next space belongs to the message.
      i = start;
      while (i < line.size() && line[i] != ' ') ++i;
      if (!message.empty()) message += ' ';
      message.append(line.substr(start, i - start));
      continue;
    }
    std::string key(line.substr(start, i - start));
    ++i;  // '='
    std::string value;
    if (i < line.size() && line[i] == '"') {
      ++i;
      while (i < line.size() && line[i] != '"') {
        char c = line[i++];
        if (c != '\\' || i >= line.size()) {
          value += c;
          continue;
        }
        char escaped = line[i++];
        switch (escaped) {
          case 'n': value += '\n'; break;
          case 't': value += '\t'; break;
          case 'r': value += '\r'; break;
          case 'x':
            if (i + 2 <= line.size() && hex_digit(line[i]) >= 0 && hex_digit(line[i + 1]) >= 0) {
              value += static_cast<char>(hex_digit(line[i]) * 16 + hex_digit(line[i + 1]));
              i += 2;
            }
            break;
          default: value += escaped;
        }
      }
      ++i;  // closing quote
    } else {
      std::size_t value_start = i;
      while (i < line.size() && line[i] != ' ') ++i;
      value.assign(line.substr(value_start, i - value_start));
    }
    object[key] = value;
  }
  boost::json::object ordered;
  if (!message.empty()) ordered["msg"] = message;
  for (auto& member : object) ordered[member.key()] = std::move(member.value());
  std::string json = boost::json::serialize(ordered);
  return json.size() > 2 ? json.substr(1, json.size() - 2) : std::string();
}

}  // namespace tinhop::logging
