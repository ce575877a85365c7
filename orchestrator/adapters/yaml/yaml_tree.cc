#include "orchestrator/adapters/yaml/yaml_tree.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <sstream>

namespace golive {
namespace {

SourcePos pos_of(const YAML::Mark& mark) {
  if (mark.line < 0 || mark.column < 0) return SourcePos{};
  return SourcePos{mark.line + 1, mark.column + 1};
}

class Converter {
 public:
  explicit Converter(std::vector<YamlProblem>& problems) : problems_(problems) {}

  // False once a budget is exhausted (already reported); the partial tree is discarded.
  bool convert(const YAML::Node& in, YamlNode& out, int depth) {
    if (++nodes_ > kMaxYamlNodes) {
      problems_.push_back(YamlProblem{
          pos_of(in.Mark()), "the document expands to more than " + std::to_string(kMaxYamlNodes) +
                                 " YAML nodes; refusing it (aliases that multiply like this are an "
                                 "\"alias bomb\")"});
      return false;
    }
    if (depth > kMaxYamlDepth) {
      problems_.push_back(
          YamlProblem{pos_of(in.Mark()),
                      "YAML nested more than " + std::to_string(kMaxYamlDepth) + " levels deep"});
      return false;
    }
    out.pos = pos_of(in.Mark());
    switch (in.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        out.kind = YamlNode::Kind::kNull;
        return true;
      case YAML::NodeType::Scalar:
        out.kind = YamlNode::Kind::kScalar;
        out.scalar = in.Scalar();
        return true;
      case YAML::NodeType::Sequence:
        out.kind = YamlNode::Kind::kSequence;
        out.items.reserve(in.size());
        for (const auto& item : in) {
          if (!convert(item, out.items.emplace_back(), depth + 1)) return false;
        }
        return true;
      case YAML::NodeType::Map:
        out.kind = YamlNode::Kind::kMap;
        for (const auto& kv : in) {
          if (!kv.first.IsScalar()) {
            problems_.push_back(
                YamlProblem{pos_of(kv.first.Mark()), "mapping keys must be plain strings"});
            continue;
          }
          auto& entry = out.entries.emplace_back();
          entry.key_pos = pos_of(kv.first.Mark());
          entry.key = kv.first.Scalar();
          if (!convert(kv.second, entry.value, depth + 1)) return false;
          // yaml-cpp places an empty value at the next token; the key is where the eye goes.
          if (entry.value.is_null()) entry.value.pos = entry.key_pos;
        }
        return true;
    }
    return true;
  }

 private:
  std::vector<YamlProblem>& problems_;
  std::size_t nodes_ = 0;
};

// The position of a tab in the indentation of line `line` or the few lines before it, if any:
// YAML forbids tabs there and yaml-cpp's own message does not say so.
SourcePos find_indentation_tab(std::string_view text, int line) {
  int current = 1;
  std::size_t start = 0;
  while (start <= text.size() && current <= line) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    if (current >= line - 3) {
      for (std::size_t k = start; k < end && (text[k] == ' ' || text[k] == '\t'); ++k) {
        if (text[k] == '\t') return SourcePos{current, static_cast<int>(k - start) + 1};
      }
    }
    start = end + 1;
    ++current;
  }
  return SourcePos{};
}

// Counts documents from the parser's events, building nothing. yaml-cpp 0.7's LoadAll loops
// forever (allocating) on some garbage, e.g. a file that starts with `,` (found by the
// runbook_loader fuzz target): its parser keeps yielding documents without consuming input.
class DocumentCounter final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override {
    if (++documents == 2) second = mark;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

  int documents = 0;
  YAML::Mark second;  // where a second document starts
};

// The file's first document (none for an empty file) and where a second one starts, if any:
// LoadAll's work, with the document loop bounded at two.
struct Documents {
  std::optional<YAML::Node> first;
  std::optional<YAML::Mark> second;
};
Documents load_documents(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentCounter counter;
  for (int i = 0; i < 2 && parser.HandleNextDocument(counter); ++i) {
  }
  Documents docs;
  if (counter.documents == 0) return docs;
  docs.first = YAML::Load(text);
  if (counter.documents > 1) docs.second = counter.second;
  return docs;
}

}  // namespace

std::optional<YamlNode> parse_yaml(std::string_view text, std::vector<YamlProblem>& problems) {
  Documents docs;
  try {
    docs = load_documents(std::string(text));
  } catch (const YAML::DeepRecursion& e) {
    problems.push_back(YamlProblem{pos_of(e.mark), "YAML nested too deeply (more than " +
                                                       std::to_string(e.depth()) + " levels)"});
    return std::nullopt;
  } catch (const YAML::Exception& e) {
    SourcePos pos = pos_of(e.mark);
    const SourcePos tab = find_indentation_tab(text, pos.line);
    if (tab.line > 0) {
      problems.push_back(
          YamlProblem{tab, "tab character in indentation: YAML indents with spaces only"});
    } else {
      problems.push_back(YamlProblem{pos, "YAML syntax error: " + e.msg});
    }
    return std::nullopt;
  }
  if (!docs.first) return YamlNode{};
  if (docs.second) {
    problems.push_back(
        YamlProblem{pos_of(*docs.second),
                    "more than one YAML document (`---`); a runbook is a single document"});
  }
  YamlNode root;
  Converter converter(problems);
  if (!converter.convert(*docs.first, root, 0)) return std::nullopt;
  return root;
}

}  // namespace golive
