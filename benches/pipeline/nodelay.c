/* An experiment, not part of onbehalf: preloaded into the onbehalf binary
 * (LD_PRELOAD), it sets TCP_NODELAY on every TCP connection the process opens, to
 * measure what disabling Nagle's algorithm on the SMTP connection would change.
 * lettre 0.11.23 leaves Nagle on and writes the DATA terminator as a separate small
 * write, which then waits for the server's delayed ACK (about 40 ms per mail).
 *
 * Built by scripts/bench-pipeline.sh:
 *   cc -shared -fPIC -O2 -o target/bench-pipeline/nodelay.so benches/pipeline/nodelay.c -ldl
 * and used through `--preload-experiment target/bench-pipeline/nodelay.so`. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <sys/socket.h>

int connect(int fd, const struct sockaddr *addr, socklen_t len) {
    static int (*real_connect)(int, const struct sockaddr *, socklen_t);
    if (real_connect == NULL)
        real_connect = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "connect");
    int type = 0;
    socklen_t type_len = sizeof type;
    if (addr != NULL && (addr->sa_family == AF_INET || addr->sa_family == AF_INET6) &&
        getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_len) == 0 && type == SOCK_STREAM) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    return real_connect(fd, addr, len);
}
