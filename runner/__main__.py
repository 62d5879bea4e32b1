"""Entry point for ``python -m runner``."""

from runner.cli.entry import main

if __name__ == "__main__":
    main()
