"""gpworkforce: plan NHS general practice workforce against patient demand.

The model's matrix products are small (practices x 20 roles x 17 need categories), where
BLAS threads cost more in hand-offs than they save (measured: 20 ms single-threaded against
64 ms threaded for all of England on 2 cores), and the web server runs requests in parallel
anyway. So unless the user has chosen otherwise, BLAS runs single-threaded.
"""

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

__version__ = "0.1.0"
