"""An extension module whose own import fails (a missing dependency): the CLI must not hide this."""

import rqe_module_that_does_not_exist  # noqa: F401
