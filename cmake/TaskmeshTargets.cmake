# File: cmake/TaskmeshTargets.cmake
# Helpers so every folder declares its library, its tests and its programs the same way:
#   taskmesh_library(NAME SOURCES ... DEPS ...)  -> static library taskmesh::NAME
#   taskmesh_test(NAME SOURCES ... DEPS ...)     -> GoogleTest executable, registered with CTest
#                                                   (label "unit" unless LABELS says otherwise)
#   taskmesh_use_allocator(TARGET)               -> a program that serves or measures links
#                                                   mimalloc (not in sanitizer builds)

function(taskmesh_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(taskmesh_${name} STATIC ${ARG_SOURCES})
  add_library(taskmesh::${name} ALIAS taskmesh_${name})
  target_include_directories(taskmesh_${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(taskmesh_${name} PUBLIC ${ARG_DEPS})
  target_compile_options(taskmesh_${name} PRIVATE ${TASKMESH_WARNINGS})
endfunction()

function(taskmesh_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  target_compile_options(${name} PRIVATE ${TASKMESH_WARNINGS})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit) # so `ctest -L unit` (and the sanitizer builds) can pick them
  endif()
  gtest_discover_tests(${name}
    DISCOVERY_TIMEOUT 30
    PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS "${ARG_LABELS}")
endfunction()

function(taskmesh_use_allocator target)
  if(TARGET mimalloc)
    # Linked into the executable, mimalloc's malloc/free are found before
    # libc's, for every library the program loads.
    target_link_libraries(${target} PRIVATE mimalloc)
  endif()
endfunction()
