// oneDNN (Debian libdnnl-dev 2.6, v2 C API, OpenMP runtime): convolution, matmul, pooling,
// normalisation primitives and the row-major sgemm. The OpenMP thread count of the calling
// thread is set through libgomp, which libdnnl loads (looked up at run time, see ThreadBudget).
#include <dnnl.h>
