#ifndef SIGFLOW_CZLIB_SHIM_H
#define SIGFLOW_CZLIB_SHIM_H
#include <zlib.h>
#endif
