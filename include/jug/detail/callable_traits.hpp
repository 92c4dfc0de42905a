#pragma once
/// The parameter types of a callable, where they can be known: free functions,
/// function pointers, lambdas and function objects with one operator().
/// Generic lambdas have no fixed parameters: `known` is false for them and jug
/// takes the argument types as given.

#include <tuple>
#include <type_traits>

namespace jug::detail {

template <class... Params>
struct KnownParams {
  static constexpr bool known = true;
  using params = std::tuple<Params...>;
};

template <class F, class = void>
struct CallableParams {
  static constexpr bool known = false;
};

template <class R, class... A>
struct CallableParams<R (*)(A...)> : KnownParams<A...> {};
template <class R, class... A>
struct CallableParams<R (*)(A...) noexcept> : KnownParams<A...> {};
template <class R, class... A>
struct CallableParams<R(A...)> : KnownParams<A...> {};

template <class M>
struct MemberCallParams {
  static constexpr bool known = false;
};
#define JUG_DETAIL_MEMBER_PARAMS(QUALIFIERS)                  \
  template <class R, class C, class... A>                     \
  struct MemberCallParams<R (C::*)(A...) QUALIFIERS> : KnownParams<A...> {};
JUG_DETAIL_MEMBER_PARAMS()
JUG_DETAIL_MEMBER_PARAMS(const)
JUG_DETAIL_MEMBER_PARAMS(noexcept)
JUG_DETAIL_MEMBER_PARAMS(const noexcept)
JUG_DETAIL_MEMBER_PARAMS(&)
JUG_DETAIL_MEMBER_PARAMS(const&)
#undef JUG_DETAIL_MEMBER_PARAMS

template <class F>
struct CallableParams<F, std::void_t<decltype(&F::operator())>>
    : MemberCallParams<decltype(&F::operator())> {};

/// What calling F with the types of a parameter tuple returns.
template <class F, class Tuple>
struct InvokeResultOfTuple;
template <class F, class... P>
struct InvokeResultOfTuple<F, std::tuple<P...>> {
  using type = std::invoke_result_t<F, P...>;
};

}  // namespace jug::detail
