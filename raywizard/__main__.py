from raywizard.cli.main import main

raise SystemExit(main())
