from ffnn.cli import main

raise SystemExit(main())
