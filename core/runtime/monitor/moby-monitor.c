/*
 * moby-monitor: the per-container (and per-exec) monitor of Moby Core.
 *
 * One small process per running container: it is the subreaper and parent of
 * the container's init (or of an exec'd process), holds its stdio, writes
 * Docker's json-file log, serves attach clients over a unix socket with Docker's
 * multiplexed framing, and records the exit status. It outlives the engine.
 *
 * Written in C so that its private memory stays tiny: a single poll() loop,
 * static buffers, no threads; only attach clients allocate (their pending
 * output, freed when they go).
 *
 * Usage (all paths should be absolute; the monitor chdirs into the state dir):
 *   moby-monitor --id ID --bundle DIR --runtime PATH [--runtime-root DIR]
 *                --state-dir DIR [--sync-fd N]
 *                [--log-path FILE [--log-max-size BYTES] [--log-max-files N]]
 *                [--tty] [--stdin] [--stdin-once]
 *                [--exec PROCESS_JSON [--wait-attach]] [--detach]
 *
 * With --detach it forks first and the first process exits at once: the
 * monitor is not the driver's child (the driver starts it with posix_spawn,
 * without fork, and reaps that first process only); it writes its own pid to
 * monitor.pid before it reports.
 *
 * Without --exec (container mode) it runs (S = the state dir, absolute)
 *   RUNTIME [--root R] --log S/runtime.log --log-format json create --bundle B
 *           --pid-file S/init.pid [--console-socket S/console.sock] ID
 * and, once the container's init has exited, its exit is recorded and attach
 * clients have had their EOF, `RUNTIME delete --force ID`, then the empty
 * file S/deleted (the driver waits for it before reusing the ID). The
 * container is created, not started: the engine runs `RUNTIME start ID`.
 * With --exec PROCESS_JSON (exec mode) it runs
 *   RUNTIME [--root R] --log S/runtime.log --log-format json exec -d
 *           --process PROCESS_JSON --pid-file S/exec.pid [--console-socket …] ID
 * at once, or, with --wait-attach, when the first attach client connects
 * (while it waits, it checks every second that RUNTIME_ROOT/ID/state.json
 * still exists, and gives up with exit 126 once the container is gone).
 * Without a tty the runtime's stdin/stdout/stderr are pipes (stdin /dev/null
 * without --stdin) that it hands to the process; with --tty the monitor
 * listens on S/console.sock and receives the pty master by SCM_RIGHTS.
 * An exec's output is not logged: it goes to attach clients only (as Docker),
 * and is discarded while none is attached.
 *
 * Files in the state dir: monitor.pid, init.pid / exec.pid (written by the
 * runtime), runtime.log (the runtime's JSON log), attach.sock and
 * control.sock (0600), deleted (container mode, after the runtime's delete),
 * exit.json (written last, atomically: tmp + rename):
 *   {"exitCode":N[,"signal":S][,"error":"…"],"finishedAt":"RFC3339Nano"}
 * exitCode is 128+S for a death by signal S (Docker's convention); "error"
 * is set when an exec could not be started (exitCode 126 or 127 then).
 *
 * Sync fd (--sync-fd, a pipe from the driver): one report, then it is closed:
 *   "ready PID\n"              created (container) / started (exec)
 *   "waiting\n"                exec --wait-attach: listening, not started
 *   "error runtime\nTEXT"      the runtime failed: TEXT is its stderr/log
 *   "error monitor\nTEXT"      the monitor itself failed before the runtime ran
 *
 * Attach protocol (attach.sock, unix stream): the monitor sends every byte
 * the process writes from the moment the client is accepted, as Docker frames:
 * 8-byte header {stream (1 stdout, 2 stderr), 0, 0, 0, length BE32}, payload.
 * With --tty everything is stream 1. Clients send frames of the same shape:
 * stream 0 = stdin data, stream 3 = close stdin (with --tty: VEOF, ^D, is
 * written instead as a pty cannot be half-closed), stream 4 = resize, payload
 * rows BE16, cols BE16 (TIOCSWINSZ, remembered until the pty exists).
 * Slow clients: while a client has more than CLIENT_HIGH (256 KiB) unsent, the
 * monitor stops reading the process's output (backpressure, as dockerd's
 * attach does); a client over that mark that takes nothing for STALL_MS
 * (1 s) is dropped (closed), so a stuck reader blocks the container for at
 * most about a second; CLIENT_MAX_PENDING (1 MiB) is a hard cap. With
 * --stdin-once, the first client ever accepted closes stdin when it sends
 * stream 3 or disconnects. When the process has exited and its output is
 * drained (for at most DRAIN_MS; DRAIN_MAX_MS while a client is catching
 * up), exit.json is written and clients see EOF.
 *
 * Control protocol (control.sock, container mode only, unix stream, 0600):
 * the client sends a signal number (BE32); the monitor signals the
 * container's init and answers one byte: 0 sent, 2 not running (it has
 * exited: the monitor reaps it, so its pid cannot have been reused), 3 the
 * kill failed, 1 a malformed request. Then it closes. The socket goes once
 * the init has exited. This is how the engine signals a container without
 * running the runtime (a process, tens of ms) and without a pid race.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 32
#define CLIENT_MAX_PENDING (1024 * 1024)
#define CLIENT_HIGH (256 * 1024)
#define STALL_MS 1000
#define READ_CHUNK (64 * 1024)
#define LOG_LINE_MAX (16 * 1024) /* Docker's copier buffer: longer lines are split */
#define STDIN_BUF 65536
#define CLIENT_READ 4096
#define DRAIN_MS 2000
#define DRAIN_MAX_MS 10000
#define FLUSH_MS 1000

/* ---- options ---- */
static const char *opt_id, *opt_bundle, *opt_runtime, *opt_root, *opt_state, *opt_log, *opt_exec;
static long long opt_log_max = -1;
static int opt_log_files = 1, opt_tty, opt_stdin, opt_stdin_once, opt_wait_attach, opt_detach, sync_fd = -1;

/* ---- state ---- */
struct ostream {
  int fd;        /* read end of the process's stdout/stderr, or the pty master; -1 when closed */
  int id;        /* 1 stdout, 2 stderr */
  const char *name;
  size_t len;    /* bytes held in line (log only) */
  int in_partial;
  struct timespec partial_ts;
  char line[LOG_LINE_MAX];
};
static struct ostream outs[2] = {{.fd = -1, .id = 1, .name = "stdout"}, {.fd = -1, .id = 2, .name = "stderr"}};

struct client {
  int fd; /* -1 when free */
  int first;
  long long progress_ms; /* when it last took bytes (or when its backlog began) */
  char *out;
  size_t out_off, out_len, out_cap;
  unsigned char hdr[8];
  size_t hdr_len;
  uint32_t remaining;
  unsigned char small[4];
  size_t small_len;
};
static struct client clients[MAX_CLIENTS];
static int accepted_any;

static int listen_fd = -1, ctl_fd = -1, sig_fd = -1, master_fd = -1, stdin_fd = -1;
static char stdin_buf[STDIN_BUF];
static size_t stdin_len;
static int stdin_closing; /* close once the buffer is written */
static int have_ws;
static struct winsize pending_ws;
static pid_t target = -1;
static int target_exited, target_status, launched;
static struct timespec finished_at, exit_deadline;
static int log_fd = -1;
static long long log_size;
static char rdbuf[READ_CHUNK];

/* ---- small helpers ---- */
static void say(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char buf[1024];
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n >= sizeof buf) n = sizeof buf - 1;
  dprintf(2, "moby-monitor %s: %.*s\n", opt_id ? opt_id : "?", n, buf);
}

static int write_all(int fd, const void *data, size_t len) {
  const char *p = data;
  while (len) {
    ssize_t n = write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void set_nonblock(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

/* RFC 3339 with nanoseconds, trailing zeros trimmed, as Go's time.RFC3339Nano in UTC. */
static size_t format_time(char *out, struct timespec ts) {
  /* A log entry per line: the seconds part changes once a second, so it is formatted once. */
  static time_t cached_sec = -1;
  static char cached[32];
  static size_t cached_len;
  if (ts.tv_sec != cached_sec) {
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    cached_len = strftime(cached, sizeof cached, "%Y-%m-%dT%H:%M:%S", &tm);
    cached_sec = ts.tv_sec;
  }
  size_t n = cached_len;
  memcpy(out, cached, n);
  if (ts.tv_nsec) {
    char frac[9];
    long ns = ts.tv_nsec;
    for (int d = 8; d >= 0; d--) frac[d] = (char)('0' + ns % 10), ns /= 10;
    int k = 9;
    while (k > 0 && frac[k - 1] == '0') k--;
    out[n++] = '.';
    memcpy(out + n, frac, (size_t)k);
    n += (size_t)k;
  }
  out[n++] = 'Z';
  out[n] = 0;
  return n;
}

/* Length of the valid UTF-8 sequence at s (Go's utf8.DecodeRune), 0 when invalid; *cp gets the rune. */
static int utf8_seq(const unsigned char *s, size_t n, uint32_t *cp) {
  unsigned char b = s[0];
  int need;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b >= 0xC2 && b <= 0xDF) need = 1;
  else if (b == 0xE0) need = 2, lo = 0xA0;
  else if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) need = 2;
  else if (b == 0xED) need = 2, hi = 0x9F;
  else if (b == 0xF0) need = 3, lo = 0x90;
  else if (b >= 0xF1 && b <= 0xF3) need = 3;
  else if (b == 0xF4) need = 3, hi = 0x8F;
  else return 0;
  if (n < (size_t)need + 1) return 0;
  if (s[1] < lo || s[1] > hi) return 0;
  for (int i = 2; i <= need; i++)
    if (s[i] < 0x80 || s[i] > 0xBF) return 0;
  uint32_t c = need == 1 ? (b & 0x1Fu) : need == 2 ? (b & 0x0Fu) : (b & 0x07u);
  for (int i = 1; i <= need; i++) c = (c << 6) | (s[i] & 0x3Fu);
  *cp = c;
  return need + 1;
}

/*
 * A buffered writer of JSON text (log entries or exit.json): escapes as
 * dockerd's json-file marshaller does (encoding/json's rules for <, >, &,
 * control characters, U+2028/2029 and invalid UTF-8 → \ufffd).
 */
static char wbuf[128 * 1024];
static size_t wlen;
static int wfd = -1;
static long long wtotal;
static int werr;

static void wflush(void) {
  if (wlen && wfd >= 0 && write_all(wfd, wbuf, wlen) < 0) werr = errno;
  wtotal += (long long)wlen;
  wlen = 0;
}
static void wput(const char *s, size_t n) {
  while (n) {
    if (wlen == sizeof wbuf) wflush();
    size_t k = sizeof wbuf - wlen;
    if (k > n) k = n;
    memcpy(wbuf + wlen, s, k);
    wlen += k;
    s += k;
    n -= k;
  }
}
static void wstr(const char *s) { wput(s, strlen(s)); }
static void wjson(const unsigned char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  wput("\"", 1);
  size_t start = 0, i = 0;
  while (i < n) {
    unsigned char b = s[i];
    if (b < 0x80) {
      if (b >= 0x20 && b != '\\' && b != '"' && b != '<' && b != '>' && b != '&') {
        i++;
        continue;
      }
      wput((const char *)s + start, i - start);
      char esc[6] = {'\\', 'u', '0', '0', hex[b >> 4], hex[b & 0xF]};
      if (b == '\\' || b == '"') esc[1] = (char)b, wput(esc, 2);
      else if (b == '\n') wput("\\n", 2);
      else if (b == '\r') wput("\\r", 2);
      else wput(esc, 6);
      start = ++i;
      continue;
    }
    uint32_t cp = 0;
    int k = utf8_seq(s + i, n - i, &cp);
    if (k == 0) {
      wput((const char *)s + start, i - start);
      wput("\\ufffd", 6);
      start = ++i;
      continue;
    }
    if (cp == 0x2028 || cp == 0x2029) {
      wput((const char *)s + start, i - start);
      wput(cp == 0x2028 ? "\\u2028" : "\\u2029", 6);
      start = i += (size_t)k;
      continue;
    }
    i += (size_t)k;
  }
  wput((const char *)s + start, n - start);
  wput("\"", 1);
}

/* ---- json-file log ---- */
/* Log entries are buffered while one read's worth of output is turned into entries, then written at once. */
static void log_flush(void) {
  if (wfd >= 0 && wfd == log_fd) wflush();
  wfd = -1;
}

static void log_rotate(void) {
  log_flush();
  close(log_fd);
  log_fd = -1;
  if (opt_log_files >= 2) {
    char from[PATH_MAX + 16], to[PATH_MAX + 16];
    snprintf(to, sizeof to, "%s.%d", opt_log, opt_log_files - 1);
    unlink(to);
    for (int i = opt_log_files - 1; i > 1; i--) {
      snprintf(to, sizeof to, "%s.%d", opt_log, i);
      snprintf(from, sizeof from, "%s.%d", opt_log, i - 1);
      if (rename(from, to) < 0 && errno != ENOENT) say("rotate %s: %s", from, strerror(errno));
    }
    snprintf(to, sizeof to, "%s.1", opt_log);
    if (rename(opt_log, to) < 0 && errno != ENOENT) say("rotate %s: %s", opt_log, strerror(errno));
  }
  log_fd = open(opt_log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0640);
  if (log_fd < 0) say("open %s: %s", opt_log, strerror(errno));
  log_size = 0;
}

static void log_entry(struct ostream *s, int newline, struct timespec ts) {
  if (log_fd < 0 && !opt_log) return;
  if (opt_log_max > 0 && log_size >= opt_log_max) log_rotate();
  if (log_fd < 0) return;
  if (newline) s->line[s->len] = '\n'; /* line has one spare byte */
  char t[48];
  format_time(t, ts);
  wfd = log_fd;
  long long before = wtotal + (long long)wlen;
  wstr("{\"log\":");
  wjson((const unsigned char *)s->line, s->len + (newline ? 1 : 0));
  wstr(",\"stream\":\"");
  wstr(s->name);
  wstr("\",\"time\":\"");
  wstr(t);
  wstr("\"}\n");
  log_size += wtotal + (long long)wlen - before;
  s->len = 0;
}

/* Docker's copier: one entry per line (newline kept); 16 KiB without a newline is a partial entry. */
static void log_emit(struct ostream *s, int complete) {
  struct timespec ts;
  if (complete) {
    if (s->in_partial) ts = s->partial_ts;
    else clock_gettime(CLOCK_REALTIME, &ts);
    s->in_partial = 0;
  } else {
    if (!s->in_partial) clock_gettime(CLOCK_REALTIME, &s->partial_ts);
    ts = s->partial_ts;
    s->in_partial = 1;
  }
  log_entry(s, complete, ts);
}

static void log_data(struct ostream *s, const char *data, size_t n) {
  if (!opt_log) return;
  while (n) {
    size_t space = LOG_LINE_MAX - s->len, take = n < space ? n : space;
    const char *nl = memchr(data, '\n', take);
    if (nl) {
      size_t k = (size_t)(nl - data);
      memcpy(s->line + s->len, data, k);
      s->len += k;
      log_emit(s, 1);
      data += k + 1;
      n -= k + 1;
    } else {
      memcpy(s->line + s->len, data, take);
      s->len += take;
      data += take;
      n -= take;
      if (s->len == LOG_LINE_MAX) log_emit(s, 0);
    }
  }
  log_flush();
}

static void log_eof(struct ostream *s) {
  if (opt_log && s->len) log_emit(s, 0);
  log_flush();
}

/* ---- attach clients ---- */
static void request_close_stdin(void);
static void client_drop(struct client *c) {
  if (c->fd < 0) return;
  if (c->first && opt_stdin_once && opt_stdin) request_close_stdin();
  close(c->fd);
  c->fd = -1;
  free(c->out);
  c->out = NULL;
  c->out_off = c->out_len = c->out_cap = 0;
}

static void client_flush(struct client *c) {
  while (c->fd >= 0 && c->out_len > c->out_off) {
    ssize_t n = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN) client_drop(c);
      return;
    }
    c->out_off += (size_t)n;
    c->progress_ms = now_ms();
  }
  if (c->fd >= 0 && c->out_off == c->out_len) c->out_off = c->out_len = 0;
}

static void client_send(struct client *c, int stream, const char *data, size_t n) {
  size_t pending = c->out_len - c->out_off;
  if (pending + 8 + n > CLIENT_MAX_PENDING) {
    say("attach client dropped: more than %d bytes unread", CLIENT_MAX_PENDING);
    client_drop(c);
    return;
  }
  if (!pending) c->progress_ms = now_ms();
  if (c->out_off && c->out_len + 8 + n > c->out_cap) {
    memmove(c->out, c->out + c->out_off, pending);
    c->out_off = 0;
    c->out_len = pending;
  }
  if (c->out_len + 8 + n > c->out_cap) {
    size_t cap = c->out_cap ? c->out_cap : 16384;
    while (cap < c->out_len + 8 + n) cap *= 2;
    char *p = realloc(c->out, cap);
    if (!p) {
      client_drop(c);
      return;
    }
    c->out = p;
    c->out_cap = cap;
  }
  unsigned char *h = (unsigned char *)c->out + c->out_len;
  h[0] = (unsigned char)stream, h[1] = h[2] = h[3] = 0;
  h[4] = (unsigned char)(n >> 24), h[5] = (unsigned char)(n >> 16), h[6] = (unsigned char)(n >> 8), h[7] = (unsigned char)n;
  memcpy(c->out + c->out_len + 8, data, n);
  c->out_len += 8 + n;
  client_flush(c);
}

static int launch(void);
static int launch_requested;

static void accept_clients(void) {
  if (listen_fd < 0) return;
  for (;;) {
    int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    struct client *c = NULL;
    for (int i = 0; i < MAX_CLIENTS; i++)
      if (clients[i].fd < 0) {
        c = &clients[i];
        break;
      }
    if (!c) {
      say("attach client refused: %d clients already", MAX_CLIENTS);
      close(fd);
      continue;
    }
    memset(c, 0, sizeof *c);
    c->fd = fd;
    c->first = !accepted_any;
    c->progress_ms = now_ms();
    accepted_any = 1;
    if (opt_wait_attach && !launched) launch_requested = 1;
  }
}

/* Control clients (see the top): one request each, served at once. */
static void control_serve(void) {
  for (;;) {
    int fd = accept4(ctl_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) return;
    struct timeval tv = {.tv_sec = 0, .tv_usec = 200000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    unsigned char req[4];
    size_t got = 0;
    while (got < sizeof req) {
      ssize_t n = read(fd, req + got, sizeof req - got);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += (size_t)n;
    }
    unsigned char reply = 1;
    if (got == sizeof req) {
      int sig = (int)((uint32_t)req[0] << 24 | (uint32_t)req[1] << 16 | (uint32_t)req[2] << 8 | req[3]);
      /* Not reaped yet (a zombie at worst): the pid is still the init's. */
      if (target <= 0 || target_exited) reply = 2;
      else if (sig <= 0 || sig >= 65) reply = 1;
      else reply = kill(target, sig) == 0 ? 0 : 3;
    }
    if (write(fd, &reply, 1) < 0) say("control reply: %s", strerror(errno));
    close(fd);
  }
}

static void control_close(void) {
  if (ctl_fd >= 0) close(ctl_fd), ctl_fd = -1, unlink("control.sock");
}

static void apply_resize(void) {
  if (have_ws && master_fd >= 0 && ioctl(master_fd, TIOCSWINSZ, &pending_ws) < 0) say("resize: %s", strerror(errno));
}

static void request_close_stdin(void) {
  if (stdin_closing) return;
  stdin_closing = 1;
  if (opt_tty && stdin_fd >= 0 && stdin_len < STDIN_BUF) {
    /* A pty cannot be half-closed: ^D ends the reader's input (canonical mode). */
    struct termios t;
    stdin_buf[stdin_len++] = tcgetattr(stdin_fd, &t) == 0 ? (char)t.c_cc[VEOF] : 4;
  }
}

static void frame_done(struct client *c) {
  if (c->hdr[0] == 3) {
    request_close_stdin();
  } else if (c->hdr[0] == 4 && c->small_len == 4) {
    pending_ws.ws_row = (unsigned short)(c->small[0] << 8 | c->small[1]);
    pending_ws.ws_col = (unsigned short)(c->small[2] << 8 | c->small[3]);
    have_ws = 1;
    apply_resize();
  }
  c->hdr_len = 0;
}

static int stdin_open(void) { return opt_stdin && !stdin_closing; }

static void client_input(struct client *c, const unsigned char *p, size_t n) {
  while (n) {
    if (c->hdr_len < 8) {
      size_t k = 8 - c->hdr_len < n ? 8 - c->hdr_len : n;
      memcpy(c->hdr + c->hdr_len, p, k);
      c->hdr_len += k, p += k, n -= k;
      if (c->hdr_len == 8) {
        c->remaining = (uint32_t)c->hdr[4] << 24 | (uint32_t)c->hdr[5] << 16 | (uint32_t)c->hdr[6] << 8 | c->hdr[7];
        c->small_len = 0;
        if (c->remaining == 0) frame_done(c);
      }
      continue;
    }
    size_t k = c->remaining < n ? c->remaining : n;
    if (c->hdr[0] == 0 && stdin_open()) {
      memcpy(stdin_buf + stdin_len, p, k); /* room ensured by the caller: CLIENT_READ free */
      stdin_len += k;
    } else if (c->hdr[0] == 4) {
      for (size_t i = 0; i < k && c->small_len < 4; i++) c->small[c->small_len++] = p[i];
    }
    p += k, n -= k, c->remaining -= (uint32_t)k;
    if (c->remaining == 0) frame_done(c);
  }
}

static void client_read(struct client *c) {
  unsigned char buf[CLIENT_READ];
  ssize_t n = read(c->fd, buf, sizeof buf);
  if (n < 0) {
    if (errno != EAGAIN && errno != EINTR) client_drop(c);
    return;
  }
  if (n == 0) {
    client_drop(c);
    return;
  }
  client_input(c, buf, (size_t)n);
}

static void broadcast(int stream, const char *data, size_t n) {
  for (int i = 0; i < MAX_CLIENTS; i++)
    if (clients[i].fd >= 0) client_send(&clients[i], stream, data, n);
}

/* ---- stdin ---- */
static void stdin_pump(void) {
  if (stdin_fd < 0) {
    if (launched && target > 0) stdin_len = 0; /* no stdin (any more): input is dropped */
    return;
  }
  while (stdin_len) {
    ssize_t n = write(stdin_fd, stdin_buf, stdin_len);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return;
      stdin_len = 0; /* EPIPE / EIO: the reader is gone */
      stdin_closing = 1;
      break;
    }
    memmove(stdin_buf, stdin_buf + n, stdin_len - (size_t)n);
    stdin_len -= (size_t)n;
  }
  if (stdin_closing && !stdin_len && !opt_tty) {
    close(stdin_fd);
    stdin_fd = -1;
  }
}

/* ---- output ---- */
static void output_read(struct ostream *s) {
  ssize_t n = read(s->fd, rdbuf, sizeof rdbuf);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) { /* EOF, or EIO on a pty master once the last slave is closed */
    if (s->fd == master_fd) master_fd = -1, stdin_fd = -1;
    close(s->fd);
    s->fd = -1;
    log_eof(s);
    return;
  }
  log_data(s, rdbuf, (size_t)n);
  broadcast(s->id, rdbuf, (size_t)n);
}

/* ---- reporting and files ---- */
static void report(const char *status, const char *text, size_t len) {
  if (sync_fd < 0) return;
  write_all(sync_fd, status, strlen(status));
  if (text) write_all(sync_fd, text, len);
  close(sync_fd);
  sync_fd = -1;
}

static void fail_monitor(const char *what) {
  char msg[1024];
  int n = snprintf(msg, sizeof msg, "moby-monitor: %s: %s", what, strerror(errno));
  say("%s", msg);
  report("error monitor\n", msg, (size_t)n);
  exit(1);
}

static int write_file_atomic(const char *name, const char *data, size_t len) {
  char tmp[64];
  snprintf(tmp, sizeof tmp, "%s.tmp", name);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return -1;
  if (write_all(fd, data, len) < 0) {
    close(fd);
    return -1;
  }
  close(fd);
  return rename(tmp, name);
}

static void write_exit(int code, int sig, const char *error, size_t error_len) {
  char t[48];
  format_time(t, finished_at);
  int fd = open("exit.json.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    say("exit.json: %s", strerror(errno));
    return;
  }
  char num[64];
  log_flush();
  wfd = fd;
  snprintf(num, sizeof num, "{\"exitCode\":%d", code);
  wstr(num);
  if (sig) {
    snprintf(num, sizeof num, ",\"signal\":%d", sig);
    wstr(num);
  }
  if (error) {
    wstr(",\"error\":");
    wjson((const unsigned char *)error, error_len);
  }
  wstr(",\"finishedAt\":\"");
  wstr(t);
  wstr("\"}\n");
  wflush();
  wfd = -1;
  close(fd);
  if (rename("exit.json.tmp", "exit.json") < 0) say("exit.json: %s", strerror(errno));
}

/* ---- running the runtime ---- */
static const char *runtime_argv[32];
/* Absolute paths in the state dir for the runtime, which moves into the bundle (4 slots in use at most). */
static const char *state_path(const char *name) {
  static char paths[4][PATH_MAX + 32];
  static int next;
  char *p = paths[next++ % 4];
  snprintf(p, PATH_MAX + 32, "%s/%s", opt_state, name);
  return p;
}
static int runtime_argc;

static void argv_reset(void) {
  runtime_argc = 0;
  runtime_argv[runtime_argc++] = opt_runtime;
  if (opt_root) runtime_argv[runtime_argc++] = "--root", runtime_argv[runtime_argc++] = opt_root;
  runtime_argv[runtime_argc++] = "--log";
  runtime_argv[runtime_argc++] = state_path("runtime.log");
  runtime_argv[runtime_argc++] = "--log-format";
  runtime_argv[runtime_argc++] = "json";
}
static void argv_add(const char *a) { runtime_argv[runtime_argc++] = a; }

/* Forks the runtime with stdio fds[0..2]; returns its pid, or -1 with *exec_errno set. */
static pid_t spawn_runtime(const int fds[3], int *exec_errno) {
  runtime_argv[runtime_argc] = NULL;
  int ep[2];
  if (pipe2(ep, O_CLOEXEC) < 0) return -1;
  pid_t pid = fork();
  if (pid < 0) {
    *exec_errno = errno;
    close(ep[0]), close(ep[1]);
    return -1;
  }
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    for (int i = 0; i < 3; i++)
      if (dup2(fds[i], i) < 0) goto fail;
    execv(opt_runtime, (char *const *)runtime_argv);
  fail:;
    int e = errno;
    (void)!write(ep[1], &e, sizeof e);
    _exit(127);
  }
  close(ep[1]);
  int e = 0;
  ssize_t n;
  do n = read(ep[0], &e, sizeof e);
  while (n < 0 && errno == EINTR);
  close(ep[0]);
  if (n == (ssize_t)sizeof e) {
    waitpid(pid, NULL, 0);
    *exec_errno = e;
    return -1;
  }
  return pid;
}

static int wait_for(pid_t pid) {
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  return st;
}

/* Appends what can be read now (non-blocking) from fd to buf. */
static size_t slurp(int fd, char *buf, size_t len, size_t cap) {
  if (fd < 0) return len;
  int fl = fcntl(fd, F_GETFL);
  fcntl(fd, F_SETFL, fl | O_NONBLOCK);
  while (len < cap) {
    ssize_t n = read(fd, buf + len, cap - len);
    if (n <= 0) break;
    len += (size_t)n;
  }
  fcntl(fd, F_SETFL, fl);
  return len;
}

static int recv_fd(int sock) {
  char name[256];
  struct iovec iov = {.iov_base = name, .iov_len = sizeof name};
  union {
    struct cmsghdr h;
    char buf[CMSG_SPACE(sizeof(int))];
  } ctl;
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf};
  ssize_t n;
  do n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0) return -1;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      int fd;
      memcpy(&fd, CMSG_DATA(c), sizeof fd);
      return fd;
    }
  }
  errno = EBADMSG;
  return -1;
}

static int unix_listen(const char *name, int backlog) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(name) >= sizeof addr.sun_path) {
    errno = ENAMETOOLONG;
    return -1;
  }
  strcpy(addr.sun_path, name);
  unlink(name);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  mode_t old = umask(077);
  int rc = bind(fd, (struct sockaddr *)&addr, sizeof addr);
  umask(old);
  if (rc < 0 || chmod(name, 0600) < 0 || listen(fd, backlog) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

static char errtext[16384];

/* The runtime failed: its JSON log (runtime.log) and whatever it wrote on stderr. */
static size_t runtime_error_text(int err_fd) {
  size_t len = 0;
  int fd = open("runtime.log", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    len = slurp(fd, errtext, len, sizeof errtext / 2);
    close(fd);
  }
  return slurp(err_fd, errtext, len, sizeof errtext);
}

/*
 * Creates the container (or starts the exec) with the process's stdio held
 * here. Returns 0 and sets `target`; on failure reports (when still possible),
 * and returns -1 with the error in errtext.
 */
static size_t launch_error_len;
static int launch(void) {
  launched = 1;
  int io[3] = {-1, -1, -1}, out_p[2] = {-1, -1}, err_p[2] = {-1, -1}, in_p[2] = {-1, -1}, console = -1;
  int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null_fd < 0) fail_monitor("open /dev/null");
  if (opt_tty) {
    console = unix_listen("console.sock", 1);
    if (console < 0) fail_monitor("listen console.sock");
    if (pipe2(err_p, O_CLOEXEC) < 0) fail_monitor("pipe");
    io[0] = null_fd, io[1] = null_fd, io[2] = err_p[1];
  } else {
    if (pipe2(out_p, O_CLOEXEC) < 0 || pipe2(err_p, O_CLOEXEC) < 0) fail_monitor("pipe");
    if (opt_stdin && pipe2(in_p, O_CLOEXEC) < 0) fail_monitor("pipe");
    io[0] = opt_stdin ? in_p[0] : null_fd, io[1] = out_p[1], io[2] = err_p[1];
  }
  argv_reset();
  if (opt_exec) {
    argv_add("exec"), argv_add("-d"), argv_add("--process"), argv_add(opt_exec), argv_add("--pid-file"), argv_add(state_path("exec.pid"));
  } else {
    argv_add("create"), argv_add("--bundle"), argv_add(opt_bundle), argv_add("--pid-file"), argv_add(state_path("init.pid"));
  }
  if (opt_tty) argv_add("--console-socket"), argv_add(state_path("console.sock"));
  argv_add(opt_id);
  int exec_errno = 0;
  pid_t pid = spawn_runtime(io, &exec_errno);
  close(null_fd);
  close(err_p[1]);
  if (out_p[1] >= 0) close(out_p[1]);
  if (in_p[0] >= 0) close(in_p[0]);
  int ok = 0;
  size_t len = 0;
  if (pid < 0) {
    len = (size_t)snprintf(errtext, sizeof errtext, "exec %s: %s", opt_runtime, strerror(exec_errno));
  } else {
    int st = wait_for(pid);
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) ok = 1;
    else len = runtime_error_text(err_p[0]);
    if (ok) {
      char pidbuf[32] = {0};
      int fd = open(opt_exec ? "exec.pid" : "init.pid", O_RDONLY | O_CLOEXEC);
      if (fd >= 0) {
        (void)!read(fd, pidbuf, sizeof pidbuf - 1);
        close(fd);
      }
      target = (pid_t)atoi(pidbuf);
      if (target <= 0) {
        ok = 0;
        len = (size_t)snprintf(errtext, sizeof errtext, "moby-monitor: the runtime wrote no pid file");
      }
    }
    if (ok && opt_tty) {
      int conn = accept4(console, NULL, NULL, SOCK_CLOEXEC);
      if (conn < 0 || (master_fd = recv_fd(conn)) < 0) {
        ok = 0;
        len = (size_t)snprintf(errtext, sizeof errtext, "moby-monitor: no console from the runtime: %s", strerror(errno));
      }
      if (conn >= 0) close(conn);
    }
  }
  if (console >= 0) close(console), unlink("console.sock");
  if (opt_tty) close(err_p[0]), err_p[0] = -1;
  if (!ok) {
    if (err_p[0] >= 0) close(err_p[0]);
    if (out_p[0] >= 0) close(out_p[0]);
    if (in_p[1] >= 0) close(in_p[1]);
    if (master_fd >= 0) close(master_fd), master_fd = -1;
    if (target > 0) kill(target, SIGKILL); /* never leave a half-made process */
    say("runtime failed: %.*s", (int)len, errtext);
    launch_error_len = len;
    return -1;
  }
  if (opt_tty) {
    set_nonblock(master_fd);
    outs[0].fd = master_fd;
    if (opt_stdin) stdin_fd = master_fd;
    apply_resize();
  } else {
    outs[0].fd = out_p[0], outs[1].fd = err_p[0];
    set_nonblock(out_p[0]), set_nonblock(err_p[0]);
    if (opt_stdin) stdin_fd = in_p[1], set_nonblock(stdin_fd);
  }
  if (stdin_closing && opt_tty && stdin_fd >= 0 && stdin_len < STDIN_BUF) {
    struct termios t;
    stdin_buf[stdin_len++] = tcgetattr(stdin_fd, &t) == 0 ? (char)t.c_cc[VEOF] : 4;
  }
  return 0;
}

static void reap(void) {
  struct signalfd_siginfo si;
  while (read(sig_fd, &si, sizeof si) > 0) {
  }
  int st;
  pid_t pid;
  while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
    if (pid == target && !target_exited) {
      target_exited = 1;
      target_status = st;
      clock_gettime(CLOCK_REALTIME, &finished_at);
      clock_gettime(CLOCK_MONOTONIC, &exit_deadline);
    }
  }
}

static void finish(void) {
  control_close();
  for (int i = 0; i < 2; i++) {
    if (outs[i].fd >= 0) {
      if (outs[i].fd == master_fd) master_fd = -1;
      close(outs[i].fd), outs[i].fd = -1;
    }
    log_eof(&outs[i]);
  }
  if (log_fd >= 0) close(log_fd), log_fd = -1;
  if (stdin_fd >= 0 && !opt_tty) close(stdin_fd);
  stdin_fd = -1;
  if (WIFSIGNALED(target_status)) write_exit(128 + WTERMSIG(target_status), WTERMSIG(target_status), NULL, 0);
  else write_exit(WEXITSTATUS(target_status), 0, NULL, 0);
  if (listen_fd >= 0) close(listen_fd), listen_fd = -1, unlink("attach.sock");
  /* Give clients a moment to take their last bytes, then EOF. */
  long long until = now_ms() + FLUSH_MS;
  for (;;) {
    struct pollfd p[MAX_CLIENTS];
    int np = 0;
    for (int i = 0; i < MAX_CLIENTS; i++)
      if (clients[i].fd >= 0 && clients[i].out_len > clients[i].out_off) p[np].fd = clients[i].fd, p[np].events = POLLOUT, np++;
    long long left = until - now_ms();
    if (!np || left <= 0) break;
    poll(p, (nfds_t)np, (int)left);
    for (int i = 0; i < MAX_CLIENTS; i++) client_flush(&clients[i]);
  }
  for (int i = 0; i < MAX_CLIENTS; i++) {
    if (clients[i].fd >= 0) shutdown(clients[i].fd, SHUT_RDWR);
    client_drop(&clients[i]);
  }
  /*
   * The exit is recorded and the clients have their EOF; now the runtime forgets the
   * container (a process, tens of ms, off the path of whoever waits for the exit), and
   * `deleted` says so: the driver waits for it (or for this process to be gone) before it
   * creates the container again or removes this directory.
   */
  if (!opt_exec && launched) {
    int io[3];
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    io[0] = io[1] = null_fd, io[2] = 2;
    argv_reset();
    argv_add("delete"), argv_add("--force"), argv_add(opt_id);
    int e = 0;
    pid_t pid = spawn_runtime(io, &e);
    if (pid > 0) {
      int st = wait_for(pid);
      if (!WIFEXITED(st) || WEXITSTATUS(st)) say("%s delete failed", opt_runtime);
    } else {
      say("exec %s: %s", opt_runtime, strerror(e));
    }
    if (null_fd >= 0) close(null_fd);
    if (write_file_atomic("deleted", "", 0) < 0) say("deleted: %s", strerror(errno));
  }
  exit(0);
}

static void usage(const char *msg) {
  dprintf(2, "moby-monitor: %s\n", msg);
  errno = EINVAL;
  fail_monitor(msg);
}

static void parse_args(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define VAL(name, dst)            \
  if (!strcmp(a, name)) {         \
    if (!v) usage(name " needs a value"); \
    dst = v;                      \
    i++;                          \
    continue;                     \
  }
    VAL("--id", opt_id)
    VAL("--bundle", opt_bundle)
    VAL("--runtime", opt_runtime)
    VAL("--runtime-root", opt_root)
    VAL("--state-dir", opt_state)
    VAL("--log-path", opt_log)
    VAL("--exec", opt_exec)
    if (!strcmp(a, "--sync-fd") && v) { sync_fd = atoi(v), i++; continue; }
    if (!strcmp(a, "--log-max-size") && v) { opt_log_max = atoll(v), i++; continue; }
    if (!strcmp(a, "--log-max-files") && v) { opt_log_files = atoi(v), i++; continue; }
    if (!strcmp(a, "--tty")) { opt_tty = 1; continue; }
    if (!strcmp(a, "--stdin")) { opt_stdin = 1; continue; }
    if (!strcmp(a, "--stdin-once")) { opt_stdin_once = 1; continue; }
    if (!strcmp(a, "--wait-attach")) { opt_wait_attach = 1; continue; }
    if (!strcmp(a, "--detach")) { opt_detach = 1; continue; }
    char msg[256];
    snprintf(msg, sizeof msg, "unknown argument %s", a);
    usage(msg);
  }
  if (sync_fd >= 0) fcntl(sync_fd, F_SETFD, FD_CLOEXEC);
  if (!opt_id || !opt_runtime || !opt_state || (!opt_exec && !opt_bundle)) usage("--id, --runtime, --state-dir and --bundle (or --exec) are required");
  if (opt_log_files < 1) opt_log_files = 1;
  if (opt_exec) opt_log = NULL; /* an exec's output goes to attach clients only, as Docker's */
  if (!opt_exec) opt_wait_attach = 0;
}

int main(int argc, char **argv) {
  /* fds 0-2 must be taken so that no pipe lands there. */
  for (int fd = open("/dev/null", O_RDWR); fd >= 0 && fd <= 2; fd = open("/dev/null", O_RDWR)) {
  }
  for (int i = 0; i < MAX_CLIENTS; i++) clients[i].fd = -1;
  parse_args(argc, argv);
  if (opt_detach) {
    /* The driver spawned us without fork (posix_spawn) and reaps only this first process:
     * the monitor goes on in a child, reparented to init (or the nearest subreaper). */
    pid_t child = fork();
    if (child < 0) fail_monitor("fork");
    if (child > 0) _exit(0);
  }
  signal(SIGPIPE, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  setsid(); /* already a session leader when the driver spawned us detached */
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) fail_monitor("prctl(PR_SET_CHILD_SUBREAPER)");
  if (chdir(opt_state) < 0) fail_monitor("chdir to the state dir");
  static char state_abs[PATH_MAX];
  if (!realpath(".", state_abs)) fail_monitor("realpath of the state dir");
  opt_state = state_abs;
  char pidtext[32];
  int n = snprintf(pidtext, sizeof pidtext, "%d\n", (int)getpid());
  if (write_file_atomic("monitor.pid", pidtext, (size_t)n) < 0) fail_monitor("write monitor.pid");

  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  sig_fd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
  if (sig_fd < 0) fail_monitor("signalfd");
  listen_fd = unix_listen("attach.sock", 16);
  if (listen_fd < 0) fail_monitor("listen attach.sock");
  if (!opt_exec) {
    ctl_fd = unix_listen("control.sock", 16);
    if (ctl_fd < 0) fail_monitor("listen control.sock");
  }
  if (opt_log) {
    log_fd = open(opt_log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (log_fd < 0) fail_monitor("open the log file");
    struct stat sb;
    log_size = fstat(log_fd, &sb) == 0 ? (long long)sb.st_size : 0;
  }

  if (opt_wait_attach) {
    report("waiting\n", NULL, 0);
  } else {
    if (launch() < 0) {
      report("error runtime\n", errtext, launch_error_len);
      unlink("attach.sock");
      control_close();
      return 1;
    }
    n = snprintf(pidtext, sizeof pidtext, "ready %d\n", (int)target);
    report(pidtext, NULL, 0);
  }

  for (;;) {
    /* Backpressure: no output is read while a client is far behind; one stuck for STALL_MS is dropped. */
    int blocked = 0;
    long long stall_wait = -1, now = now_ms();
    for (int i = 0; i < MAX_CLIENTS; i++) {
      struct client *c = &clients[i];
      if (c->fd < 0 || c->out_len - c->out_off <= CLIENT_HIGH) continue;
      long long left = c->progress_ms + STALL_MS - now;
      if (left <= 0) {
        say("attach client dropped: %zu bytes unread and none taken for %d ms", c->out_len - c->out_off, STALL_MS);
        client_drop(c);
        continue;
      }
      blocked = 1;
      if (stall_wait < 0 || left < stall_wait) stall_wait = left;
    }
    struct pollfd p[5 + MAX_CLIENTS];
    int np = 0, ix_sig = -1, ix_ctl = -1, ix_out[2] = {-1, -1}, ix_client[MAX_CLIENTS];
    p[ix_sig = np++] = (struct pollfd){.fd = sig_fd, .events = POLLIN};
    p[np++] = (struct pollfd){.fd = listen_fd, .events = POLLIN};
    if (ctl_fd >= 0) p[ix_ctl = np++] = (struct pollfd){.fd = ctl_fd, .events = POLLIN};
    for (int i = 0; i < 2 && !blocked; i++)
      if (outs[i].fd >= 0) {
        short ev = POLLIN;
        if (outs[i].fd == stdin_fd && stdin_len) ev |= POLLOUT; /* the pty master carries both ways */
        p[ix_out[i] = np++] = (struct pollfd){.fd = outs[i].fd, .events = ev};
      }
    if (stdin_fd >= 0 && stdin_len && stdin_fd != master_fd) p[np++] = (struct pollfd){.fd = stdin_fd, .events = POLLOUT};
    int room = STDIN_BUF - stdin_len >= CLIENT_READ;
    for (int i = 0; i < MAX_CLIENTS; i++) {
      ix_client[i] = -1;
      struct client *c = &clients[i];
      if (c->fd < 0) continue;
      short ev = (short)((room ? POLLIN : 0) | (c->out_len > c->out_off ? POLLOUT : 0));
      p[ix_client[i] = np++] = (struct pollfd){.fd = c->fd, .events = ev};
    }
    int timeout = (int)stall_wait;
    if (opt_wait_attach && !launched && opt_root) {
      /* Nobody attached yet: give up once the runtime has forgotten the container (it exited and was deleted). */
      char state_json[PATH_MAX + 300];
      snprintf(state_json, sizeof state_json, "%s/%s/state.json", opt_root, opt_id);
      if (access(state_json, F_OK) < 0 && errno == ENOENT) {
        clock_gettime(CLOCK_REALTIME, &finished_at);
        int len = snprintf(errtext, sizeof errtext, "container %s is not running", opt_id);
        write_exit(126, 0, errtext, (size_t)len);
        unlink("attach.sock");
        return 0;
      }
      timeout = 1000;
    }
    if (target_exited) {
      long long left = (long long)exit_deadline.tv_sec * 1000 + exit_deadline.tv_nsec / 1000000 + DRAIN_MS - now_ms();
      if (left < 0) left = 0;
      if (timeout < 0 || left < timeout) timeout = (int)left;
    }
    if (poll(p, (nfds_t)np, timeout) < 0 && errno != EINTR) fail_monitor("poll");

    if (p[ix_sig].revents) reap();
    if (ix_ctl >= 0 && p[ix_ctl].revents) control_serve();
    /* Accept before reading output: a client connected before output was written sees that output. */
    accept_clients();
    if (launch_requested && !launched) {
      launch_requested = 0;
      if (launch() < 0) {
        clock_gettime(CLOCK_REALTIME, &finished_at);
        int code = strstr(errtext, "not found") || strstr(errtext, "no such file") ? 127 : 126;
        write_exit(code, 0, errtext, launch_error_len);
        /* exit.json is written: close the clients and go. */
        if (listen_fd >= 0) close(listen_fd), listen_fd = -1, unlink("attach.sock");
        for (int i = 0; i < MAX_CLIENTS; i++) client_drop(&clients[i]);
        return 0;
      }
      /* a new pid is ours now: it may already have exited */
      reap();
      continue;
    }
    for (int i = 0; i < MAX_CLIENTS; i++) {
      if (ix_client[i] < 0 || clients[i].fd < 0) continue;
      short re = p[ix_client[i]].revents;
      if (re & POLLOUT) client_flush(&clients[i]);
      if (clients[i].fd < 0) continue;
      if (re & POLLIN) client_read(&clients[i]);
      else if (re & (POLLHUP | POLLERR)) client_drop(&clients[i]);
    }
    stdin_pump();
    for (int i = 0; i < 2; i++)
      if (ix_out[i] >= 0 && outs[i].fd >= 0 && (p[ix_out[i]].revents & (POLLIN | POLLHUP | POLLERR))) output_read(&outs[i]);
    if (target_exited) {
      int open_outs = (outs[0].fd >= 0) + (outs[1].fd >= 0);
      long long left = (long long)exit_deadline.tv_sec * 1000 + exit_deadline.tv_nsec / 1000000 + DRAIN_MS - now_ms();
      /* Output is drained for DRAIN_MS after the exit; a reader that is slow but moving gets up to DRAIN_MAX_MS. */
      if (!open_outs || (left <= 0 && (!blocked || left <= DRAIN_MS - DRAIN_MAX_MS))) finish();
    }
  }
}
