// A minimal contiguous view (C++20's std::span, reduced to what salesops needs), so hot
// paths take columns from any contiguous container: std::vector, std::array, Eigen
// vectors, or a raw pointer and a size, without copying.
#ifndef SALESOPS_CORE_SPAN_HPP
#define SALESOPS_CORE_SPAN_HPP

#include <cstddef>
#include <type_traits>
#include <utility>

namespace salesops {

/// \brief Non-owning view of `size()` contiguous elements of type T (T may be const).
template <class T> class span {
public:
  using element_type = T;                   ///< element type, possibly const
  using value_type = std::remove_cv_t<T>;   ///< element type without const
  using iterator = T*;                      ///< contiguous iterator

  /// \brief An empty view.
  constexpr span() noexcept = default;
  /// \brief A view of `size` elements starting at `data`.
  constexpr span(T* data, std::size_t size) noexcept : data_(data), size_(size) {}
  /// \brief A view of any container with contiguous `data()` and `size()`.
  template <class Container,
            class = std::enable_if_t<
                !std::is_same_v<std::decay_t<Container>, span> &&
                std::is_convertible_v<decltype(std::declval<Container&>().data()), T*>>>
  constexpr span(Container& c) noexcept // NOLINT(google-explicit-constructor): a view
      : data_(c.data()), size_(static_cast<std::size_t>(c.size())) {}
  /// \brief A const view of a mutable view.
  template <class U, class = std::enable_if_t<std::is_convertible_v<U*, T*>>>
  constexpr span(span<U> other) noexcept : data_(other.data()), size_(other.size()) {}

  /// \brief Pointer to the first element.
  constexpr T* data() const noexcept { return data_; }
  /// \brief Number of elements.
  constexpr std::size_t size() const noexcept { return size_; }
  /// \brief True when the view holds no element.
  constexpr bool empty() const noexcept { return size_ == 0; }
  /// \brief Element i (unchecked, like std::span).
  constexpr T& operator[](std::size_t i) const noexcept { return data_[i]; }
  /// \brief Iterator to the first element.
  constexpr T* begin() const noexcept { return data_; }
  /// \brief Iterator past the last element.
  constexpr T* end() const noexcept { return data_ + size_; }
  /// \brief The `count` elements starting at `offset` (unchecked).
  constexpr span subspan(std::size_t offset, std::size_t count) const noexcept {
    return span(data_ + offset, count);
  }

private:
  T* data_ = nullptr;
  std::size_t size_ = 0;
};

template <class Container>
span(Container&) -> span<std::remove_pointer_t<decltype(std::declval<Container&>().data())>>;
template <class T> span(T*, std::size_t) -> span<T>;

} // namespace salesops

#endif // SALESOPS_CORE_SPAN_HPP
