#include "orchestrator/secrets/dotenv.h"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace golive {

const DotenvEntry* DotenvFile::find(std::string_view key) const {
  for (const auto& e : entries) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}
bool is_key_start(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool is_key_char(char c) {
  return is_key_start(c) || (c >= '0' && c <= '9');
}

class Parser {
 public:
  Parser(std::string_view text, const std::string& file,
         const std::map<std::string, std::string>& process_env)
      : file_(file), process_env_(process_env) {
    // \r\n and lone \r count as line ends, so values never carry a stray \r.
    text_.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\r') {
        if (i + 1 < text.size() && text[i + 1] == '\n') continue;
        text_.push_back('\n');
      } else {
        text_.push_back(text[i]);
      }
    }
  }

  Result<DotenvFile> run() {
    while (pos_ < text_.size()) parse_line();
    if (!errors_.empty()) return fail(errors_);
    return std::move(out_);
  }

 private:
  char peek(std::size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  bool at_end() const { return pos_ >= text_.size(); }

  void error(int line, std::string_view message) {
    if (!errors_.empty()) errors_ += '\n';
    errors_ += file_ + ":" + std::to_string(line) + ": " + std::string(message);
  }

  // Skips the rest of the current line including its newline.
  void skip_line() {
    while (!at_end() && peek() != '\n') ++pos_;
    if (!at_end()) {
      ++pos_;
      ++line_;
    }
  }

  void skip_blanks() {
    while (is_blank(peek())) ++pos_;
  }

  // After a value: blanks, an optional comment, then the end of the line.
  bool finish_line(int line) {
    skip_blanks();
    if (peek() == '#') {
      skip_line();
      return true;
    }
    if (at_end() || peek() == '\n') {
      skip_line();
      return true;
    }
    error(line, "unexpected text after the closing quote");
    skip_line();
    return false;
  }

  std::string lookup(const std::string& name) const {
    if (const DotenvEntry* e = out_.find(name)) return e->value;
    if (auto it = process_env_.find(name); it != process_env_.end()) return it->second;
    return "";
  }

  // Expands `${NAME}` / `${NAME:-default}` at text_[pos_] (which is '$'); appends to `out`.
  // Returns false (nothing consumed) when it is not a reference, so `$` stays literal.
  bool expand_at(std::string& out, std::size_t limit) {
    if (peek(1) != '{') return false;
    std::size_t close = text_.find('}', pos_ + 2);
    if (close == std::string::npos || close >= limit) return false;
    std::string_view inner(text_.data() + pos_ + 2, close - pos_ - 2);
    std::string name(inner.substr(0, inner.find(":-")));
    if (name.empty() || !is_key_start(name[0])) return false;
    for (char c : name) {
      if (!is_key_char(c)) return false;
    }
    std::string value = lookup(name);
    if (value.empty() && inner.size() > name.size()) value = inner.substr(name.size() + 2);
    out += value;
    pos_ = close + 1;
    return true;
  }

  void parse_line() {
    skip_blanks();
    if (at_end()) return;
    if (peek() == '\n' || peek() == '#') {
      skip_line();
      return;
    }
    const int line = line_;
    if (text_.compare(pos_, 6, "export") == 0 && is_blank(peek(6))) {
      pos_ += 6;
      skip_blanks();
    }
    std::size_t key_begin = pos_;
    while (!at_end() && !is_blank(peek()) && peek() != '=' && peek() != '\n') ++pos_;
    std::string key = text_.substr(key_begin, pos_ - key_begin);
    skip_blanks();
    if (peek() != '=') {
      // Never echo the line: a pasted secret without a key would end up in the error.
      error(line, "expected KEY=VALUE (no '=' on this line)");
      skip_line();
      return;
    }
    bool key_ok = !key.empty() && is_key_start(key[0]);
    for (char c : key) key_ok = key_ok && is_key_char(c);
    if (!key_ok) {
      error(line,
            "invalid key name (letters, digits and _ only, not starting with a digit; the "
            "rendered env file is read by /bin/sh)");
      skip_line();
      return;
    }
    ++pos_;  // '='
    skip_blanks();
    std::string value;
    bool ok = true;
    if (peek() == '\'') {
      ok = single_quoted(line, value);
    } else if (peek() == '"') {
      ok = double_quoted(line, value);
    } else {
      unquoted(value);
    }
    if (!ok) return;
    for (auto& e : out_.entries) {
      if (e.key == key) {
        e.value = std::move(value);
        e.line = line;
        return;
      }
    }
    out_.entries.push_back({std::move(key), std::move(value), line});
  }

  // 'literal': no escapes, no expansion, may span lines.
  bool single_quoted(int line, std::string& value) {
    std::size_t close = text_.find('\'', pos_ + 1);
    if (close == std::string::npos) {
      error(line, "unterminated single quote started here");
      pos_ = text_.size();
      return false;
    }
    value = text_.substr(pos_ + 1, close - pos_ - 1);
    for (char c : value) line_ += c == '\n';
    pos_ = close + 1;
    return finish_line(line);
  }

  // "escaped": \n \r \t \" \\ \$ are decoded, ${VAR} expands, may span lines.
  bool double_quoted(int line, std::string& value) {
    ++pos_;
    while (true) {
      if (at_end()) {
        error(line, "unterminated double quote started here");
        return false;
      }
      char c = peek();
      if (c == '"') {
        ++pos_;
        return finish_line(line);
      }
      if (c == '\\' && pos_ + 1 < text_.size()) {
        char n = peek(1);
        switch (n) {
          case 'n':
            value += '\n';
            break;
          case 'r':
            value += '\r';
            break;
          case 't':
            value += '\t';
            break;
          case '"':
            value += '"';
            break;
          case '\\':
            value += '\\';
            break;
          case '$':
            value += '$';
            break;
          default:
            value += '\\';
            value += n;
            line_ += n == '\n';
        }
        pos_ += 2;
        continue;
      }
      if (c == '$' && expand_at(value, closing_quote_limit())) continue;
      line_ += c == '\n';
      value += c;
      ++pos_;
    }
  }

  // Where a `${` inside double quotes must close: before the next unescaped quote.
  std::size_t closing_quote_limit() const {
    for (std::size_t i = pos_; i < text_.size(); ++i) {
      if (text_[i] == '\\') {
        ++i;
      } else if (text_[i] == '"') {
        return i;
      }
    }
    return text_.size();
  }

  // Unquoted: to the end of the line, ` #` starts a comment, trimmed, ${VAR} expands.
  void unquoted(std::string& value) {
    std::size_t eol = text_.find('\n', pos_);
    if (eol == std::string::npos) eol = text_.size();
    std::size_t end = eol;
    for (std::size_t i = pos_; i + 1 < eol; ++i) {
      if (is_blank(text_[i]) && text_[i + 1] == '#') {
        end = i;
        break;
      }
    }
    while (pos_ < end) {
      if (peek() == '$' && expand_at(value, end)) continue;
      value += peek();
      ++pos_;
    }
    while (!value.empty() && is_blank(value.back())) value.pop_back();
    pos_ = eol;
    skip_line();
  }

  std::string text_;
  const std::string& file_;
  const std::map<std::string, std::string>& process_env_;
  std::size_t pos_ = 0;
  int line_ = 1;
  DotenvFile out_;
  std::string errors_;
};

}  // namespace

Result<DotenvFile> parse_dotenv(std::string_view text, const std::string& file,
                                const std::map<std::string, std::string>& process_env) {
  return Parser(text, file, process_env).run();
}

Result<DotenvFile> load_dotenv_file(const std::string& path, const std::string& display,
                                    const std::map<std::string, std::string>& process_env) {
  // An env file is small; refusing a huge one keeps a stray dump from being read into memory.
  constexpr std::uintmax_t kMaxEnvFileBytes = 4 * 1024 * 1024;
  std::error_code ec;
  if (auto size = std::filesystem::file_size(path, ec); !ec && size > kMaxEnvFileBytes) {
    return fail(display + ": " + std::to_string(size) +
                " bytes; env files are limited to 4 MiB (values to 64 KiB)");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(display + ": cannot read: " + std::strerror(errno));
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return fail(display + ": read error");
  return parse_dotenv(buf.str(), display, process_env);
}

}  // namespace golive
