// The consumer's own context object (ctx.user<Settings>()) and its "database": a folder of files.
#pragma once

#include <string>

struct Settings {
  std::string db;  // the folder the migrations change
};

// Creates `path` holding `text`; throws std::runtime_error when it exists already.
void create_file(const std::string& path, const std::string& text);
