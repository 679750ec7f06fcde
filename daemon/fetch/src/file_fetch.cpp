#include "file_fetch.hpp"

#include <sys/stat.h>

#include <boost/url/decode_view.hpp>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>

namespace tinhop::fetch::detail {
namespace {

std::string http_date(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday], tm.tm_mday,
                months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

}  // namespace

Response fetch_file(const Target& target, const Request& request, const Limits& limits) {
  Response r;
  r.url = target.url;
  const auto start = Clock::now();
  std::string path;
  for (char c : boost::urls::decode_view(target.path)) path.push_back(c);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    r.error = Error::file;
    r.error_text = path + ": " + std::strerror(errno);
    return r;
  }
  if (!S_ISREG(st.st_mode)) {
    r.error = Error::file;
    r.error_text = path + ": not a regular file";
    return r;
  }
  if (static_cast<std::size_t>(st.st_size) > limits.max_body) {
    r.error = Error::body_too_large;
    r.error_text =
        path + ": " + std::to_string(st.st_size) + " bytes exceeds " + std::to_string(limits.max_body);
    return r;
  }
  r.etag = "\"" + std::to_string(st.st_size) + "-" + std::to_string(st.st_mtim.tv_sec) + "." +
           std::to_string(st.st_mtim.tv_nsec) + "\"";
  r.last_modified = http_date(st.st_mtim.tv_sec);
  r.content_type = "application/xml";
  const bool etag_matches = request.etag && *request.etag == r.etag;
  const bool date_matches =
      !request.etag && request.last_modified && *request.last_modified == r.last_modified;
  if (etag_matches || date_matches) {
    r.status = 304;
  } else {
    std::ifstream in(path, std::ios::binary);
    r.body.resize(static_cast<std::size_t>(st.st_size));
    if (!in.read(r.body.data(), static_cast<std::streamsize>(r.body.size()))) {
      r.body.clear();
      r.error = Error::file;
      r.error_text = path + ": read failed";
      return r;
    }
    r.status = 200;
    r.wire_bytes = r.body.size();
  }
  r.elapsed = std::chrono::duration_cast<Millis>(Clock::now() - start);
  return r;
}

}  // namespace tinhop::fetch::detail
