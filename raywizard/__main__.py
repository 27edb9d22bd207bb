from raywizard.cli import main

raise SystemExit(main())
