try:
    from ffnn.cli import main
except KeyboardInterrupt:  # Ctrl-C while numpy and the C core load
    raise SystemExit(130) from None

raise SystemExit(main())
