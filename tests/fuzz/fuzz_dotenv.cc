// libFuzzer target: dotenv text (.env, .env.example, age/vendor output) -> entries or line errors.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "orchestrator/secrets/dotenv.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static const std::map<std::string, std::string> process_env{{"HOME", "/home/deploy"},
                                                              {"EMPTY", ""}};
  auto r = golive::parse_dotenv(text, ".env", process_env);
  if (r) {
    for (const auto& e : r->entries) {
      if (e.key.empty() || e.line < 1) __builtin_trap();
      if (r->find(e.key) == nullptr) __builtin_trap();
    }
  } else if (r.error().message.empty()) {
    __builtin_trap();
  }
  return 0;
}
