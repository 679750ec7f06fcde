# The two quick-start commands. Everything else is plain CMake presets.
#   make run   install dependencies, build (release), run the daemon on the built-in demo
#   make test  install dependencies, build (release), run every test
.PHONY: run test build deps asan format format-check clean

PRESET ?= release
BUILD_DIR := build/$(PRESET)
CMAKE_FLAGS := $(if $(filter true,$(CI)),-DTINHOP_WERROR=ON,)

deps:
	@scripts/install-deps

build: deps
	@cmake --preset $(PRESET) $(CMAKE_FLAGS) >/dev/null
	@cmake --build --preset $(PRESET)

run: build
	$(BUILD_DIR)/daemon/tinhop serve --demo

test: build
	ctest --preset $(PRESET)

asan:
	@$(MAKE) --no-print-directory test PRESET=asan

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

format-check:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run -Werror

clean:
	rm -rf build
