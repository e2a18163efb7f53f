"""The `isdesk` command line: ``main`` parses and dispatches, ``common`` is what every command
shares, and each other module is one command group (demo, rules, operator, import, export,
assign/next, team, teamdb, report)."""
