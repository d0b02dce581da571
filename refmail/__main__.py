"""`python -m refmail` is the `refmail` command."""

import sys

from refmail.cli import main

sys.exit(main())
