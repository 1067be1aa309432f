// The command line of opscaled: `init`, `serve`, `org create`, `user create`.
// apps/opscaled/main.cc only calls RunServerMain.
#pragma once

namespace opscale::api {

// Returns the process exit code (0 ok, 1 runtime failure, 2 usage or
// precondition error such as an already initialized data dir).
int RunServerMain(int argc, char** argv);

}  // namespace opscale::api
