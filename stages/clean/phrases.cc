#include "phrases.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "normalize.h"

namespace newsflow::clean {

Status PhraseLists::Add(std::string_view reason, std::string_view action, std::string_view match,
                        std::string_view phrase) {
  Entry e;
  e.reason = std::string(reason);
  if (action == "drop") e.action = PhraseAction::kDrop;
  else if (action == "cut") e.action = PhraseAction::kCut;
  else if (action == "published") e.action = PhraseAction::kPublished;
  else if (action == "updated") e.action = PhraseAction::kUpdated;
  else if (action == "credit") e.action = PhraseAction::kCredit;
  else if (action == "agency") e.action = PhraseAction::kAgency;
  else return Status::InvalidArgument("phrase action '" + std::string(action) + "'");
  e.phrase = Normalizer::Fold(phrase);
  if (e.phrase.empty()) return Status::OK();
  if (match == "line") {
    std::string key = e.phrase;
    exact_.emplace(std::move(key), std::move(e));
  } else if (match == "prefix" || match == "contains") {
    std::string first = e.phrase.substr(0, e.phrase.find(' '));
    if (match == "contains") contains_filter_[FilterKey(first)] = true;
    if (e.action == PhraseAction::kCredit || e.action == PhraseAction::kAgency) {
      credit_filter_[FilterKey(first)] = true;
    }
    auto& bucket = (match == "prefix" ? prefix_ : contains_)[first];
    bucket.push_back(std::move(e));
    // Longer phrases first, so "read also" beats "read".
    std::stable_sort(bucket.begin(), bucket.end(),
                     [](const Entry& a, const Entry& b) { return a.phrase.size() > b.phrase.size(); });
  } else {
    return Status::InvalidArgument("phrase match '" + std::string(match) + "'");
  }
  ++count_;
  return Status::OK();
}

Status PhraseLists::LoadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("phrases: cannot open " + path);
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string_view> f;
    std::string_view rest(line);
    for (int k = 0; k < 3; ++k) {
      size_t tab = rest.find('\t');
      if (tab == std::string_view::npos) break;
      f.push_back(rest.substr(0, tab));
      rest.remove_prefix(tab + 1);
    }
    if (f.size() != 3) {
      return Status::InvalidArgument(path + ":" + std::to_string(lineno) + ": want 4 tab-separated fields");
    }
    NEWSFLOW_RETURN_IF_ERROR(
        Add(f[0], f[1], f[2], rest).WithContext(path + ":" + std::to_string(lineno)));
  }
  return Status::OK();
}

Status PhraseLists::LoadDir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".tsv") files.push_back(e.path());
  }
  if (ec) return Status::NotFound("phrases: cannot list " + dir + ": " + ec.message());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) NEWSFLOW_RETURN_IF_ERROR(LoadFile(f.string()));
  return Status::OK();
}

PhraseHit PhraseLists::Match(std::string_view folded) const {
  PhraseHit hit;
  if (folded.empty()) return hit;
  if (auto it = exact_.find(folded); it != exact_.end()) {
    hit.reason = &it->second.reason;
    hit.action = it->second.action;
    hit.whole_line = true;
    hit.at_start = true;
    hit.multi_word = it->second.phrase.find(' ') != std::string::npos;
    hit.phrase_len = it->second.phrase.size();
    hit.may_credit = true;  // not looked at: the caller checks
    return hit;
  }
  auto at_word = [](std::string_view line, size_t pos, const std::string& phrase) {
    return line.size() >= pos + phrase.size() && line.compare(pos, phrase.size(), phrase) == 0 &&
           (line.size() == pos + phrase.size() || line[pos + phrase.size()] == ' ');
  };
  size_t sp = 0;
  while (sp < folded.size() && folded[sp] != ' ') ++sp;
  if (auto it = prefix_.find(folded.substr(0, sp)); it != prefix_.end()) {
    for (const Entry& e : it->second) {
      if (at_word(folded, 0, e.phrase)) {
        hit.reason = &e.reason;
        hit.action = e.action;
        hit.whole_line = folded.size() == e.phrase.size();
        hit.at_start = true;
        hit.multi_word = e.phrase.find(' ') != std::string::npos;
        hit.phrase_len = e.phrase.size();
        hit.may_credit = true;
        return hit;
      }
    }
  }
  bool may_credit = false;
  size_t pos = 0;
  while (pos < folded.size()) {
    size_t end = pos;
    while (end < folded.size() && folded[end] != ' ') ++end;
    const size_t key = end == pos ? 0 : FilterKey(folded.substr(pos, end - pos));
    if (end == pos || !contains_filter_[key]) {
      pos = end + 1;
      continue;
    }
    may_credit |= credit_filter_[key];
    if (auto it = contains_.find(folded.substr(pos, end - pos)); it != contains_.end()) {
      for (const Entry& e : it->second) {
        if (at_word(folded, pos, e.phrase)) {
          hit.reason = &e.reason;
          hit.action = e.action;
          hit.whole_line = folded.size() == e.phrase.size();
          hit.at_start = pos == 0;
          hit.multi_word = e.phrase.find(' ') != std::string::npos;
          hit.phrase_len = e.phrase.size();
          hit.may_credit = true;
          return hit;
        }
      }
    }
    pos = end + 1;
  }
  hit.may_credit = may_credit;
  return hit;
}

}  // namespace newsflow::clean
