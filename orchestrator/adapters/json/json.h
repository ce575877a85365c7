// JSON values without exposing the JSON library: a small value type for the ledger's canonical
// payloads, --json output, release logs and notifications. Objects keep their keys sorted, so
// dump() is canonical: the ledger hashes that text, and it must never change.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "golive/error.h"

namespace golive {

// A JSON value: null, bool, integer (signed or unsigned), double, string, array or object.
class Json {
 public:
  using Array = std::vector<Json>;
  using Object = std::map<std::string, Json, std::less<>>;

  Json() = default;  // null
  Json(std::nullptr_t) {}
  Json(bool b) : v_(b) {}
  template <class T>
  requires(std::is_integral_v<T> && !std::is_same_v<T, bool> && !std::is_same_v<T, char>)
      Json(T n) {
    if constexpr (std::is_signed_v<T>) {
      v_ = static_cast<std::int64_t>(n);
    } else {
      v_ = static_cast<std::uint64_t>(n);
    }
  }
  Json(double d) : v_(d) {}
  Json(const char* s) : v_(std::string(s)) {}
  Json(std::string s) : v_(std::move(s)) {}
  Json(std::string_view s) : v_(std::string(s)) {}
  template <class T>
  Json(const std::vector<T>& items) : v_(Array(items.begin(), items.end())) {}
  template <class T>
  Json(const std::set<T>& items) : v_(Array(items.begin(), items.end())) {}
  // Like a JSON literal: a list of [string, value] pairs is an object, anything else an array.
  Json(std::initializer_list<Json> items);

  // An empty array / object (not null).
  static Json array() { return Json(Array{}); }
  static Json object() { return Json(Object{}); }
  // Parses JSON text; the error names what is wrong and where (byte offset).
  static Result<Json> parse(std::string_view text);

  bool is_null() const { return std::holds_alternative<std::nullptr_t>(v_); }
  bool is_bool() const { return std::holds_alternative<bool>(v_); }
  bool is_integer() const {
    return std::holds_alternative<std::int64_t>(v_) || std::holds_alternative<std::uint64_t>(v_);
  }
  bool is_number() const { return is_integer() || std::holds_alternative<double>(v_); }
  bool is_string() const { return std::holds_alternative<std::string>(v_); }
  bool is_array() const { return std::holds_alternative<Array>(v_); }
  bool is_object() const { return std::holds_alternative<Object>(v_); }

  // The value as a C++ type; throws std::logic_error when it has another type (a bug).
  bool as_bool() const;
  std::int64_t as_int() const;  // integers only
  double as_double() const;     // any number
  const std::string& as_string() const;

  // Object member `key`, created (null) if missing; a null value becomes an empty object first.
  Json& operator[](std::string_view key);
  // Object member `key`, or nullptr when absent or this is not an object.
  const Json* find(std::string_view key) const;
  bool contains(std::string_view key) const { return find(key) != nullptr; }
  // Object member `key`; throws std::out_of_range when absent.
  const Json& at(std::string_view key) const;
  // Appends to an array; a null value becomes an empty array first.
  void push_back(Json value);
  // Elements of an array or members of an object; 0 for anything else.
  std::size_t size() const;
  // Array elements (empty for non-arrays) and object members by sorted key (empty otherwise).
  const Array& elements() const;
  const Object& members() const;

  // JSON text: compact (indent < 0) or pretty with `indent` spaces. Keys sorted, UTF-8 kept
  // as is, invalid UTF-8 replaced by U+FFFD (never throws). Compact is the canonical form.
  std::string dump(int indent = -1) const;
  // Equal as JSON values (numbers by value, whatever their kind).
  bool operator==(const Json& other) const;

 private:
  explicit Json(Array a) : v_(std::move(a)) {}
  explicit Json(Object o) : v_(std::move(o)) {}
  friend struct JsonCodec;
  std::variant<std::nullptr_t, bool, std::int64_t, std::uint64_t, double, std::string, Array,
               Object>
      v_;
};

}  // namespace golive
