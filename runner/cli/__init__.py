"""Command line: argv → options → the command → exit status."""
