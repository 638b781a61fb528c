// Test helper: reads ../shared/data/maven-crm/sales_pipeline.csv (not copied into the repo:
// its licence is unconfirmed) into columns. `loaded` is false when the file is absent.
#ifndef SALESOPS_TESTS_QUOTA_MAVEN_CRM_HPP
#define SALESOPS_TESTS_QUOTA_MAVEN_CRM_HPP

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <salesops/core/calendar.hpp>

namespace maven {

enum class outcome : std::uint8_t { open, won, lost };

struct pipeline {
  bool loaded = false;
  std::vector<std::string> agent;
  std::vector<outcome> result;
  std::vector<std::int32_t> engage; // engage_date; -1 when missing (Prospecting deals)
  std::vector<std::int32_t> close;  // close_date; -1 when missing (open deals)
  std::vector<double> value;        // close_value (0 for lost deals, 0 when missing)
};

inline std::int32_t parse_day(const std::string& s) {
  if (s.size() != 10) return -1;
  return salesops::make_date(std::stoi(s.substr(0, 4)),
                             static_cast<unsigned>(std::stoi(s.substr(5, 2))),
                             static_cast<unsigned>(std::stoi(s.substr(8, 2))));
}

// The file has no quoted fields (checked: it contains no '"'), so a plain split is exact.
inline pipeline load() {
  pipeline p;
  std::ifstream in(std::string(SALESOPS_SHARED_DATA_DIR) + "/maven-crm/sales_pipeline.csv");
  if (!in) return p;
  std::string line;
  std::getline(in, line); // header
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string field;
    while (std::getline(ss, field, ',')) f.push_back(field);
    if (line.back() == ',') f.emplace_back();
    p.agent.push_back(f.at(1));
    const std::string& stage = f.at(4);
    p.result.push_back(stage == "Won" ? outcome::won : stage == "Lost" ? outcome::lost : outcome::open);
    p.engage.push_back(parse_day(f.at(5)));
    p.close.push_back(parse_day(f.at(6)));
    p.value.push_back(f.at(7).empty() ? 0.0 : std::stod(f.at(7)));
  }
  p.loaded = true;
  return p;
}

} // namespace maven

#endif
