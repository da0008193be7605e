// OpenSSL's libcrypto for SHA-256 (the EVP interface; it uses the CPU's SHA extensions where present).
#ifndef CCRYPTO_SHIM_H
#define CCRYPTO_SHIM_H
#include <openssl/evp.h>
#endif
