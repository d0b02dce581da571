"""`python -m refmail` is the `refmail` command."""

import sys

from refmail.entry import main

sys.exit(main())
