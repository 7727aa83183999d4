#!/usr/bin/python3
"""Time the outside baselines of bench/parse.sh on the same files.

    parsebase.py sfeed [-n MIN_REPS] [-t MIN_SECONDS] FILE
    parsebase.py feedparser [-n MIN_REPS] [-t MIN_SECONDS] FILE ...

sfeed: runs `sfeed < FILE > /dev/null` (one process per repetition; its
start-up is part of the time, as it is of sfeed's use). feedparser: reads
every file into memory first, then times feedparser.parse() on each
file's bytes, in this process. Repetitions go on until both MIN_REPS
(default 3) and MIN_SECONDS (default 1) are reached; the best one is
reported as parsebench and sax2walk do, on one line:

    bytes B files F reps R best S mbps M entries E checksum C maxrss_kib K

entries: the lines sfeed writes (one per item, counted in one more run,
untimed) or the length of feedparser's entries; checksum: a CRC of that
output. maxrss_kib: for feedparser, the peak resident size of this whole
Python process (the interpreter and the files read included); for sfeed
-1, as a process started from Python inherits Python's high-water mark
through exec: parse.sh measures sfeed with GNU time instead. Sizes are in
10^6 bytes.
"""

import getopt
import os
import resource
import subprocess
import sys
import time
import zlib


def best_of(run, min_reps, min_time):
    best, total, reps = None, 0.0, 0
    while reps < min_reps or total < min_time:
        t = time.perf_counter()
        run()
        t = time.perf_counter() - t
        total += t
        reps += 1
        if best is None or t < best:
            best = t
    return best, reps


def do_sfeed(files, min_reps, min_time):
    if len(files) != 1:
        sys.stderr.write("parsebase: sfeed takes one file "
                         "(concatenate a set)\n")
        sys.exit(2)
    path = files[0]

    def run():
        with open(path, "rb") as f:
            subprocess.run(["sfeed"], stdin=f, stdout=subprocess.DEVNULL,
                           check=True)
    with open(path, "rb") as f:
        out = subprocess.run(["sfeed"], stdin=f, stdout=subprocess.PIPE,
                             check=True).stdout
    n, crc = out.count(b"\n"), zlib.crc32(out)
    del out
    best, reps = best_of(run, min_reps, min_time)
    return (os.path.getsize(path), best, reps, n, crc, -1)


def do_feedparser(files, min_reps, min_time):
    import feedparser
    docs = []
    for p in files:
        with open(p, "rb") as f:
            docs.append(f.read())
    result = {}

    def run():
        n, crc = 0, 0
        for b in docs:
            d = feedparser.parse(b)
            if d.bozo:
                sys.stderr.write("parsebase: feedparser: %s\n" %
                                 d.bozo_exception)
                sys.exit(1)
            n += len(d.entries)
            for e in d.entries:
                crc = zlib.crc32(e.get("title", "").encode(), crc)
        result["n"], result["crc"] = n, crc
    best, reps = best_of(run, min_reps, min_time)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return (sum(len(b) for b in docs), best, reps, result["n"],
            result["crc"], rss)


def main(argv):
    cmd = argv[1] if len(argv) > 1 else None
    try:
        opts, args = getopt.getopt(argv[2:], "n:t:")
    except getopt.GetoptError:
        opts, args = [], []
    min_reps, min_time = 3, 1.0
    for o, v in opts:
        if o == "-n":
            min_reps = max(1, int(v))
        elif o == "-t":
            min_time = float(v)
    if cmd not in ("sfeed", "feedparser") or not args:
        sys.stderr.write("usage: parsebase.py sfeed|feedparser "
                         "[-n min_reps] [-t min_seconds] file ...\n")
        return 2
    fn = do_sfeed if cmd == "sfeed" else do_feedparser
    size, best, reps, n, crc, rss = fn(args, min_reps, min_time)
    print("bytes %d files %d reps %d best %.6f mbps %.2f entries %d "
          "checksum %08x maxrss_kib %d" % (
              size, len(args), reps, best, size / best / 1e6, n, crc, rss))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
