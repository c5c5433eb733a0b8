"""The bundled digits (examples/digits/digits.csv.gz, UCI, CC BY 4.0): the one loader the
examples' data scripts share."""
import gzip
import os

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def load_digits():
    """Pixels [1797, 64] float32 (0..16) and labels [1797] int64."""
    with gzip.open(os.path.join(ROOT, "examples", "digits", "digits.csv.gz"), "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.int64)
    return table[:, :64].astype(np.float32), table[:, 64]
