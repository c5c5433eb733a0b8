// zlib (Debian zlib1g-dev): deflate/inflate for tensor payloads, .npz members and .gz data.
#include <zlib.h>
