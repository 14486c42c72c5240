#include "language_codes.h"

#include <array>
#include <utility>

namespace newsflow::langid {
namespace {

using Rename = std::pair<std::string_view, std::string_view>;

// Old or non-ISO codes CLD2 still emits.
constexpr std::array<Rename, 6> kCld2Renames = {{
    {"iw", "he"},
    {"jw", "jv"},
    {"zh-Hant", "zh"},
    {"sr-ME", "sr"},
    {"nb", "no"},
    {"mo", "ro"},
}};

// Wikipedia-style labels of lid.176 that are not the ISO code of the
// language they name, or dialect labels a news feed reports under the
// macrolanguage.
constexpr std::array<Rename, 4> kFastTextRenames = {{
    {"arz", "ar"},   // Egyptian Arabic: Arabic-script news readers expect "ar"
    {"als", "gsw"},  // Wikipedia's "als" is Alemannic; ISO "als" is Tosk Albanian
    {"bh", "bho"},   // Wikipedia's Bihari collection is mostly Bhojpuri
    {"eml", "egl"},  // Emilian-Romagnol (retired code); Emilian
}};

std::string_view Kurdish(UScriptCode script) {
  switch (script) {
    case USCRIPT_LATIN:
      return "kmr";
    case USCRIPT_ARABIC:
      return "ckb";
    default:
      return kUnd;
  }
}

}  // namespace

std::string_view MapCld2Code(std::string_view label, UScriptCode script) {
  if (label.empty() || label == "un" || label == "xxx" || label.starts_with("xx-")) return kUnd;
  if (label == "ku") return Kurdish(script);
  for (const auto& [from, to] : kCld2Renames) {
    if (label == from) return to;
  }
  return label;
}

std::string_view MapFastTextLabel(std::string_view label, UScriptCode script) {
  constexpr std::string_view kPrefix = "__label__";
  if (label.starts_with(kPrefix)) label.remove_prefix(kPrefix.size());
  if (label.empty()) return kUnd;
  if (label == "ku") return Kurdish(script);
  for (const auto& [from, to] : kFastTextRenames) {
    if (label == from) return to;
  }
  return label;
}

}  // namespace newsflow::langid
