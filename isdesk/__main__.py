from isdesk.cli.main import main

raise SystemExit(main())
