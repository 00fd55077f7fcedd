# Builds the dashboard UI (ui/) into OUT_DIR with Vite: `npm ci` first when ui/node_modules is
# missing or older than package-lock.json. Run by the auric_dashboard_ui custom command:
#   cmake -DNPM=<npm> -DUI_DIR=<ui> -DOUT_DIR=<dir> -P build_ui.cmake
if(NOT NPM OR NOT EXISTS "${NPM}")
  message(FATAL_ERROR
    "npm is needed to build the dashboard UI (${UI_DIR}). Install Node.js 20+ with npm, or "
    "configure with -DAURIC_UI_DIST=<a built ui/dist folder>.")
endif()

set(_stamp "${UI_DIR}/node_modules/.package-lock.json")
set(_need_ci FALSE)
if(NOT EXISTS "${_stamp}")
  set(_need_ci TRUE)
elseif("${UI_DIR}/package-lock.json" IS_NEWER_THAN "${_stamp}")
  set(_need_ci TRUE)
endif()
if(_need_ci)
  message(STATUS "dashboard UI: npm ci (installing the locked dependencies)")
  execute_process(COMMAND "${NPM}" ci --no-audit --no-fund
                  WORKING_DIRECTORY "${UI_DIR}" RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "dashboard UI: `npm ci` failed in ${UI_DIR} (exit ${_rc}); see the output above")
  endif()
endif()

message(STATUS "dashboard UI: npm run build -> ${OUT_DIR}")
execute_process(COMMAND "${NPM}" run build -- --outDir "${OUT_DIR}" --emptyOutDir --logLevel warn
                WORKING_DIRECTORY "${UI_DIR}" RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "dashboard UI: `npm run build` failed in ${UI_DIR} (exit ${_rc}); see the output above")
endif()
