#!/usr/bin/env python3
"""Independent generator of observed ED visits for `medtwin calibrate`'s recovery test.

Written from the queueing model's textbook definition, not from medtwin's code:
non-homogeneous Poisson arrivals (thinning, Lewis & Shedler 1979) with the
hour-of-day profile rate(t) = per_day/24 * (1 + 0.5 sin(2 pi (h - 8) / 24)),
h the hour of day; log-normal service (median, sigma of the log); c identical
servers, first come first served (each patient takes the server that frees
first). The system starts empty at t = 0; arrivals over DAYS days are written,
each visit run to its departure.

Standard library only. Run: python3 gen_visits.py > visits.csv
The hidden parameters are the constants below; the Go test states them as the
truth that calibrate must recover within its confidence intervals.
"""
import heapq
import math
import random

SEED = 20261129
DAYS = 21
PER_DAY = 96.0          # mean arrivals per day
SERVERS = 6             # c
SERVICE_MEDIAN_H = 0.9  # median service time, hours
SERVICE_SIGMA = 0.5     # sigma of log service time


def rate_per_h(t_h):
    h = math.fmod(t_h, 24.0)
    return PER_DAY / 24.0 * (1.0 + 0.5 * math.sin(2.0 * math.pi * (h - 8.0) / 24.0))


def main():
    rnd = random.Random(SEED)
    peak = PER_DAY / 24.0 * 1.5
    arrivals = []
    t = 0.0
    while True:
        t += rnd.expovariate(peak)
        if t >= DAYS * 24.0:
            break
        if rnd.random() * peak <= rate_per_h(t):
            arrivals.append(t)
    free = [0.0] * SERVERS  # times at which each server frees
    heapq.heapify(free)
    mu = math.log(SERVICE_MEDIAN_H)
    print("arrival,acuity,seen,departure,disposition")
    for a in arrivals:
        start = max(a, heapq.heappop(free))
        end = start + rnd.lognormvariate(mu, SERVICE_SIGMA)
        heapq.heappush(free, end)
        print("%.6f,,%.6f,%.6f,discharged" % (a, start, end))


if __name__ == "__main__":
    main()
