#include "newsflow/health.h"

#include <map>
#include <memory>

namespace newsflow {

void HealthBoard::Condition::Set(bool up, std::string detail) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    detail_ = std::move(detail);
  }
  up_.store(up, std::memory_order_release);
}

std::string HealthBoard::Condition::detail() const {
  std::lock_guard<std::mutex> lock(mu_);
  return detail_;
}

HealthBoard& HealthBoard::For(prometheus::Registry& registry) {
  static std::mutex mu;
  static std::map<const prometheus::Registry*, std::unique_ptr<HealthBoard>> boards;
  std::lock_guard<std::mutex> lock(mu);
  auto& b = boards[&registry];
  if (b == nullptr) b = std::make_unique<HealthBoard>();
  return *b;
}

HealthBoard::Condition& HealthBoard::Add(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  conditions_.emplace_back();
  conditions_.back().name_ = name;
  return conditions_.back();
}

void HealthBoard::Drop(Condition& c) {
  std::lock_guard<std::mutex> lock(mu_);
  conditions_.remove_if([&c](const Condition& x) { return &x == &c; });
}

bool HealthBoard::Ready(std::string* why) const {
  std::lock_guard<std::mutex> lock(mu_);
  bool ready = true;
  for (const auto& c : conditions_) {
    bool up = c.up();
    ready = ready && up;
    if (why != nullptr)
      *why += c.name() + ": " + (up ? "ready" : "not ready") + " (" + c.detail() + ")\n";
  }
  return ready;
}

}  // namespace newsflow
