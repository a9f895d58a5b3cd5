"""``python -m rqe``: the same command line as the ``rqe`` console script (see :mod:`rqe.cli`)."""

from rqe.cli import main

raise SystemExit(main())
