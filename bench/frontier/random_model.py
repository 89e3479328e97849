#!/usr/bin/python3
"""bench/frontier/random_model.py: how few writes can track scenarios/random.json?

A re-implementation of the simulator's guest model for that one scenario (five
guests, a new demand every second from the same hash, 100 ms ticks, 256 MiB/s
balloons, 5 GiB pool, 100 MiB of overhead + kernel minimum), fast enough to try
hundreds of policies. It checks itself against the simulator first: the equal
split must give exactly what `bench/evaluate` measures for `none`/`equal`
(125891 MiB*s). Then it prints:

  - tax's AUTO rule (partial tracking, the short guest seen at its allocation);
  - a myopic optimum: each second, the moves that minimise this second's
    shortfall plus kappa x the next second's expected shortfall (a convex
    problem solved per second with a Lagrange multiplier): close to the best a
    policy can do that does not know the next demand;
  - ebb's noise rule (what ebb does once every guest's need is noise);
  - the frontier: the least shortfall reached per band of writes by 240
    write-limited rules in four families: tracking (tau x dead zone x
    cadence x grow-only-when-short), pairwise transfers only where a guest
    is short (threshold x size x margin x pairs), ebb's noise rule (tau x
    dead zone) and the myopic optimum with a dead zone. qmemman writes 459
    times on this scenario. This is evidence, not a proof: no lower bound
    on the shortfall at a write budget is known here (a Lagrangian bound
    that prices the pool and the writes separates the guests but loses the
    pool's coupling at every tick; it comes out at the physical limit).

Usage: bench/frontier/random_model.py   (a few seconds, pure Python)
"""
import itertools

M = 1024
MASK = (1 << 64) - 1
N = 5
SEED = 7
POOL = 5120 * M
HOST = 6144 * M - 64 * M  # host memory minus dom0 and the reserve
STEP = 256 * M // 10      # balloon KiB per 100 ms tick
GONE = 100 * M            # overhead + kernel minimum
F = 150 * M


def mix(x):  # splitmix64 finaliser, as server/sim/mm_workload.c
    x = (x + 0x9e3779b97f4a7c15) & MASK
    x = ((x ^ (x >> 30)) * 0xbf58476d1ce4e5b9) & MASK
    x = ((x ^ (x >> 27)) * 0x94d049bb133111eb) & MASK
    return x ^ (x >> 31)


SEEDS = [(SEED ^ ((i * 0x9e3779b97f4a7c15) & MASK)) & MASK for i in range(N)]


def demand(i, s):
    lo, hi = 50 * M, 1400 * M
    return lo + mix(SEEDS[i] ^ ((s * 0x632be59bd9b4e019) & MASK)) % (hi - lo + 1)


def run(policy, seconds=300):
    """Shortfall (MiB*s) and target writes of policy(state, now, need, alloc, target)."""
    alloc = [1024 * M] * N
    target = list(alloc)
    short = 0.0
    writes = 0
    state = {}
    for tick in range(1, seconds * 10 + 1):
        now = tick * 100
        for i in range(N):
            g = target[i]
            alloc[i] = min(g, alloc[i] + STEP) if alloc[i] < g else max(g, alloc[i] - STEP)
        d = [demand(i, now // 1000) for i in range(N)]
        short += sum(max(0, d[i] - (alloc[i] - GONE)) for i in range(N)) * 0.1
        if now % 1000:
            continue
        want = policy(state, now, [x + GONE for x in d], alloc, target)
        over = sum(want) - POOL  # the pool guard: everyone down alike
        if over > 0:
            want = [max(200 * M, int(w - over / N)) for w in want]
        budget = HOST - sum(alloc)  # the reserve guard: grows scaled
        grow = sum(max(0, w - a) for w, a in zip(want, alloc))
        if grow > budget:
            want = [a + int((w - a) * budget / grow) if w > a else w for w, a in zip(want, alloc)]
        for i in range(N):
            if abs(want[i] - target[i]) >= M:  # the 1 MiB dead band
                target[i] = want[i]
                writes += 1
    return short / M, writes


def seen(need, alloc):  # what a report shows as used: no more than the guest has
    return [min(n, a) for n, a in zip(need, alloc)]


def equal(state, now, need, alloc, target):
    return [POOL // N] * N


def tax_auto(state, now, need, alloc, target):
    a = [u - 60 * M for u in seen(need, alloc)]
    mean = sum(a) / N
    amax = max(0, max(a)) / POOL
    den = amax - mean / POOL
    raw = min(1, max(0, 0 if den <= 0 else (F / POOL + amax - 1 / N) / den))
    prev = state.get("tau", 0)
    tau = raw if raw > prev else prev + (raw - prev) / 10
    state["tau"] = tau
    return [int(POOL / N + tau * (x - mean)) for x in a]


def tracking(tau, dead_kib, period, grow_only_short):
    def policy(state, now, need, alloc, target):
        if (now // 1000) % period:
            return list(target)
        a = seen(need, alloc)
        mean = sum(a) / N
        want = [int(POOL / N + tau * (x - mean)) for x in a]
        out = list(target)
        for i in range(N):
            if abs(want[i] - target[i]) >= dead_kib and (
                    not grow_only_short or want[i] < target[i] or need[i] > alloc[i]):
                out[i] = want[i]
        over = sum(out) - POOL  # shrink the most over-target first to fit
        for i in sorted(range(N), key=lambda i: want[i] - target[i]):
            if over <= 0 or want[i] >= out[i]:
                break
            over -= out[i] - want[i]
            out[i] = want[i]
        return out
    return policy


def expected_short(a):  # MiB per second at allocation a, demand uniform 50..1400 MiB
    u = a / M - 100
    return 0.0 if u >= 1400 else (725 - u if u <= 50 else (1400 - u) ** 2 / 2700)


def second_short(n, a, d):  # this second's shortfall (MiB*s) for an end move d
    s = 0.0
    for j in range(10):
        step = max(-abs(d), min(abs(d), STEP * j)) * (1 if d >= 0 else -1)
        s += 0.1 * max(0, n - (a + step)) / M
    return s


def myopic(kappa):
    grid = [k * 32 * M for k in range(-8, 9)]

    def policy(state, now, need, alloc, target):
        tab = [[(second_short(need[i], alloc[i], d) + kappa * expected_short(alloc[i] + d), d)
                for d in grid] for i in range(N)]

        def pick(lam):
            return [min(tab[i], key=lambda c: c[0] + lam * c[1] / M)[1] for i in range(N)]
        lo, hi = -10.0, 10.0
        for _ in range(40):
            mid = (lo + hi) / 2
            if sum(alloc) + sum(pick(mid)) > POOL:
                lo = mid
            else:
                hi = mid
        return [a + d for a, d in zip(alloc, pick(hi))]
    return policy


def noise_rule(tau, dead_kib, reach=STEP * 10):
    """ebb's noise regime (server/core/policy_ebb.c, noise_plan): tau of the
    way from the equal share towards this second's need, within a second of
    balloon travel; the shares fill the pool; moves under the dead zone are
    not written, and if those holds leave the sum over the pool the smallest
    grows give way."""
    def policy(state, now, need, alloc, target):
        c = POOL / N
        want = [c + tau * (min(max(n, a - reach), a + reach) - c) for n, a in zip(need, alloc)]
        shift = (sum(want) - POOL) / N
        out = []
        for i in range(N):
            x = max(200 * M, want[i] - shift)
            out.append(target[i] if abs(x - target[i]) < dead_kib else x)
        over = sum(out) - POOL
        for i in sorted(range(N), key=lambda i: out[i] - target[i]):
            if over <= 0:
                break
            if out[i] > target[i]:
                cut = min(over, out[i] - target[i])
                out[i] -= cut
                over -= cut
        return [int(round(x)) for x in out]
    return policy


def transfers(theta, xmax, margin, pairs):
    """Pairwise moves only where they matter: the guest shortest by more than
    theta takes up to xmax from the one with the most to spare (keeping
    margin), up to `pairs` pairs a second; the rest keep their targets."""
    def policy(state, now, need, alloc, target):
        out = list(target)
        used = set()
        for _ in range(pairs):
            cand = [(need[i] - out[i], i) for i in range(N) if i not in used]
            short, r = max(cand)
            if short < theta:
                break
            spare, d = max((out[j] - need[j], j) for j in range(N) if j not in used and j != r)
            x = min(xmax, short, spare - margin)
            if x < theta:
                break
            out[r] += x
            out[d] -= x
            used |= {r, d}
        return out
    return policy


def myopic_dead(kappa, dead_kib):
    """The myopic optimum, writing only moves of at least dead_kib (grows
    that no longer fit give way, smallest first)."""
    best = myopic(kappa)

    def policy(state, now, need, alloc, target):
        want = best(state, now, need, alloc, target)
        out = [w if abs(w - t) >= dead_kib else t for w, t in zip(want, target)]
        over = sum(out) - POOL
        for i in sorted(range(N), key=lambda i: out[i] - target[i]):
            if over <= 0:
                break
            if out[i] > target[i]:
                cut = min(over, out[i] - target[i])
                out[i] -= cut
                over -= cut
        return out
    return policy


BANDS = [(1, 459), (460, 700), (701, 1000), (1001, 1250), (1251, 1500)]


def frontier(res):
    for lo, hi in BANDS:
        band = [r for r in res if lo <= r[1] <= hi]
        if band:
            b = min(band)
            print("  %4d-%4d writes: %6.0f MiB*s, %4d writes (%s)" % (lo, hi, b[0], b[1], b[2]))


def main():
    sf, w = run(equal)
    print("equal split: %.0f MiB*s, %d writes (simulator: 125891)" % (sf, w))
    print("tax AUTO:    %.0f MiB*s, %d writes (simulator: 94139, 1497)" % run(tax_auto))
    for kappa in (0.5, 1, 2):
        print("myopic optimum kappa=%s: %.0f MiB*s, %d writes" % ((kappa,) + run(myopic(kappa))))
    print("ebb's noise rule (tau 0.6, 32 MiB dead zone): %.0f MiB*s, %d writes "
          "(simulator: 93511, 1242; ebb starts in its usual mode until the noise shows)"
          % run(noise_rule(0.6, 32 * M)))
    res = []
    for tau, dz, per, g in itertools.product([0.4, 0.6, 0.8, 1.0], [0, 100, 200, 300, 400],
                                             [1, 2, 3], [0, 1]):
        sf, w = run(tracking(tau, dz * M, per, g))
        res.append((sf, w, "tracking tau %.1f, dead zone %d MiB, every %d s, %s" % (
            tau, dz, per, "grow only when short" if g else "both ways")))
    for theta, xmax, margin, pairs in itertools.product([64, 128, 192, 256], [256, 384, 512],
                                                        [0, 100, 200], [1, 2]):
        sf, w = run(transfers(theta * M, xmax * M, margin * M, pairs))
        res.append((sf, w, "transfers over %d MiB short, up to %d MiB, margin %d MiB, %d pair(s)"
                    % (theta, xmax, margin, pairs)))
    for tau, dz in itertools.product([0.4, 0.5, 0.6, 0.7, 0.8], [0, 32, 64, 96, 128, 192]):
        sf, w = run(noise_rule(tau, dz * M))
        res.append((sf, w, "noise rule tau %.1f, dead zone %d MiB" % (tau, dz)))
    for kappa, dz in itertools.product([0.5, 1, 2], [0, 64, 96, 128, 160, 192]):
        sf, w = run(myopic_dead(kappa, dz * M))
        res.append((sf, w, "myopic kappa %s, dead zone %d MiB" % (kappa, dz)))
    print("frontier of %d write-limited rules in four families (least shortfall per band "
          "of writes; qmemman writes 459 times, tax 1497):" % len(res))
    frontier(res)


if __name__ == "__main__":
    main()
