// Test support: validate records against schemas/*.schema.json with valijson.
#pragma once

#include <memory>
#include <string>

namespace newsflow::testing {

class SchemaValidator {
 public:
  // Loads `schemas/<file>`; $refs to sibling files are resolved from schemas/.
  explicit SchemaValidator(const std::string& file);
  ~SchemaValidator();
  // "" when `json` is valid, else the validator's errors.
  std::string Validate(const std::string& json) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace newsflow::testing
