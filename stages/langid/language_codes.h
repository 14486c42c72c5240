// Maps each engine's labels onto newsflow's language codes: ISO 639-1 where
// one exists, else ISO 639-3 ("ckb", "kmr", "prs"), "und" for no answer.
//
// The engines disagree on label sets (CLD2 says "iw" for Hebrew and "ku" for
// Kurdish; fastText's lid.176 says "ku" for Kurmanji and "arz" for Egyptian
// Arabic), so every label goes through the engine's own map. A bare "ku" is
// never passed on: it becomes "kmr" in Latin script, "ckb" in Arabic script
// and "und" in any other script.
//
// Thread-safety: pure functions over static tables.
#pragma once

#include <string_view>

#include <unicode/uscript.h>

namespace newsflow::langid {

inline constexpr std::string_view kUnd = "und";

// `label` is CLD2's LanguageCode() string ("en", "iw", "zh-Hant", "xx-Arab").
std::string_view MapCld2Code(std::string_view label, UScriptCode script);

// `label` is a lid.176 label with or without the "__label__" prefix.
std::string_view MapFastTextLabel(std::string_view label, UScriptCode script);

}  // namespace newsflow::langid
