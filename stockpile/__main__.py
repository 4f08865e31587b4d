"""``python -m stockpile``: the same command line as the ``stockpile`` script."""

from stockpile.cli import main

if __name__ == "__main__":
    main(prog_name="stockpile")
