#pragma once
/// Exceptions a user can meet. Each message says what is wrong and what to do.

#include <stdexcept>
#include <string>

namespace jug {

/// Base of every error jug raises on purpose.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A stored record failed its checks (bad magic, truncated, checksum).
class CorruptRecord : public Error {
 public:
  using Error::Error;
};

/// A stored result holds another type than its task now returns (the
/// task's code changed and its results were not invalidated).
class ResultTypeMismatch : public CorruptRecord {
 public:
  using CorruptRecord::CorruptRecord;
};

/// The store could not be read or written (permissions, full disk, server).
class StoreError : public Error {
 public:
  using Error::Error;
};

/// An error raised by code in another language (a Python task's
/// exception): `kind` is its type as that language names it ("ValueError"),
/// which failure messages show in place of a C++ type.
class ForeignError : public Error {
 public:
  ForeignError(std::string kind, const std::string& message)
      : Error(message), kind_(std::move(kind)) {}
  const std::string& kind() const { return kind_; }

 private:
  std::string kind_;
};

/// A value was asked for before its task has run.
class ValueNotAvailable : public Error {
 public:
  using Error::Error;
};

}  // namespace jug
