// libcurl for Swift: curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot
// call, so each argument type gets a small typed wrapper here.
#ifndef ATRIUM_CCURL_SHIM_H
#define ATRIUM_CCURL_SHIM_H

#include <curl/curl.h>

/// A read, write or header callback: `size * nitems` bytes at `buffer`.
typedef size_t (*atr_io_callback)(char *buffer, size_t size, size_t nitems, void *userdata);
/// A progress callback; a non-zero answer aborts the transfer.
typedef int (*atr_xferinfo_callback)(void *userdata, curl_off_t dltotal, curl_off_t dlnow,
                                     curl_off_t ultotal, curl_off_t ulnow);

/// A seek callback: move the upload to `offset`; answers CURL_SEEKFUNC_OK or CURL_SEEKFUNC_CANTSEEK.
typedef int (*atr_seek_callback)(void *userdata, curl_off_t offset, int origin);

static inline CURLcode atr_global_init(void) { return curl_global_init(CURL_GLOBAL_DEFAULT); }

static inline CURLcode atr_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode atr_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

/// Strings are copied by libcurl (since 7.17), so the argument need only live for the call.
static inline CURLcode atr_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode atr_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode atr_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode atr_setopt_io_callback(CURL *handle, CURLoption option, atr_io_callback value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode atr_setopt_xferinfo_callback(CURL *handle, atr_xferinfo_callback value) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, value);
}

static inline CURLcode atr_setopt_seek_callback(CURL *handle, atr_seek_callback value) {
    return curl_easy_setopt(handle, CURLOPT_SEEKFUNCTION, value);
}

static inline CURLcode atr_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

/// What a read callback returns to abort the transfer.
static inline size_t atr_readfunc_abort(void) { return CURL_READFUNC_ABORT; }

#endif
