#!/usr/bin/env python3
"""Runs a command N times and prints its wall time and peak memory.

    measure.py LABEL RUNS -- CMD ARGS...

Wall time is the median of the runs; peak memory is the largest resident
set of any run (from the kernel's rusage of the child). Exit codes 0 and 1
(findings) count as success; anything else stops the measurement.
"""

import os
import resource
import statistics
import subprocess
import sys
import time


def main():
    label, runs = sys.argv[1], int(sys.argv[2])
    cmd = sys.argv[sys.argv.index("--") + 1:]
    walls, peaks = [], []
    for _ in range(runs):
        start = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.execvp(cmd[0], cmd)
        _, status, usage = os.wait4(pid, 0)
        walls.append(time.perf_counter() - start)
        peaks.append(usage.ru_maxrss / 1024)
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            sys.exit(f"{label}: {' '.join(cmd)} exited with {code}")
    print(f"{label:<40} median {statistics.median(walls):8.3f} s   peak RSS {max(peaks):8.1f} MiB   ({runs} runs)")


if __name__ == "__main__":
    main()
