// Registration of pscale's command groups into the command tree, one function per group
// (each defined in its own file under commands/). Thread-safe: called once while building.
#pragma once

#include "cli/command_tree.h"

namespace opscale::cli {

void AddAuthCommands(CommandTree& tree);
void AddServiceTokenCommands(CommandTree& tree);
void AddDatabaseCommands(CommandTree& tree);
void AddBranchCommands(CommandTree& tree);
void AddDeployRequestCommands(CommandTree& tree);
void AddPasswordCommands(CommandTree& tree);
void AddOrgCommands(CommandTree& tree);
void AddAuditLogCommands(CommandTree& tree);
void AddApiCommand(CommandTree& tree);
void AddConnectCommand(CommandTree& tree);

}  // namespace opscale::cli
