// libFuzzer target: response fields the checks parse themselves: the first line is a
// Cache-Control / Vary header value, every further line a curl cookie-jar line (from Set-Cookie).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "steps/checks/http_fields.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto nl = text.find('\n');
  const auto d = golive::header_directives(text.substr(0, nl));
  for (const auto& [name, value] : d) {
    if (golive::find_directive(d, name) == nullptr) __builtin_trap();
  }
  text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
  while (!text.empty()) {
    const auto end = text.find('\n');
    static_cast<void>(golive::parse_cookie_jar_line(std::string(text.substr(0, end))));
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
  }
  return 0;
}
