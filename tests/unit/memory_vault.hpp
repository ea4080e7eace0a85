#pragma once
// An in-memory secret store for deploy's unit tests: versions, labels and usage records as the real
// one keeps them, no database and no key.
#include <map>
#include <mutex>

#include "store/vault.hpp"

namespace stackup::testing {

class MemoryVault final : public store::Vault {
 public:
  base::Result<store::SecretInfo> inspect(const std::string& name) override {
    const std::lock_guard lock(mutex_);
    const auto it = secrets_.find(name);
    if (it == secrets_.end()) return base::fail("secret not found: " + name);
    return with_usages(it->second.info);
  }
  base::Result<std::optional<store::SecretInfo>> lookup(const std::string& name) override {
    auto info = inspect(name);
    return info ? std::optional<store::SecretInfo>(*info) : std::nullopt;
  }
  base::Result<std::vector<store::SecretInfo>> list(const std::vector<store::LabelFilter>& filters) override {
    std::vector<store::SecretInfo> out;
    const std::lock_guard lock(mutex_);
    for (const auto& [name, secret] : secrets_) {
      const bool matches = std::all_of(filters.begin(), filters.end(), [&](const store::LabelFilter& filter) {
        const auto it = secret.info.labels.find(filter.key);
        return it != secret.info.labels.end() && (!filter.value || it->second == *filter.value);
      });
      if (matches) out.push_back(with_usages(secret.info));
    }
    return out;
  }
  base::Result<base::SecretBytes> reveal(const std::string& name, std::optional<int> version) override {
    const std::lock_guard lock(mutex_);
    const auto it = secrets_.find(name);
    if (it == secrets_.end()) return base::fail("secret not found: " + name);
    return base::SecretBytes(it->second.versions.at(version.value_or(it->second.info.version) - 1));
  }
  base::Result<std::pair<store::SecretInfo, store::PutOutcome>> put(const std::string& name, const base::SecretBytes& value,
                                                                     const std::map<std::string, std::string>& labels) override {
    const std::lock_guard lock(mutex_);
    auto& secret = secrets_[name];
    secret.info.name = name;
    secret.info.labels = labels;
    auto outcome = store::PutOutcome::unchanged;
    if (secret.versions.empty() || secret.versions.back() != value.view()) {
      outcome = secret.versions.empty() ? store::PutOutcome::created : store::PutOutcome::rotated;
      secret.versions.emplace_back(value.view());
      secret.info.version = static_cast<int>(secret.versions.size());
      secret.info.size = value.size();
    }
    return std::pair{secret.info, outcome};
  }
  base::Result<void> remove(const std::string& name) override {
    const std::lock_guard lock(mutex_);
    secrets_.erase(name);
    return {};
  }
  base::Result<bool> holds_value(const std::string& name, int version, const base::SecretBytes& value) override {
    auto stored = reveal(name, version);
    return stored && stored->view() == value.view();
  }
  base::Result<std::string> fingerprint(const base::SecretBytes& value) override {
    return "fp-" + std::to_string(std::hash<std::string_view>{}(value.view()));
  }
  base::Result<void> set_usages(const std::string& stack,
                                const std::vector<std::pair<std::string, store::SecretUsage>>& usages) override {
    const std::lock_guard lock(mutex_);
    usages_[stack] = usages;
    return {};
  }

 private:
  store::SecretInfo with_usages(store::SecretInfo info) const {
    for (const auto& [stack, usages] : usages_) {
      for (const auto& [secret, usage] : usages) {
        if (secret == info.name) info.used_by.push_back(usage);
      }
    }
    return info;
  }

  struct Secret {
    store::SecretInfo info;
    std::vector<std::string> versions;  // a test double: plain strings are fine here
  };
  std::map<std::string, Secret> secrets_;
  std::map<std::string, std::vector<std::pair<std::string, store::SecretUsage>>> usages_;
  std::mutex mutex_;
};

}  // namespace stackup::testing
