// Compiled as C++20 by tests/CMakeLists.txt: the whole library must build under both standards.
#include <salesops/salesops.hpp>
