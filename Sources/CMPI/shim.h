// Open MPI 4.1 (Debian libopenmpi-dev; include path from pkg-config ompi-c): the collectives of
// data-parallel training. MPI's predefined handles are macros Swift cannot import, so they are
// returned by the static inline functions below.
#include <mpi.h>

static inline MPI_Comm cmpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype cmpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype cmpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype cmpi_int(void) { return MPI_INT; }
static inline MPI_Op cmpi_sum(void) { return MPI_SUM; }
static inline MPI_Op cmpi_min(void) { return MPI_MIN; }
static inline MPI_Op cmpi_max(void) { return MPI_MAX; }
static inline MPI_Errhandler cmpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline void *cmpi_in_place(void) { return MPI_IN_PLACE; }
