# Shared build helpers.

# Warnings for our own targets only (third-party headers are included as SYSTEM by their targets).
function(vwb_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter)
  if(VWB_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# A module of the engine: static library vwb_<name> linked into the vwb_engine interface.
# Usage: vwb_engine_module(io SOURCES a.cpp b.cpp LIBS TIFF::TIFF)
function(vwb_engine_module name)
  cmake_parse_arguments(M "" "" "SOURCES;LIBS" ${ARGN})
  add_library(vwb_${name} STATIC ${M_SOURCES})
  target_include_directories(vwb_${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(vwb_${name} PUBLIC ${M_LIBS})
  set_target_properties(vwb_${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  vwb_warnings(vwb_${name})
  target_link_libraries(vwb_engine INTERFACE vwb_${name})
endfunction()

# A Qt Test executable registered with CTest.
# Usage: vwb_add_qtest(TestName SOURCES t.cpp LIBS vwb_io [GUI] [GL] [TIMEOUT s] [LABELS ...])
#   GUI: needs a QApplication (offscreen platform); GL: needs a real X server (run under xvfb-run).
function(vwb_add_qtest name)
  cmake_parse_arguments(T "GUI;GL" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  set_target_properties(${name} PROPERTIES AUTOMOC ON)
  target_link_libraries(${name} PRIVATE Qt6::Test ${T_LIBS})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/tests)
  target_compile_definitions(${name} PRIVATE
    VWB_SOURCE_DIR="${PROJECT_SOURCE_DIR}" VWB_BINARY_DIR="${PROJECT_BINARY_DIR}"
    VWB_PYTHON="${VWB_PYTHON}")
  vwb_warnings(${name})
  add_test(NAME ${name} COMMAND ${name})
  # CTest's timeout is only the last resort against a hang, never a speed budget: tests wait for
  # conditions (each wait bounded by vwbtest::kLastResortMs = 5 min), so a loaded machine makes
  # them slower, not red. One floor for every test; TIMEOUT can only raise it.
  if(NOT T_TIMEOUT OR T_TIMEOUT LESS 1200)
    set(T_TIMEOUT 1200)
  endif()
  set(env "VWB_TEST_TMP=${PROJECT_BINARY_DIR}/test-tmp")
  if(T_GL)
    list(APPEND env "QT_QPA_PLATFORM=xcb")
    list(APPEND T_LABELS gl)
  else()
    list(APPEND env "QT_QPA_PLATFORM=offscreen")
  endif()
  set_tests_properties(${name} PROPERTIES TIMEOUT ${T_TIMEOUT} ENVIRONMENT "${env}" LABELS "${T_LABELS}")
endfunction()
