"""The command line: ``main`` maps errors to exit codes; ``commands`` holds one module per subcommand."""
