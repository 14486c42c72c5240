// A Stage over a shared object implementing newsflow/plugin_abi.h.
#include <dlfcn.h>

#include <cstring>

#include "newsflow/codec.h"
#include "newsflow/json_writer.h"
#include "newsflow/plugin_abi.h"
#include "newsflow/plugin_stages.h"

namespace newsflow {
namespace {

Result<OptionType> TypeFromName(const char* t) {
  std::string_view s = t == nullptr ? "string" : t;
  if (s == "string") return OptionType::kString;
  if (s == "int") return OptionType::kInt;
  if (s == "double") return OptionType::kDouble;
  if (s == "bool") return OptionType::kBool;
  if (s == "path") return OptionType::kPath;
  return Status::InvalidArgument("unknown option type '" + std::string(s) + "'");
}

class SharedObjectStage final : public Stage {
 public:
  SharedObjectStage(std::string name, const newsflow_plugin_v1* plugin)
      : name_(std::move(name)), plugin_(plugin) {}
  ~SharedObjectStage() override {
    if (instance_ != nullptr) plugin_->destroy(instance_);
  }

  Status Open(StageContext& ctx) override {
    std::string json = "{";
    for (const auto& [k, v] : ctx.settings.values()) {
      if (json.size() > 1) json += ',';
      AppendJsonString(json, k);
      json += ':';
      AppendJsonString(json, v);
    }
    json += '}';
    char error[512] = {0};
    instance_ = plugin_->create(json.data(), json.size(), error, sizeof error);
    if (instance_ == nullptr) {
      error[sizeof error - 1] = 0;
      return Status::InvalidArgument("plug-in " + name_ +
                                     ": create failed: " + (error[0] ? error : "no reason given"));
    }
    return Status::OK();
  }

  Result<Outcome> Process(Article& a) override {
    buf_.clear();
    Codec::Encode(a, buf_);
    newsflow_result_v1 r{};
    int rc = plugin_->process(instance_, buf_.data(), buf_.size(), &r);
    std::string reason = r.reason != nullptr ? r.reason : "";
    if (rc != 0) return Status::Rejected(reason.empty() ? "plug-in error" : reason);
    switch (r.verdict) {
      case NEWSFLOW_FORWARD:
        if (r.record != nullptr) {
          Status s = codec_.Decode(std::string_view(r.record, r.record_len), a);
          if (!s.ok()) return s.WithContext("record from plug-in " + name_);
        }
        return Outcome::Forward();
      case NEWSFLOW_DROP:
        return Outcome::Drop(reason.empty() ? "dropped" : reason);
      case NEWSFLOW_DEAD_LETTER:
        return Status::Rejected(reason.empty() ? "rejected by plug-in" : reason);
      default:
        return Status::Internal("plug-in " + name_ + " returned unknown verdict " +
                                std::to_string(r.verdict));
    }
  }

  Status Close() override {
    if (instance_ != nullptr) plugin_->destroy(instance_);
    instance_ = nullptr;
    return Status::OK();
  }

 private:
  std::string name_;
  const newsflow_plugin_v1* plugin_;
  void* instance_ = nullptr;
  std::string buf_;
  Codec codec_;
};

}  // namespace

Result<StageDescriptor> LoadSharedObjectStage(const std::string& name, const std::string& path) {
  // dlopen searches the library path for names without a slash; a pipeline
  // file names files, so make the path explicit.
  std::string file = path.find('/') == std::string::npos ? "./" + path : path;
  void* handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr)
    return Status::InvalidArgument("plug-in " + name + ": cannot load " + path + ": " + dlerror());
  auto entry = reinterpret_cast<newsflow_plugin_entry_fn>(dlsym(handle, NEWSFLOW_PLUGIN_ENTRY));
  if (entry == nullptr) {
    dlclose(handle);
    return Status::InvalidArgument("plug-in " + name + ": " + path + " does not export " +
                                   NEWSFLOW_PLUGIN_ENTRY + "() (built with hidden visibility? mark it "
                                   "extern \"C\" NEWSFLOW_PLUGIN_EXPORT; see newsflow/plugin_abi.h)");
  }
  const newsflow_plugin_v1* p = entry();
  if (p == nullptr) {
    dlclose(handle);
    return Status::InvalidArgument("plug-in " + name + ": " + path + ": " + NEWSFLOW_PLUGIN_ENTRY +
                                   "() returned NULL");
  }
  // abi_version is the first member in every version: safe to read first.
  if (p->abi_version != NEWSFLOW_PLUGIN_ABI_VERSION) {
    uint32_t found = p->abi_version;
    dlclose(handle);
    return Status::InvalidArgument("plug-in " + name + ": " + path +
                                   " was built for plug-in ABI version " + std::to_string(found) +
                                   "; this newsflow implements version " +
                                   std::to_string(NEWSFLOW_PLUGIN_ABI_VERSION) +
                                   " (rebuild it against this newsflow's plugin_abi.h)");
  }
  if (p->struct_size < sizeof(newsflow_plugin_v1) || p->create == nullptr ||
      p->process == nullptr || p->destroy == nullptr) {
    dlclose(handle);
    return Status::InvalidArgument("plug-in " + name + ": " + path +
                                   ": incomplete descriptor (struct_size or a function missing)");
  }
  if (p->option_count > 0 && p->options == nullptr) {
    const size_t declared = p->option_count;  // the library's memory: read before dlclose
    dlclose(handle);
    return Status::InvalidArgument("plug-in " + name + ": " + path + ": incomplete descriptor (" +
                                   std::to_string(declared) + " options declared, no option table)");
  }
  StageDescriptor d;
  d.name = name;
  d.description = std::string("Plug-in ") + (p->name ? p->name : "?") + " (" + path + ")" +
                  (p->description ? std::string(": ") + p->description : "");
  for (size_t i = 0; i < p->option_count; ++i) {
    const newsflow_option_v1& o = p->options[i];
    if (o.key == nullptr || *o.key == '\0') {
      dlclose(handle);
      return Status::InvalidArgument("plug-in " + name + ": " + path + ": option " +
                                     std::to_string(i) + " has no key");
    }
    auto t = TypeFromName(o.type);
    if (!t.ok()) {
      Status refused = t.status().WithContext("plug-in " + name + " option " + o.key);
      dlclose(handle);  // o.key is the library's: read before
      return refused;
    }
    d.options.push_back(
        {o.key ? o.key : "", *t, o.default_value ? o.default_value : "", o.help ? o.help : ""});
  }
  // The handle is never closed: instances may outlive any one descriptor copy.
  d.create = [name, p] { return std::make_unique<SharedObjectStage>(name, p); };
  return d;
}

}  // namespace newsflow
