#!/usr/bin/env python3
"""Measures sigflow against the floor (a plain libpcap read loop) and tshark on large generated
captures, reporting medians of three runs (eleven for runs under a second). Run through scripts/bench.

usage: scripts/bench [MEGABYTES ...]   (default: 100 1000)
       scripts/bench signaling          (a busy proxy's SIP port only, 100 and 300 MB, with sngrep)
       scripts/bench dense              (SIP + RTP at twenty short calls per MB, 100 MB)
       scripts/bench hostile            (floods of connections, fragments and SIP Call-IDs)
       scripts/bench tls                (a SIP trunk over TLS: what decrypting costs next to decoding)
"""
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORK = os.path.join(ROOT, ".build-bench")
SIGFLOW = os.path.join(ROOT, ".build", "release", "sigflow")
LOOP = os.path.join(WORK, "pcaploop")


def run(command):
    """Elapsed seconds, peak RSS (KB) and CPU seconds (user + system, all threads) of one run. RSS and
    CPU come from GNU time -v; the wall clock is taken here, since time -v counts hundredths of a
    second, too coarse for a run of 50 ms (it adds the same fork and exec of time itself to every
    tool)."""
    start = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-v"] + command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"bench: {' '.join(command)} failed:\n{result.stderr[-2000:]}")
    rss = None
    cpu = 0.0
    for line in result.stderr.splitlines():
        line = line.strip()
        if line.startswith("Maximum resident set size"):
            rss = int(line.split(": ", 1)[1])
        elif line.startswith("User time (seconds)") or line.startswith("System time (seconds)"):
            cpu += float(line.split(": ", 1)[1])
    return elapsed, rss, cpu


def median_of_three(command):
    """Medians of three runs; a run under a second is measured eleven times instead (a 50 ms run
    varies by several ms from one to the next), and a run over a minute (tshark on a flood) once."""
    runs = [run(command)]
    if runs[0][0] < 1:
        runs += [run(command) for _ in range(10)]
    elif runs[0][0] < 60:
        runs += [run(command) for _ in range(2)]
    return tuple(statistics.median(r[field] for r in runs) for field in range(3))


HOSTILE = [("syn-flood", 300_000), ("fragment-flood", 500_000), ("sip-scan", 300_000), ("sip-tcp-hold", 130_000)]


def hostile():
    """State that grows with hostile traffic: sigflow must stay fast and under its memory caps."""
    print(f"{'capture':<26} {'tool':<8} {'seconds':>8} {'CPU s':>7} {'peak RSS':>9}")
    for kind, count in HOSTILE:
        capture = os.path.join(WORK, f"{kind}-{count}.pcap")
        if not os.path.exists(capture):
            subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "bench-support", "make-hostile.py"), capture, kind,
                            str(count)], check=True)
        for tool, command in [("loop", [LOOP, capture]),
                              ("tshark", ["tshark", "-r", capture, "-Y", "sip", "-T", "fields", "-e", "sip.Call-ID"]),
                              ("sigflow", [SIGFLOW, "calls", "-q", capture])]:
            seconds, rss, cpu = median_of_three(command)
            print(f"{kind + ' ' + str(count):<26} {tool:<8} {seconds:>8.2f} {cpu:>7.2f} {rss / 1024:>7.1f}MB")
    print("targets: peak RSS < 64 MB; time within reach of tshark's")


TSHARK = ["tshark", "-Y", "sip", "-T", "fields", "-e", "sip.Call-ID", "-r"]


def compare(label, capture, tools):
    """One line per tool, side by side: medians, and speed against the loop and tshark. `sigflow flow
    json` is the whole document (every step of every call) where `calls` is the list."""
    results = {tool: median_of_three(command + [capture]) for tool, command in tools}
    for tool, (seconds, rss, cpu) in results.items():
        print(f"{label:<26} {tool:<18} {seconds:>8.2f} {cpu:>7.2f} {rss / 1024:>7.1f}MB "
              f"{results['loop'][0] / seconds:>7.2f}x {results['tshark'][0] / seconds:>8.1f}x")
    return results


def header():
    print(f"{'capture':<26} {'tool':<18} {'seconds':>8} {'CPU s':>7} {'peak RSS':>9} {'vs loop':>8} {'vs tshark':>9}")


SIGFLOW_RUNS = [("sigflow calls", [SIGFLOW, "calls", "-q"]),
                ("sigflow flow json", [SIGFLOW, "flow", "-q", "--format", "json"])]


def generated(name, size, option):
    capture = os.path.join(WORK, f"{name}-{size}MB.pcap")
    if not os.path.exists(capture):
        subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "bench-support", "make-capture.py"), capture, str(size),
                        "1", option], check=True)
    return capture


def signaling():
    """Signaling only, as a capture filter on a busy proxy's SIP port gives it: nearly every packet is
    a message to decode and correlate. sngrep is measured too (`-N -q`: no interface, read the file
    and exit), told to keep every dialog: by default it stops taking new ones at 20,000."""
    header()
    for size in (100, 300):
        results = compare(f"signaling {size} MB", generated("signaling", size, "--signaling"),
                          [("loop", [LOOP]), ("tshark", TSHARK),
                           # -l: keep every dialog, as the others do (sngrep's default stops at 20,000).
                           ("sngrep", ["sngrep", "-N", "-q", "-l", "10000000", "-I"])] + SIGFLOW_RUNS)
        print(f"sigflow calls vs sngrep: {results['sngrep'][0] / results['sigflow calls'][0]:.1f}x")
    print("targets: calls >= 10x sngrep and >= 40x tshark, peak RSS < 64 MB; flow json within 2x of calls")


def dense():
    """SIP + RTP as a busy access network carries it: about twenty short calls per MB, so signaling
    is a large share of the packets that are not RTP."""
    header()
    compare("dense 100 MB", generated("dense", 100, "--dense"), [("loop", [LOOP]), ("tshark", TSHARK)] + SIGFLOW_RUNS)
    print("targets: calls >= 0.7x the loop and >= 30x tshark, peak RSS < 64 MB; flow json within 2x of calls")


def tls():
    """A SIP trunk over one TLS 1.3 connection (real OpenSSL and sipp, 2000 calls, made by
    captures/lab/tls/make.sh bench-tls-trunk; needs root) whose capture holds its cleartext twin, the
    same bytes between the TLS server and sipp. Three runs over the same file: the TLS leg decrypted
    and decoded, the cleartext leg decoded, the TLS leg without keys (read, filtered and ignored).
    Decrypting costs the first minus the second, decoding the second minus the third."""
    capture = os.path.join(WORK, "bench-tls-trunk.pcap")
    keylog = os.path.join(WORK, "bench-tls-trunk.keylog")
    if not os.path.exists(capture):
        subprocess.run([os.path.join(ROOT, "captures", "lab", "tls", "make.sh"), "bench-tls-trunk"], check=True,
                       env=dict(os.environ, TLSLAB_OUT=WORK, TLSLAB_CALLS="2000"))
    megabytes = os.path.getsize(capture) / 1e6
    runs = [("TLS leg, --keylog", ["--keylog", keylog, "-f", "tcp port 5061"]),
            ("cleartext leg", ["-f", "tcp port 5060"]),
            ("TLS leg, no key log", ["-f", "tcp port 5061"])]
    print(f"{'bench-tls-trunk (%.0f MB, 2000 calls)' % megabytes:<40} {'seconds':>8} {'CPU s':>7} {'peak RSS':>9}")
    results = []
    for label, options in runs:
        seconds, rss, cpu = median_of_three([SIGFLOW, "calls", "-q"] + options + [capture])
        results.append((seconds, cpu))
        print(f"{label:<40} {seconds:>8.3f} {cpu:>7.2f} {rss / 1024:>7.1f}MB")
    (tls_s, tls_cpu), (clear_s, clear_cpu), (none_s, none_cpu) = results
    print(f"decrypting: {tls_s - clear_s:.3f} s ({tls_cpu - clear_cpu:.2f} CPU s); "
          f"decoding: {clear_s - none_s:.3f} s ({clear_cpu - none_cpu:.2f} CPU s)")
    print("target: decrypting costs no more than the decoding after it")


def main():
    os.makedirs(WORK, exist_ok=True)
    subprocess.run(["gcc", "-O2", "-o", LOOP, os.path.join(ROOT, "scripts", "bench-support", "pcaploop.c"), "-lpcap"], check=True)
    subprocess.run(["swift", "build", "-c", "release", "--static-swift-stdlib", "--product", "sigflow"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    machine = subprocess.run(["uname", "-srm"], capture_output=True, text=True).stdout.strip()
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    print(f"machine: {machine}, {os.cpu_count()} cores, {cpu}")
    if sys.argv[1:] == ["hostile"]:
        return hostile()
    if sys.argv[1:] == ["signaling"]:
        return signaling()
    if sys.argv[1:] == ["tls"]:
        return tls()
    if sys.argv[1:] == ["dense"]:
        return dense()
    sizes = [float(arg) for arg in sys.argv[1:]] or [100, 1000]
    print(f"{'size':>7} {'tool':<8} {'seconds':>8} {'CPU s':>7} {'MB/s':>8} {'packets/s':>11} {'peak RSS':>9} {'vs loop':>8} "
          f"{'vs tshark':>9}")
    for size in sizes:
        capture = os.path.join(WORK, f"bench-{int(size)}MB.pcap")
        if not os.path.exists(capture):
            subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "bench-support", "make-capture.py"), capture, str(size)], check=True)
        megabytes = os.path.getsize(capture) / 1e6
        packets = int(subprocess.run([LOOP, capture], capture_output=True, text=True, check=True).stdout.split()[0])
        results = {
            "loop": median_of_three([LOOP, capture]),
            "tshark": median_of_three(["tshark", "-r", capture, "-Y", "sip", "-T", "fields", "-e", "sip.Call-ID"]),
            "sigflow": median_of_three([SIGFLOW, "calls", "-q", capture]),
        }
        for tool, (seconds, rss, cpu) in results.items():
            speed_vs_loop = results["loop"][0] / seconds
            speed_vs_tshark = results["tshark"][0] / seconds
            print(f"{megabytes:>5.0f}MB {tool:<8} {seconds:>8.3f} {cpu:>7.2f} {megabytes / seconds:>8.0f} {packets / seconds:>11.0f} "
                  f"{rss / 1024:>7.1f}MB {speed_vs_loop:>7.2f}x {speed_vs_tshark:>8.1f}x")
    print("targets: sigflow >= 0.7x the loop, >= 30x tshark, peak RSS < 64 MB and flat across sizes")
    print("seconds are wall-clock (median of 11 runs under a second, else of 3); sigflow reads on a second core when")
    print("there is one, so its CPU time is higher")


main()
