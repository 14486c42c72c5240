// An ArticleSink that keeps what it is given, for producer tests.
#pragma once

#include <chrono>
#include <vector>

#include "newsflow/sink.h"

namespace newsflow::testing {

class MemorySink : public ArticleSink {
 public:
  Status Publish(const Article& a) override {
    articles.push_back(a);
    return Status::OK();
  }
  Status PublishDeadLetter(const DeadLetter& d) override {
    dead.push_back(d);
    return Status::OK();
  }
  Status Flush(std::chrono::milliseconds) override { return Status::OK(); }
  std::vector<Article> articles;
  std::vector<DeadLetter> dead;
};

}  // namespace newsflow::testing
