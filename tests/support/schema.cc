#include "support/schema.h"

#include <nlohmann/json.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/utils/nlohmann_json_utils.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <fstream>
#include <stdexcept>

namespace newsflow::testing {
namespace {

std::string SchemaDir() { return std::string(NEWSFLOW_SOURCE_DIR) + "/schemas/"; }

nlohmann::json LoadJson(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read schema " + path);
  return nlohmann::json::parse(in);
}

const nlohmann::json* FetchDocument(const std::string& uri) {
  std::string name = uri.substr(uri.find_last_of('/') + 1);
  return new nlohmann::json(LoadJson(SchemaDir() + name));
}

void FreeDocument(const nlohmann::json* doc) { delete doc; }

}  // namespace

struct SchemaValidator::Impl {
  valijson::Schema schema;
};

SchemaValidator::SchemaValidator(const std::string& file) : impl_(std::make_unique<Impl>()) {
  nlohmann::json doc = LoadJson(SchemaDir() + file);
  valijson::SchemaParser parser;
  valijson::adapters::NlohmannJsonAdapter adapter(doc);
  parser.populateSchema(adapter, impl_->schema, FetchDocument, FreeDocument);
}

SchemaValidator::~SchemaValidator() = default;

std::string SchemaValidator::Validate(const std::string& json) const {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(json);
  } catch (const std::exception& e) {
    return std::string("not JSON: ") + e.what();
  }
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter adapter(doc);
  if (validator.validate(impl_->schema, adapter, &results)) return "";
  std::string errors;
  valijson::ValidationResults::Error e;
  while (results.popError(e)) {
    std::string ctx;
    for (const auto& c : e.context) ctx += c;
    errors += ctx + ": " + e.description + "\n";
  }
  return errors;
}

}  // namespace newsflow::testing
