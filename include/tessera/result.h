// tessera/result.h — Result<T>: a value or an Error.
//
// g++ 12 and clang 14 both build tessera and clang 14 cannot use std::expected
// with this libstdc++, so tessera has its own small [[nodiscard]] Result.
//
//   Result<uint16_t> r = reader.read_u16();
//   if (!r) return r.error();
//   TESSERA_ASSIGN_OR_RETURN(auto v, reader.read_u16());   // same, shorter
//   TESSERA_TRY(writer_result);                            // Result<void>
#pragma once

#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

#include "tessera/error.h"

namespace tessera {

namespace result_internal {
// result_misuse reports a Result read the wrong way (value() of an error,
// error() of a value) on stderr, with the error when there is one, and
// aborts: in every build, not only where assert is on.
[[noreturn]] void result_misuse(const char* what, const Error* error);
}  // namespace result_internal

template <class T>
class [[nodiscard]] Result {
 public:
  static_assert(!std::is_same_v<std::decay_t<T>, Error>, "Result<Error> is not meaningful");

  Result(const T& value) : v_(std::in_place_index<0>, value) {}
  Result(T&& value) : v_(std::in_place_index<0>, std::move(value)) {}
  template <class U, class = std::enable_if_t<std::is_constructible_v<T, U&&> &&
                                              !std::is_same_v<std::decay_t<U>, T> &&
                                              !std::is_same_v<std::decay_t<U>, Error> &&
                                              !std::is_same_v<std::decay_t<U>, Result>>>
  Result(U&& value) : v_(std::in_place_index<0>, T(std::forward<U>(value))) {}
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // value() of an error, or error() of a value, is a bug in the caller:
  // it aborts with the error (result_internal::result_misuse).
  T& value() & {
    check_value();
    return *std::get_if<0>(&v_);
  }
  const T& value() const& {
    check_value();
    return *std::get_if<0>(&v_);
  }
  T&& value() && {
    check_value();
    return std::move(*std::get_if<0>(&v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }

  const Error& error() const& {
    check_error();
    return *std::get_if<1>(&v_);
  }
  Error&& error() && {
    check_error();
    return std::move(*std::get_if<1>(&v_));
  }

 private:
  void check_value() const {
    if (!ok()) [[unlikely]]
      result_internal::result_misuse("Result::value() called on an error", std::get_if<1>(&v_));
  }
  void check_error() const {
    if (ok()) [[unlikely]]
      result_internal::result_misuse("Result::error() called on a value", nullptr);
  }
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : e_(std::move(error)) {}

  bool ok() const { return !e_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const& {
    if (ok()) [[unlikely]]
      result_internal::result_misuse("Result<void>::error() called on success", nullptr);
    return *e_;
  }
  Error&& error() && {
    if (ok()) [[unlikely]]
      result_internal::result_misuse("Result<void>::error() called on success", nullptr);
    return std::move(*e_);
  }

 private:
  std::optional<Error> e_;
};

// ok() is the successful Result<void>.
inline Result<void> ok() { return {}; }

}  // namespace tessera

#define TESSERA_CONCAT_INNER_(a, b) a##b
#define TESSERA_CONCAT_(a, b) TESSERA_CONCAT_INNER_(a, b)

// TESSERA_TRY(expr): evaluate a Result; on failure return its Error.
#define TESSERA_TRY(expr)                                               \
  do {                                                                  \
    auto&& tessera_try_r_ = (expr);                                     \
    if (!tessera_try_r_.ok()) return std::move(tessera_try_r_).error(); \
  } while (0)

// TESSERA_ASSIGN_OR_RETURN(decl, expr): evaluate a Result<T>; on failure
// return its Error, else move the value into `decl` (e.g. `auto x`).
#define TESSERA_ASSIGN_OR_RETURN(decl, expr) \
  TESSERA_ASSIGN_OR_RETURN_IMPL_(TESSERA_CONCAT_(tessera_r_, __LINE__), decl, expr)
#define TESSERA_ASSIGN_OR_RETURN_IMPL_(tmp, decl, expr) \
  auto tmp = (expr);                                    \
  if (!tmp.ok()) return std::move(tmp).error();         \
  decl = std::move(tmp).value()
