#!/usr/bin/env bash
# Quick start, step 2 (and what CI runs): install what the tests need, then run every test suite.
# As root the privileged suites (kernel features, real servers) must run: VOLT_REQUIRE_PRIVILEGED=1 turns
# any skip of them on a capable machine into a failure.
source "$(dirname "$0")/scripts/lib.sh"
need_root
install_apt_packages
ensure_dotnet
publish_volt
export VOLT_TEST_BINARY="$REPO_ROOT/out/volt"
export VOLT_REQUIRE_PRIVILEGED=1
cd "$REPO_ROOT"
dotnet test Volt.slnx -c Release
