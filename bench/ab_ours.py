#!/usr/bin/env python3
"""Before/after of bench/ours.ts between two checkouts of this project:

    python3 bench/ab_ours.py BEFORE_DIR AFTER_DIR ROUNDS [WORKLOAD:FORM ...]

The same tree twice with different flags is a before/after of a loop
option: AB_ARGS_BEFORE / AB_ARGS_AFTER add arguments to bench/ours.ts on
that side (e.g. AB_ARGS_BEFORE="--host-delay inf": no host turns).

Each workload runs in its own process, the two trees alternating (order
swapped every round); prints the medians of every *_s figure and the speed
after/before (1.00 = same, below 1 = slower now; *_per_s rows read inversely)."""
import json, os, subprocess, statistics, sys, collections
A, B, R = sys.argv[1], sys.argv[2], int(sys.argv[3])
EXTRA = {"before": os.environ.get("AB_ARGS_BEFORE", "").split(),
         "after": os.environ.get("AB_ARGS_AFTER", "").split()}
cases = [("callbacks","gen"),("sleep0","gen"),("sleep0","async"),("spawn","gen"),("spawn","async"),
         ("pingpong","gen"),("pingpong","async"),("queue","gen"),("queue","async"),("timers","gen"),
         ("lock","gen"),("lock","async")]
if len(sys.argv) > 4:
    cases = [tuple(a.split(":")) for a in sys.argv[4:]]
res = collections.defaultdict(lambda: collections.defaultdict(list))
def one(tree, wl, form, tag):
    out = subprocess.run(["npx","deno","run","--allow-ffi","--allow-env","bench/ours.ts",wl,"--form",form] + EXTRA[tag],
                         cwd=tree, capture_output=True, text=True, timeout=300).stdout.strip().splitlines()[-1]
    return json.loads(out)
for r in range(R):
    for wl, form in cases:
        order = [(A,"before"),(B,"after")] if r % 2 == 0 else [(B,"after"),(A,"before")]
        for tree, tag in order:
            d = one(tree, wl, form, tag)
            for k, v in d.items():
                if k.endswith("_s") and isinstance(v,(int,float)):
                    res[(wl,form,k)][tag].append(v)
print("| workload | form | figure | before (s) | after (s) | speed after/before |")
print("|---|---|---|---|---|---|")
for (wl,form,k), d in res.items():
    b = statistics.median(d["before"]); a = statistics.median(d["after"])
    print(f"| {wl} | {form} | {k} | {b:.4f} | {a:.4f} | {b/a:.2f} |")
