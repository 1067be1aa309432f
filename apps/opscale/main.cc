// opscale CLI (also installed as `pscale`): wiring only; everything lives in src/cli.
#include "cli/run.h"

int main(int argc, char** argv) { return opscale::cli::Run(argc, argv); }
