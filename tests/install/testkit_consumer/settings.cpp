#include "settings.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>

void create_file(const std::string& path, const std::string& text) {
  if (std::filesystem::exists(path)) throw std::runtime_error(path + " exists already");
  std::ofstream(path) << text;
}
