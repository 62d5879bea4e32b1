"""Entry point for ``python -m runner``."""

from runner.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main())
