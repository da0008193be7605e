// CBLAS and LAPACKE as one C module. Include paths come from pkg-config (`openblas`);
// lapacke.h lives in the default include directory on Debian.
#ifndef CLINEARALGEBRA_SHIM_H
#define CLINEARALGEBRA_SHIM_H
#include <cblas.h>
#include <lapacke.h>
#endif
