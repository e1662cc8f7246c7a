#ifndef TD_VERSION_H
#define TD_VERSION_H
#define TD_VERSION "0.1.0"
#define TD_URL "https://github.com/tidings-news/tidings"
#endif
