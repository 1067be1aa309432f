// opscaled: wiring only (DESIGN rule 12).
#include "api/server_main.h"

int main(int argc, char** argv) { return opscale::api::RunServerMain(argc, argv); }
