// zlib for reading .gz corpora. `inflateInit2` is a macro, so it is re-exported as a function.
#ifndef CZLIB_SHIM_H
#define CZLIB_SHIM_H
#include <zlib.h>
static inline int czlib_inflate_init_gzip(z_streamp stream) {
    // 15 window bits + 32: detect gzip or zlib headers automatically.
    return inflateInit2(stream, 15 + 32);
}
#endif
