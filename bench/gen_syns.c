/* gen_syns: streaming generator of SYN-only pcap captures for P0fSharp's memory benchmarks.
 *
 *   gen_syns OUT COUNT [HOSTS] [SEED]
 *
 * Writes COUNT Ethernet/IPv6 TCP SYNs (one record at a time, constant memory) to OUT, or to
 * standard output when OUT is "-". Client i uses source address 2001:db8:<hash(i mod HOSTS)>,
 * where the hash is a bijection on 64 bits, so there are exactly min(COUNT, HOSTS) distinct
 * sources; HOSTS = 0 (the default) means every SYN comes from a fresh source ("random-source
 * SYN flood"). Every SYN goes to the server 2001:db8:ffff::25 port 25, from a random port, with
 * one of a few real stacks' TTL/window/option layouts. Addresses are in the documentation
 * prefix 2001:db8::/32 (RFC 3849); the file is meant for offline reading (-r), not for sending.
 * Packet timestamps advance 10 us per SYN (100,000 SYN/s of packet time).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ETH_LEN 14
#define IP6_LEN 40
#define TCP_LEN 20
#define MAX_OPT 40

static uint64_t mix64(uint64_t x) /* splitmix64 finaliser: a bijection on 64-bit values */
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static uint64_t rng_state;
static uint64_t next_random(void)
{
    rng_state += 0x9e3779b97f4a7c15ULL;
    uint64_t z = rng_state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

struct stack {
    uint8_t ttl;
    uint16_t window; /* 0: 20 * mss (Linux 3.x+) */
    uint8_t wscale;
    const char *layout; /* m=mss n=nop w=ws s=sok t=ts e=eol */
};

static const struct stack stacks[] = {
    {64, 0, 7, "mstnw"},       /* Linux 3.x+ */
    {64, 28800, 7, "mstnw"},   /* Linux 2.6 style */
    {128, 64800, 8, "mnwnns"}, /* Windows 10 */
    {128, 8192, 8, "mnwnns"},  /* Windows 7 */
    {64, 65535, 6, "mnwnntse"}, /* macOS */
    {64, 65535, 6, "mnwst"},   /* FreeBSD */
};
#define STACKS (sizeof stacks / sizeof stacks[0])

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)(v >> 32)); put32(p + 4, (uint32_t)v); }
static void putle32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24); }

static int build_options(uint8_t *o, const struct stack *s, uint16_t mss, uint32_t tsval)
{
    int n = 0;
    for (const char *k = s->layout; *k; k++) {
        switch (*k) {
        case 'm': o[n++] = 2; o[n++] = 4; put16(o + n, mss); n += 2; break;
        case 'n': o[n++] = 1; break;
        case 'w': o[n++] = 3; o[n++] = 3; o[n++] = s->wscale; break;
        case 's': o[n++] = 4; o[n++] = 2; break;
        case 't': o[n++] = 8; o[n++] = 10; put32(o + n, tsval); put32(o + n + 4, 0); n += 8; break;
        case 'e': o[n++] = 0; break;
        }
    }
    while (n % 4) o[n++] = 0;
    return n;
}

static uint16_t tcp6_checksum(const uint8_t *ip6, const uint8_t *tcp, int tcp_len)
{
    uint32_t sum = 0;
    for (int i = 8; i < 40; i += 2) sum += (uint32_t)(ip6[i] << 8 | ip6[i + 1]); /* src + dst */
    sum += (uint32_t)tcp_len;
    sum += 6;
    for (int i = 0; i < tcp_len; i += 2) sum += (uint32_t)(tcp[i] << 8 | (i + 1 < tcp_len ? tcp[i + 1] : 0));
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s OUT|- COUNT [HOSTS (0 = all distinct)] [SEED]\n", argv[0]);
        return 2;
    }
    const char *out = argv[1];
    char *end;
    errno = 0;
    unsigned long long count = strtoull(argv[2], &end, 10);
    if (errno || *end || count == 0) { fprintf(stderr, "gen_syns: bad COUNT '%s'\n", argv[2]); return 2; }
    unsigned long long hosts = 0;
    if (argc > 3) {
        hosts = strtoull(argv[3], &end, 10);
        if (errno || *end) { fprintf(stderr, "gen_syns: bad HOSTS '%s'\n", argv[3]); return 2; }
    }
    uint64_t seed = argc > 4 ? strtoull(argv[4], NULL, 10) : 1;
    rng_state = mix64(seed);

    FILE *f = strcmp(out, "-") == 0 ? stdout : fopen(out, "wb");
    if (!f) { perror(out); return 1; }
    static char iobuf[1 << 20];
    setvbuf(f, iobuf, _IOFBF, sizeof iobuf);

    uint8_t hdr[24];
    putle32(hdr, 0xa1b2c3d4);
    hdr[4] = 2; hdr[5] = 0; hdr[6] = 4; hdr[7] = 0; /* version 2.4 */
    putle32(hdr + 8, 0); putle32(hdr + 12, 0);
    putle32(hdr + 16, 65535); putle32(hdr + 20, 1); /* snaplen, LINKTYPE_ETHERNET */
    if (fwrite(hdr, 1, sizeof hdr, f) != sizeof hdr) { perror("gen_syns: write"); return 1; }

    static const uint8_t eth[ETH_LEN] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x86, 0xdd};
    static const uint16_t mss_choices[] = {1440, 1440, 1440, 1432, 1380, 1360};
    uint8_t rec[16 + ETH_LEN + IP6_LEN + TCP_LEN + MAX_OPT];
    uint64_t usec_total = 1700000000ULL * 1000000ULL;

    for (unsigned long long i = 0; i < count; i++) {
        uint64_t client = hosts ? (i % hosts) : i;
        uint64_t host_bits = mix64(client ^ (seed << 48));
        const struct stack *s = &stacks[host_bits % STACKS];
        uint8_t hops = (uint8_t)(1 + (host_bits >> 8) % 19);
        uint64_t r = next_random();
        uint16_t mss = mss_choices[r % (sizeof mss_choices / sizeof mss_choices[0])];
        uint16_t sport = (uint16_t)(1024 + (r >> 8) % 64511);
        uint32_t seq = (uint32_t)(r >> 32);
        uint32_t tsval = (uint32_t)(host_bits >> 32) + (uint32_t)(i * 10);

        uint8_t *p = rec + 16;
        memcpy(p, eth, ETH_LEN);
        uint8_t *ip6 = p + ETH_LEN;
        uint8_t *tcp = ip6 + IP6_LEN;
        uint8_t opts[MAX_OPT];
        int olen = build_options(opts, s, mss, tsval);
        int tcp_len = TCP_LEN + olen;

        /* IPv6: version 6, traffic class 0, flow label 0, payload length, next header TCP */
        memset(ip6, 0, IP6_LEN);
        ip6[0] = 0x60;
        put16(ip6 + 4, (uint16_t)tcp_len);
        ip6[6] = 6;
        ip6[7] = (uint8_t)(s->ttl - hops);
        put32(ip6 + 8, 0x20010db8);                 /* source 2001:db8:0:0:<host_bits> */
        put32(ip6 + 12, 0);
        put64(ip6 + 16, host_bits);
        put32(ip6 + 24, 0x20010db8);                /* destination 2001:db8:ffff::25 */
        put32(ip6 + 28, 0xffff0000);
        put64(ip6 + 32, 0x25);

        put16(tcp, sport);
        put16(tcp + 2, 25);
        put32(tcp + 4, seq);
        put32(tcp + 8, 0);
        tcp[12] = (uint8_t)((tcp_len / 4) << 4);
        tcp[13] = 0x02; /* SYN */
        put16(tcp + 14, s->window ? s->window : (uint16_t)(mss * 20));
        put16(tcp + 16, 0);
        put16(tcp + 18, 0);
        memcpy(tcp + TCP_LEN, opts, (size_t)olen);
        put16(tcp + 16, tcp6_checksum(ip6, tcp, tcp_len));

        int frame = ETH_LEN + IP6_LEN + tcp_len;
        usec_total += 10;
        putle32(rec, (uint32_t)(usec_total / 1000000ULL));
        putle32(rec + 4, (uint32_t)(usec_total % 1000000ULL));
        putle32(rec + 8, (uint32_t)frame);
        putle32(rec + 12, (uint32_t)frame);
        if (fwrite(rec, 1, (size_t)(16 + frame), f) != (size_t)(16 + frame)) {
            if (errno != EPIPE) perror("gen_syns: write");
            return 1;
        }
    }
    if (fflush(f) != 0 || (f != stdout && fclose(f) != 0)) { perror("gen_syns: close"); return 1; }
    return 0;
}
