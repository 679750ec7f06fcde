// libFuzzer target: the identity and near-duplicate keys computed for every stored item
// (canonical links, text keys, fingerprints and their figures), with their invariants.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tinhop/parsers/canonical_link.hpp"
#include "tinhop/parsers/fingerprint.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto link = tinhop::canonical_link(bytes.substr(0, 2048));
  // Canonical form is a fixed point: canonicalizing it again changes nothing.
  if (link && tinhop::canonical_link(*link) != link) __builtin_trap();
  const std::string key = tinhop::text_key(bytes);
  // The key of a key is itself: punctuation, case and tone placement are already settled.
  if (tinhop::text_key(key) != key) __builtin_trap();
  const auto fp = tinhop::fingerprint(bytes.substr(0, bytes.size() / 2), bytes.substr(bytes.size() / 2), {});
  if (fp.shingles > 0 && tinhop::similarity(fp, fp) != 1.0) __builtin_trap();
  const auto back = tinhop::from_bytes(tinhop::to_bytes(fp));
  if (back.minhash != fp.minhash || back.figures != fp.figures) __builtin_trap();
  // A set of figures never contradicts itself.
  if (tinhop::contradict(fp.figures, fp.figures)) __builtin_trap();
  return 0;
}
