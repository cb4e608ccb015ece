from metrics.ops.cli import main

raise SystemExit(main())
