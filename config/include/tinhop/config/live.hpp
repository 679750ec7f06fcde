// The configuration a running daemon uses. A reload replaces it only with a valid file;
// an invalid one leaves it as it was and keeps the reasons for the health endpoint.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tinhop/config/config.hpp"

namespace tinhop::config {

class LiveConfig {
 public:
  explicit LiveConfig(Config initial);

  struct Outcome {
    bool applied = false;                 // the new file is now current
    std::vector<Diagnostic> diagnostics;  // errors (when refused) and warnings
    // Settings that changed in the file but need a restart (listen addresses, database
    // path): the running values are kept, so `current()` always describes reality.
    std::vector<std::string> restart_needed;
  };

  // Re-reads the file `current()` was loaded from.
  Outcome reload();
  // Applies an already loaded file (what reload() does after reading).
  Outcome apply(LoadResult loaded);

  // A snapshot: stays valid and unchanged while the holder keeps it.
  std::shared_ptr<const Config> current() const;
  // Errors of the last refused reload; empty once a reload succeeds.
  std::vector<Diagnostic> last_errors() const;

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const Config> current_;
  std::vector<Diagnostic> last_errors_;
};

}  // namespace tinhop::config
