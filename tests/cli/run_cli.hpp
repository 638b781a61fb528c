// Runs the salesops command line in-process on string streams, for the tests in tests/cli.
#ifndef SALESOPS_TESTS_CLI_RUN_CLI_HPP
#define SALESOPS_TESTS_CLI_RUN_CLI_HPP

#include "cli.hpp"

#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

/// What one run of the program gave: exit status, standard output, standard error.
struct cli_result {
  int status;
  std::string out;
  std::string err;
};

/// Runs `argv` (argv[0] is the program name) with `input` as standard input.
inline cli_result run_argv(const std::vector<const char*>& argv, const std::string& input = {}) {
  std::istringstream in(input);
  std::ostringstream out, err;
  const int status = salesops_cli::run(static_cast<int>(argv.size()), argv.data(), in, out, err);
  return {status, out.str(), err.str()};
}

/// Runs `salesops args...` with empty standard input.
inline cli_result run_args(std::vector<std::string> args) {
  args.insert(args.begin(), "salesops");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  return run_argv(argv);
}

/// A fresh folder under the system's temporary directory, removed with everything in it when
/// the object is destroyed. ctest runs each test case as its own process, in parallel: the
/// process id in the name keeps their folders apart.
struct temp_dir {
  std::filesystem::path path;
  explicit temp_dir(const std::string& name)
      : path(std::filesystem::temp_directory_path() /
             ("salesops_test_" + name + "_" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~temp_dir() {
    std::error_code ignored; // a destructor must not throw
    std::filesystem::remove_all(path, ignored);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
};

#endif // SALESOPS_TESTS_CLI_RUN_CLI_HPP
