from isdesk.cli import main

raise SystemExit(main())
