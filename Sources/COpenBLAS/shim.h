// OpenBLAS (Debian libopenblas-dev): the CBLAS interface for GEMM.
#include <cblas.h>
