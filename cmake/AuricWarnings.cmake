# Warning and sanitizer flags shared by every target of the project (not by consumers).
add_library(auric_warnings INTERFACE)
target_compile_options(auric_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wimplicit-fallthrough
  -Wno-missing-field-initializers  # designated initialisers may omit defaulted members
  -Wno-restrict  # GCC 12 false positives in std::string at -O2 (GCC bug 105329)
  $<$<BOOL:${AURIC_WERROR}>:-Werror>)
if(AURIC_SANITIZE)
  target_compile_options(auric_warnings INTERFACE -fsanitize=address,undefined
                         -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(auric_warnings INTERFACE -fsanitize=address,undefined)
endif()
