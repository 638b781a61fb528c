// Smallest useful salesops program: proves the umbrella header is found and compiles.
#include <salesops/salesops.hpp>

#include <iostream>
#include <vector>

int main() {
  const std::vector<double> amounts = {0.1, 0.2};
  std::cout << "salesops consumer ok: " << salesops::compensated_sum(amounts) << "\n";
}
