// Untrusted text (step output, commit subjects, names, reasons) on its way to a terminal, a log
// file or a CI page: control characters are rendered visibly so they cannot retitle the window,
// write the clipboard (OSC 52), clear the screen or overwrite golive's own lines with `\r`.
#pragma once

#include <string>
#include <string_view>

namespace golive {

// `text` with every C0 control (ESC -> "^[", CR -> "^M", ...), DEL ("^?") and C1 control
// (U+0080..U+009F -> "<U+009B>") made visible. Tabs stay; newlines stay when `keep_newlines`,
// otherwise they become "^J". The one helper every sink uses (Reporter console and log, JUnit,
// CI summaries and annotations, history/show).
std::string visible(std::string_view text, bool keep_newlines = false);

// `text` safe inside HTML or XML text and attribute values: & < > " ' escaped (' as &#39;, which
// both read). The one escaper of the HTML reports and the JUnit files.
std::string markup_escape(std::string_view text);

}  // namespace golive
