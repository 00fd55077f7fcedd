// The one explicit instantiation of nlohmann::json that <auric/migrations.hpp> declares
// `extern`: every file that includes that header calls these members instead of compiling
// its own copy of them.
#include <auric/migrations.hpp>

#if !defined(AURIC_NO_EXTERN_JSON) && !JSON_DIAGNOSTICS && !JSON_USE_LEGACY_DISCARDED_VALUE_COMPARISON
template class nlohmann::basic_json<>;
#endif
