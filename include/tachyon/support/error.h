// Errors and diagnostics.
//
// Every user-facing error names what it is about: the file, the node (its original
// model name), the op and what is wrong, in the form
//   model.onnx: node 'conv1' (Conv): error: attribute 'pads' has 3 values, expected 4
// Errors are thrown as tachyon::Error. Passes and frontends that can find several
// problems at once collect them in a Diagnostics and throw them together.
#pragma once

#include <fmt/format.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace tachyon {

struct Diagnostic {
  std::string file;     // model or config file, may be empty
  std::string node;     // node name as in the model, may be empty
  std::string op;       // op type as in the model, may be empty
  std::string message;  // what is wrong

  std::string str() const;
};

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
  explicit Error(const Diagnostic& d) : std::runtime_error(d.str()), diagnostics_{d} {}
  explicit Error(std::vector<Diagnostic> ds);

  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

 private:
  std::vector<Diagnostic> diagnostics_;
};

// Throws tachyon::Error with a fmt-formatted message.
template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> f, Args&&... args) {
  throw Error(fmt::format(f, std::forward<Args>(args)...));
}

// Collects diagnostics; throw_if_any() throws all of them at once.
class Diagnostics {
 public:
  explicit Diagnostics(std::string file = {}) : file_(std::move(file)) {}
  void error(std::string node, std::string op, std::string message) {
    list_.push_back({file_, std::move(node), std::move(op), std::move(message)});
  }
  void add(Diagnostic d) { list_.push_back(std::move(d)); }
  bool empty() const { return list_.empty(); }
  size_t size() const { return list_.size(); }
  const std::vector<Diagnostic>& list() const { return list_; }
  const std::string& file() const { return file_; }
  void throw_if_any() const {
    if (!list_.empty()) throw Error(list_);
  }

 private:
  std::string file_;
  std::vector<Diagnostic> list_;
};

}  // namespace tachyon
