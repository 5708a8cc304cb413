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
  if(T_GUI OR T_GL)
    vwb_link_llvm_first(${name})
  endif()
  add_test(NAME ${name} COMMAND ${name})
  # CTest's timeout is only the last resort against a hang, never a speed budget: tests wait for
  # conditions (each wait bounded by vwbtest::kLastResortMs = 5 min), so a loaded machine makes
  # them slower, not red. One floor for every test; TIMEOUT can only raise it.
  if(NOT T_TIMEOUT OR T_TIMEOUT LESS 1200)
    set(T_TIMEOUT 1200)
  endif()
  set(env "VWB_TEST_TMP=${PROJECT_BINARY_DIR}/test-tmp")
  # Qt Test's own watchdog (5 min per test function by default) would fire together with a
  # 5-min wait that expires, and abort with a stack dump instead of the wait's FAIL and line:
  # it stays as a backstop behind the waits (15 min), under CTest's timeout.
  list(APPEND env "QTEST_FUNCTION_TIMEOUT=900000")
  # Two tests share two cores with Xvfb (ctest -j2), each with two intra-op threads and loader
  # threads: oversubscribed by design. libgomp's default wait spins for the other threads at
  # every parallel region, which on a busy core waits for a whole time slice: measured on this
  # 2-core machine at load ~12, a small U-Net trained at 0.3-2.5 samples/s spinning and 9-13
  # passive, a GUI prediction took 60 s instead of 2.9 s. Passive waiting keeps the suite's wall
  # time (and its waits) what the work costs. It changes no result, only how idle threads wait.
  list(APPEND env "OMP_WAIT_POLICY=PASSIVE")
  if(T_GL)
    list(APPEND env "QT_QPA_PLATFORM=xcb")
    list(APPEND T_LABELS gl)
  else()
    list(APPEND env "QT_QPA_PLATFORM=offscreen")
  endif()
  set_tests_properties(${name} PROPERTIES TIMEOUT ${T_TIMEOUT} ENVIRONMENT "${env}" LABELS "${T_LABELS}")
endfunction()

# Debian 13's libtorch_cpu.so.2.6 carries LLVM inside and exports ~590 of its symbols
# (LLVMInitializeX86Target, ...). Mesa's gallium driver (llvmpipe: every VM, remote desktop and
# machine without a GPU driver) is dlopen()ed later, and its references to LLVM resolve in the
# global scope first: the executable and its DT_NEEDED libraries, breadth first, so LibTorch's
# copy wins over Mesa's own libLLVM.so and the first GL context crashes in
# driCreateContextAttribs (pytorch/pytorch#96060, #87642). An executable that shows OpenGL and
# links LibTorch therefore names Mesa's libLLVM as its *first* DT_NEEDED entry: libLLVM is then
# ahead of libtorch_cpu in the global scope and gallium binds to the LLVM it was built against.
# Nothing changes where LibTorch exports no LLVM (Debian 12's 1.13) or no libLLVM is installed.
function(vwb_find_llvm_for_mesa)
  if(DEFINED VWB_LLVM_FIRST_LIBRARY)
    return()
  endif()
  set(found "")
  find_library(VWB_TORCH_CPU_LIBRARY torch_cpu HINTS "${TORCH_INSTALL_PREFIX}/lib")
  find_program(VWB_READELF NAMES readelf ${CMAKE_READELF})
  if(VWB_TORCH_CPU_LIBRARY AND VWB_READELF)
    execute_process(COMMAND ${VWB_READELF} --dyn-syms -W ${VWB_TORCH_CPU_LIBRARY}
                    OUTPUT_VARIABLE syms ERROR_QUIET)
    string(REGEX MATCH "GLOBAL +DEFAULT +[0-9]+ LLVMInitializeX86Target" exports_llvm "${syms}")
    if(exports_llvm)
      # The libLLVM Mesa's drivers are linked against (gallium 24+: libgallium-*.so; before:
      # dri/*_dri.so), else the newest one installed.
      set(multiarch "/usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}")
      file(GLOB drivers "${multiarch}/libgallium*.so" "${multiarch}/dri/swrast_dri.so" "${multiarch}/dri/*_dri.so")
      list(SORT drivers COMPARE NATURAL ORDER DESCENDING)  # the newest libgallium first
      foreach(driver IN LISTS drivers)
        execute_process(COMMAND ${VWB_READELF} -d -W ${driver} OUTPUT_VARIABLE dyn ERROR_QUIET)
        string(REGEX MATCH "\\[(libLLVM[^]]*)\\]" m "${dyn}")
        if(m AND EXISTS "${multiarch}/${CMAKE_MATCH_1}")
          set(found "${multiarch}/${CMAKE_MATCH_1}")
          break()
        endif()
      endforeach()
      if(NOT found)
        file(GLOB candidates "${multiarch}/libLLVM.so.*" "${multiarch}/libLLVM-*.so.*")
        list(SORT candidates COMPARE NATURAL ORDER DESCENDING)
        if(candidates)
          list(GET candidates 0 found)
        endif()
      endif()
      if(found)
        message(STATUS "vwb: ${VWB_TORCH_CPU_LIBRARY} exports LLVM: GL executables load ${found} first, for Mesa")
      else()
        message(WARNING "vwb: ${VWB_TORCH_CPU_LIBRARY} exports LLVM symbols and no libLLVM.so is installed: "
                        "Mesa's llvmpipe would bind to LibTorch's LLVM and crash. Install Mesa (libgl1-mesa-dri).")
      endif()
    endif()
  endif()
  set(VWB_LLVM_FIRST_LIBRARY "${found}" CACHE INTERNAL "libLLVM an OpenGL executable loads before LibTorch")
endfunction()

# vwb_link_llvm_first(target): for an executable that shows OpenGL (see above).
function(vwb_link_llvm_first target)
  vwb_find_llvm_for_mesa()
  if(VWB_LLVM_FIRST_LIBRARY)
    # Link options precede the objects and libraries on the link line, so this DT_NEEDED entry is
    # the first; --no-as-needed keeps it although the program calls nothing in it.
    target_link_options(${target} PRIVATE
      "SHELL:-Wl,--push-state,--no-as-needed ${VWB_LLVM_FIRST_LIBRARY} -Wl,--pop-state")
  endif()
endfunction()
