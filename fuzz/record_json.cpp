// The JSON text the SQLite store keeps inside records (store/record_json.hpp): record_json::parse
// on the input, then the nested decoders (Who, CurrentRun, id lists). Documented to throw
// StoreError for text or shapes they cannot read; nothing else may escape. dump() replaces
// invalid UTF-8 instead of failing, and what it writes must parse back to the same value.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/store.hpp"
#include "fuzz_support.hpp"
#include "store/record_json.hpp"

namespace record_json = auric::record_json;
using auric::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(auric::fuzz::as_text(data, size));
  // Any bytes, invalid UTF-8 included, as a string value a migration produced.
  const std::string dumped = record_json::dump(auric::Json{{"output", text}});
  (void)record_json::parse(dumped, "output");  // must read back what dump wrote
  try {
    const auric::Json json = record_json::parse(text, "fuzz");
    const std::string again = record_json::dump(json);
    check(record_json::parse(again, "fuzz") == json, "dump -> parse round trip", again);
    try {
      (void)record_json::to_who(json);
    } catch (const auric::StoreError&) {
    }
    try {
      (void)record_json::to_current_run(json);
    } catch (const auric::StoreError&) {
    }
    try {
      (void)record_json::to_string_list(json);
    } catch (const auric::StoreError&) {
    }
  } catch (const auric::StoreError&) {
  }
  return 0;
}
