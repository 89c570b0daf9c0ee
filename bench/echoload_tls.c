/*
 * echoload_tls.c - echoload.c over TLS (libssl 3): the same closed-loop echo
 * load, each connection doing one TLS handshake (no certificate verification)
 * before the window; or, with MODE=handshake, one connection at a time:
 * connect, handshake, one SIZE-byte echo, close_notify, close, repeated.
 *
 * Build:  cc -O2 -o echoload_tls echoload_tls.c -lssl -lcrypto
 * Usage:  echoload_tls HOST PORT [CONNECTIONS=10] [SIZE=1024] [DURATION_S=5] [WARMUP_S=1] [MODE=echo]
 *
 * In handshake mode CONNECTIONS is ignored and the output adds
 * "handshakes" and "handshakes_per_s" (a handshake counts once its echo is back).
 *
 * What follows is echoload.c's description; it holds for the echo mode.
 *
 * Opens CONNECTIONS TCP connections to HOST:PORT. Each connection sends one message of
 * SIZE bytes, waits until exactly SIZE bytes have been echoed back, checks that they are
 * identical to what was sent, and only then sends the next message. So every connection
 * has at most one request in flight (closed loop, no pipelining).
 *
 * Single-threaded, non-blocking sockets, one epoll set, level-triggered.
 *
 * Requests that complete during the first WARMUP_S seconds are not counted. After that,
 * every request that completes within the next DURATION_S seconds is counted and its
 * latency (send of first byte -> receipt of last byte) recorded.
 *
 * Output: one JSON line on stdout, e.g.
 *   {"host":"127.0.0.1","port":8888,"connections":10,"size":1024,"duration_s":5.000,
 *    "warmup_s":1.000,"requests":512345,"requests_per_s":102469.0,"mib_per_s":100.07,
 *    "p50_us":95.1,"p99_us":180.3,"max_us":2100.0,"errors":0,"mismatches":0,
 *    "verified":true}
 *   mib_per_s  = counted requests * SIZE / window / 2^20 (payload echoed, one direction)
 *   errors     = connections lost (connect failure, reset, early EOF, other socket error)
 *   mismatches = echoed messages whose bytes differ from what was sent
 *   verified   = true when errors == 0 and mismatches == 0 and requests > 0
 * Exit status: 0 if verified, 1 otherwise (2 for bad arguments).
 *
 * Every message carries a different 8-byte sequence number followed by a per-connection
 * pattern, so a server that mixes up connections or replays old data is caught.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

struct conn {
    int fd;            /* -1 once the connection is dead */
    SSL *ssl;
    uint64_t seq;      /* sequence number of the message in flight */
    size_t sent;       /* bytes of the current message written so far */
    size_t received;   /* bytes of the echo received so far */
    int want_out;      /* EPOLLOUT currently registered */
    double t_start;    /* when the current request started (seconds) */
    unsigned char *tx; /* message being sent */
    unsigned char *rx; /* echo being received */
};

static size_t msg_size;
static SSL_CTX *ctx;

/* Growable array of latencies (microseconds) of counted requests. */
static double *lat;
static size_t lat_n, lat_cap;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what) {
    perror(what);
    exit(1);
}

static void record_latency(double us) {
    if (lat_n == lat_cap) {
        lat_cap = lat_cap ? lat_cap * 2 : 1 << 16;
        lat = realloc(lat, lat_cap * sizeof *lat);
        if (!lat) die("realloc");
    }
    lat[lat_n++] = us;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of a sorted array. */
static double percentile(const double *v, size_t n, double p) {
    if (n == 0) return 0.0;
    size_t rank = (size_t)(p / 100.0 * (double)n + 0.999999);
    if (rank < 1) rank = 1;
    if (rank > n) rank = n;
    return v[rank - 1];
}

/* Fill the message for (connection id, sequence number). */
static void fill_message(struct conn *c, int id) {
    for (size_t i = 0; i < msg_size; i++)
        c->tx[i] = (unsigned char)((i * 31u + (unsigned)id * 7u + 1u) & 0xff);
    size_t n = msg_size < 8 ? msg_size : 8;
    memcpy(c->tx, &c->seq, n); /* first bytes: sequence number (little-endian on x86) */
}

static void set_events(int ep, struct conn *c, int want_out) {
    if (c->want_out == want_out) return;
    struct epoll_event ev = {.events = EPOLLIN | (want_out ? EPOLLOUT : 0), .data.ptr = c};
    if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) < 0) die("epoll_ctl MOD");
    c->want_out = want_out;
}

static void kill_conn(struct conn *c, long *errors) {
    SSL_free(c->ssl);
    c->ssl = NULL;
    close(c->fd); /* also removes it from the epoll set */
    c->fd = -1;
    (*errors)++;
}

/* Write as much of the current message as the socket accepts. Returns -1 on error. */
static int pump_write(int ep, struct conn *c) {
    while (c->sent < msg_size) {
        int w = SSL_write(c->ssl, c->tx + c->sent, (int)(msg_size - c->sent));
        if (w > 0) {
            c->sent += (size_t)w;
            continue;
        }
        int e = SSL_get_error(c->ssl, w);
        if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) {
            set_events(ep, c, 1); /* finish when writable */
            return 0;
        }
        return -1;
    }
    set_events(ep, c, 0);
    return 0;
}

static int start_request(int ep, struct conn *c, int id) {
    c->seq++;
    fill_message(c, id);
    c->sent = 0;
    c->received = 0;
    c->t_start = now_s();
    return pump_write(ep, c);
}

static int connect_to(const struct addrinfo *ai) {
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) return -1;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) { /* blocking connect, then O_NONBLOCK */
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* A blocking TLS handshake on fd; NULL on failure. */
static SSL *handshake(int fd) {
    SSL *ssl = SSL_new(ctx);
    if (!ssl) return NULL;
    SSL_set_fd(ssl, fd);
    SSL_set_tlsext_host_name(ssl, "localhost");
    if (SSL_connect(ssl) != 1) {
        ERR_print_errors_fp(stderr);
        SSL_free(ssl);
        return NULL;
    }
    return ssl;
}

/* Blocking I/O of all of buf; 0 on success. */
static int ssl_all(SSL *ssl, unsigned char *buf, size_t n, int writing) {
    size_t off = 0;
    while (off < n) {
        int r = writing ? SSL_write(ssl, buf + off, (int)(n - off)) : SSL_read(ssl, buf + off, (int)(n - off));
        if (r <= 0) return -1;
        off += (size_t)r;
    }
    return 0;
}

/* MODE=handshake: sequential connect + handshake + one echo + close, for duration. */
static int handshake_mode(const char *host, const char *port, struct addrinfo *ai, double duration,
                          double warmup) {
    unsigned char *tx = malloc(msg_size), *rx = malloc(msg_size);
    if (!tx || !rx) die("malloc");
    for (size_t i = 0; i < msg_size; i++) tx[i] = (unsigned char)(i * 31u + 1u);
    long counted = 0, errors = 0, mismatches = 0;
    double t0 = now_s(), t_measure = t0 + warmup, t_end = t_measure + duration;
    for (;;) {
        double t = now_s();
        if (t >= t_end) break;
        int fd = connect_to(ai);
        SSL *ssl = fd < 0 ? NULL : handshake(fd);
        int ok = ssl && ssl_all(ssl, tx, msg_size, 1) == 0 && ssl_all(ssl, rx, msg_size, 0) == 0;
        if (ok && memcmp(tx, rx, msg_size) != 0) mismatches++, ok = 0;
        if (ssl) {
            SSL_shutdown(ssl);
            SSL_free(ssl);
        }
        if (fd >= 0) close(fd);
        double t_done = now_s();
        if (!ok) {
            errors++;
            if (errors > 100) break;
            continue;
        }
        if (t_done >= t_measure && t_done < t_end) {
            counted++;
            record_latency((t_done - t) * 1e6);
        }
    }
    double window = duration;
    qsort(lat, lat_n, sizeof *lat, cmp_double);
    int ok = errors == 0 && mismatches == 0 && counted > 0;
    printf("{\"host\":\"%s\",\"port\":%d,\"mode\":\"handshake\",\"size\":%zu,\"duration_s\":%.3f,"
           "\"handshakes\":%ld,\"handshakes_per_s\":%.1f,\"p50_us\":%.1f,\"p99_us\":%.1f,"
           "\"errors\":%ld,\"mismatches\":%ld,\"verified\":%s}\n",
           host, atoi(port), msg_size, window, counted, (double)counted / window,
           percentile(lat, lat_n, 50), percentile(lat, lat_n, 99), errors, mismatches,
           ok ? "true" : "false");
    free(tx);
    free(rx);
    return ok ? 0 : 1;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s HOST PORT [CONNECTIONS=10] [SIZE=1024] [DURATION_S=5] [WARMUP_S=1]\n",
                argv[0]);
        return 2;
    }
    const char *host = argv[1], *port = argv[2];
    int nconn = argc > 3 ? atoi(argv[3]) : 10;
    long size_arg = argc > 4 ? atol(argv[4]) : 1024;
    double duration = argc > 5 ? atof(argv[5]) : 5.0;
    double warmup = argc > 6 ? atof(argv[6]) : 1.0;
    const char *mode = argc > 7 ? argv[7] : "echo";
    if (nconn < 1 || size_arg < 1 || duration <= 0 || warmup < 0) {
        fprintf(stderr, "echoload: CONNECTIONS and SIZE must be >= 1, DURATION_S > 0, WARMUP_S >= 0\n");
        return 2;
    }
    msg_size = (size_t)size_arg;
    signal(SIGPIPE, SIG_IGN); /* a dead peer gives EPIPE, not a signal */
    ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) die("SSL_CTX_new");
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);

    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai;
    int gai = getaddrinfo(host, port, &hints, &ai);
    if (gai != 0) {
        fprintf(stderr, "echoload: %s:%s: %s\n", host, port, gai_strerror(gai));
        return 2;
    }
    if (strcmp(mode, "handshake") == 0) {
        int rc = handshake_mode(host, port, ai, duration, warmup);
        freeaddrinfo(ai);
        SSL_CTX_free(ctx);
        return rc;
    }
    if (strcmp(mode, "echo") != 0) {
        fprintf(stderr, "echoload: MODE must be echo or handshake\n");
        return 2;
    }

    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) die("epoll_create1");
    struct conn *conns = calloc((size_t)nconn, sizeof *conns);
    if (!conns) die("calloc");
    long errors = 0, mismatches = 0, live = 0;

    for (int i = 0; i < nconn; i++) {
        struct conn *c = &conns[i];
        c->tx = malloc(msg_size);
        c->rx = malloc(msg_size);
        if (!c->tx || !c->rx) die("malloc");
        c->fd = connect_to(ai);
        if (c->fd < 0) {
            errors++;
            continue;
        }
        c->ssl = handshake(c->fd);
        if (!c->ssl) {
            close(c->fd);
            c->fd = -1;
            errors++;
            continue;
        }
        fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) < 0) die("epoll_ctl ADD");
        live++;
    }
    freeaddrinfo(ai);
    if (live == 0) {
        fprintf(stderr, "echoload: could not connect to %s:%s\n", host, port);
        return 1;
    }

    double t0 = now_s();
    double t_measure = t0 + warmup, t_end = t_measure + duration;
    long counted = 0;
    for (int i = 0; i < nconn; i++)
        if (conns[i].fd >= 0 && start_request(ep, &conns[i], i) < 0) kill_conn(&conns[i], &errors), live--;

    enum { MAXEV = 256 };
    struct epoll_event evs[MAXEV];
    while (live > 0) {
        double t = now_s();
        if (t >= t_end) break;
        int timeout_ms = (int)((t_end - t) * 1000.0) + 1;
        int n = epoll_wait(ep, evs, MAXEV, timeout_ms);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait");
        }
        for (int k = 0; k < n; k++) {
            struct conn *c = evs[k].data.ptr;
            int id = (int)(c - conns);
            if (c->fd < 0) continue;
            if (evs[k].events & EPOLLOUT) {
                if (pump_write(ep, c) < 0) {
                    kill_conn(c, &errors), live--;
                    continue;
                }
            }
            if (!(evs[k].events & (EPOLLIN | EPOLLERR | EPOLLHUP))) continue;
            /* Read at most what is still missing from this echo; anything beyond would be
             * a protocol error and shows up as a mismatch of the next message. */
            int r = SSL_read(c->ssl, c->rx + c->received, (int)(msg_size - c->received));
            if (r <= 0) {
                int e = SSL_get_error(c->ssl, r);
                if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) continue;
            }
            if (r <= 0 || c->received + (size_t)r > c->sent) {
                /* EOF, socket error, or the server echoed bytes we never sent */
                if (r > 0) mismatches++;
                kill_conn(c, &errors), live--;
                continue;
            }
            c->received += (size_t)r;
            if (c->received < msg_size) continue;

            double t_done = now_s();
            if (memcmp(c->tx, c->rx, msg_size) != 0) mismatches++;
            if (t_done >= t_measure && t_done < t_end) {
                counted++;
                record_latency((t_done - c->t_start) * 1e6);
            }
            if (t_done < t_end && start_request(ep, c, id) < 0) kill_conn(c, &errors), live--;
        }
    }
    double window = now_s() - t_measure;
    if (window > duration) window = duration;
    if (window <= 0) window = duration;

    qsort(lat, lat_n, sizeof *lat, cmp_double);
    double p50 = percentile(lat, lat_n, 50), p99 = percentile(lat, lat_n, 99);
    double mx = lat_n ? lat[lat_n - 1] : 0.0;
    int ok = errors == 0 && mismatches == 0 && counted > 0;
    printf("{\"host\":\"%s\",\"port\":%d,\"connections\":%d,\"size\":%zu,\"duration_s\":%.3f,"
           "\"warmup_s\":%.3f,\"requests\":%ld,\"requests_per_s\":%.1f,\"mib_per_s\":%.2f,"
           "\"p50_us\":%.1f,\"p99_us\":%.1f,\"max_us\":%.1f,\"errors\":%ld,\"mismatches\":%ld,"
           "\"verified\":%s}\n",
           host, atoi(port), nconn, msg_size, window, warmup, counted, (double)counted / window,
           (double)counted * (double)msg_size / window / 1048576.0, p50, p99, mx, errors,
           mismatches, ok ? "true" : "false");

    for (int i = 0; i < nconn; i++) {
        if (conns[i].fd >= 0) {
            SSL_free(conns[i].ssl);
            close(conns[i].fd);
        }
        free(conns[i].tx);
        free(conns[i].rx);
    }
    free(conns);
    free(lat);
    close(ep);
    SSL_CTX_free(ctx);
    return ok ? 0 : 1;
}
