// The web UI (ui/dist) compiled into the binary: generated at build time by
// src/dashboard/embed (see src/dashboard/CMakeLists.txt). Immutable; thread-safe.
#pragma once

#include <span>
#include <string_view>

namespace auric::dashboard {

struct EmbeddedFile {
  std::string_view path;  // "/index.html", "/assets/index-<hash>.js", ...
  std::string_view data;
};

// Every file of ui/dist, sorted by path. index.html holds `__AURIC_TOKEN__` exactly once.
std::span<const EmbeddedFile> embedded_ui_files();

}  // namespace auric::dashboard
