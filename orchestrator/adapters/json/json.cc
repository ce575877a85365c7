#include "orchestrator/adapters/json/json.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace golive {

// Conversions to and from nlohmann::json, which does the parsing and the text.
struct JsonCodec {
  static nlohmann::json to(const Json& j) {
    return std::visit(
        [](const auto& v) -> nlohmann::json {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, Json::Array>) {
            nlohmann::json out = nlohmann::json::array();
            for (const auto& e : v) out.push_back(to(e));
            return out;
          } else if constexpr (std::is_same_v<T, Json::Object>) {
            nlohmann::json out = nlohmann::json::object();
            for (const auto& [k, e] : v) out[k] = to(e);
            return out;
          } else {
            return nlohmann::json(v);
          }
        },
        j.v_);
  }

  static Json from(const nlohmann::json& n) {
    switch (n.type()) {
      case nlohmann::json::value_t::boolean:
        return Json(n.get<bool>());
      case nlohmann::json::value_t::number_integer:
        return Json(n.get<std::int64_t>());
      case nlohmann::json::value_t::number_unsigned:
        return Json(n.get<std::uint64_t>());
      case nlohmann::json::value_t::number_float:
        return Json(n.get<double>());
      case nlohmann::json::value_t::string:
        return Json(n.get_ref<const std::string&>());
      case nlohmann::json::value_t::array: {
        Json::Array a;
        a.reserve(n.size());
        for (const auto& e : n) a.push_back(from(e));
        return Json(std::move(a));
      }
      case nlohmann::json::value_t::object: {
        Json::Object o;
        for (const auto& [k, e] : n.items()) o.emplace(k, from(e));
        return Json(std::move(o));
      }
      default:
        return Json();
    }
  }
};

namespace {

[[noreturn]] void wrong_type(const char* wanted) {
  throw std::logic_error(std::string("JSON value is not ") + wanted);
}

}  // namespace

Json::Json(std::initializer_list<Json> items) {
  const bool pairs = std::all_of(items.begin(), items.end(), [](const Json& e) {
    return e.is_array() && e.size() == 2 && e.elements()[0].is_string();
  });
  if (pairs && items.size() > 0) {
    Object o;
    for (const auto& e : items) o.emplace(e.elements()[0].as_string(), e.elements()[1]);
    v_ = std::move(o);
  } else {
    v_ = Array(items.begin(), items.end());
  }
}

Result<Json> Json::parse(std::string_view text) {
  try {
    return JsonCodec::from(nlohmann::json::parse(text));
  } catch (const nlohmann::json::exception& e) {
    return fail(e.what());
  }
}

bool Json::as_bool() const {
  if (!is_bool()) wrong_type("a boolean");
  return std::get<bool>(v_);
}

std::int64_t Json::as_int() const {
  if (const auto* i = std::get_if<std::int64_t>(&v_)) return *i;
  if (const auto* u = std::get_if<std::uint64_t>(&v_)) return static_cast<std::int64_t>(*u);
  wrong_type("an integer");
}

double Json::as_double() const {
  if (const auto* d = std::get_if<double>(&v_)) return *d;
  if (const auto* i = std::get_if<std::int64_t>(&v_)) return static_cast<double>(*i);
  if (const auto* u = std::get_if<std::uint64_t>(&v_)) return static_cast<double>(*u);
  wrong_type("a number");
}

const std::string& Json::as_string() const {
  if (!is_string()) wrong_type("a string");
  return std::get<std::string>(v_);
}

Json& Json::operator[](std::string_view key) {
  if (is_null()) v_ = Object{};
  auto* o = std::get_if<Object>(&v_);
  if (o == nullptr) wrong_type("an object");
  auto it = o->find(key);
  if (it == o->end()) it = o->emplace(std::string(key), Json()).first;
  return it->second;
}

const Json* Json::find(std::string_view key) const {
  const auto* o = std::get_if<Object>(&v_);
  if (o == nullptr) return nullptr;
  auto it = o->find(key);
  return it == o->end() ? nullptr : &it->second;
}

const Json& Json::at(std::string_view key) const {
  const Json* v = find(key);
  if (v == nullptr) throw std::out_of_range("JSON object has no key " + std::string(key));
  return *v;
}

void Json::push_back(Json value) {
  if (is_null()) v_ = Array{};
  auto* a = std::get_if<Array>(&v_);
  if (a == nullptr) wrong_type("an array");
  a->push_back(std::move(value));
}

std::size_t Json::size() const {
  if (const auto* a = std::get_if<Array>(&v_)) return a->size();
  if (const auto* o = std::get_if<Object>(&v_)) return o->size();
  return 0;
}

const Json::Array& Json::elements() const {
  static const Array kEmpty;
  const auto* a = std::get_if<Array>(&v_);
  return a != nullptr ? *a : kEmpty;
}

const Json::Object& Json::members() const {
  static const Object kEmpty;
  const auto* o = std::get_if<Object>(&v_);
  return o != nullptr ? *o : kEmpty;
}

std::string Json::dump(int indent) const {
  return JsonCodec::to(*this).dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool Json::operator==(const Json& other) const {
  return JsonCodec::to(*this) == JsonCodec::to(other);
}

}  // namespace golive
