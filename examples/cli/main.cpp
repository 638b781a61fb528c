// Entry point of the `salesops` program; the subcommands register themselves (cmd_*.cpp).
#include "cli.hpp"

#include <iostream>

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  return salesops_cli::run(argc, argv, std::cin, std::cout, std::cerr);
}
