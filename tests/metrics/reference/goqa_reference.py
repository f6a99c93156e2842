"""Reference values for tests/metrics/opinion-real-data.test.ts, computed independently of culturescope with scipy.

Run: python3 tests/metrics/reference/goqa_reference.py [path to global_opinions_india.csv]
Printed with scipy 1.17.1 / numpy 2.4.6; the test hard-codes the printed numbers.
"""
import ast
import csv
import sys

import numpy as np
from scipy.spatial.distance import jensenshannon

INDIA = "India (Current national sample)"
US = "United States"
path = sys.argv[1] if len(sys.argv) > 1 else "datasets/globalopinionqa/global_opinions_india.csv"

rows = []
with open(path, newline="") as f:
    for i, row in enumerate(csv.DictReader(f)):
        s = row["selections"]
        rows.append((i, ast.literal_eval(s[s.index("{"): s.rindex("}") + 1])))

def sim(p, q):
    return 1.0 - float(jensenshannon(np.array(p), np.array(q), base=2))

both = [(i, d) for i, d in rows if INDIA in d and US in d]
dist = [float(jensenshannon(np.array(d[INDIA]), np.array(d[US]), base=2)) for _, d in both]
print("questions with both:", len(both))
print("first three (row, distance):", [(i, repr(x)) for (i, _), x in list(zip(both, dist))[:3]])
print("excluded at 0.05:", sum(x < 0.05 for x in dist))
print("mean Sim(US respondents, India):", repr(float(np.mean([1 - x for x in dist]))))
print("mean distance:", repr(float(np.mean(dist))))
for country in (INDIA, US):
    have = [d for _, d in rows if country in d]
    n = len(have[0][country]) if have else 0
    uni = [sim([1 / len(d[country])] * len(d[country]), d[country]) for d in have]
    first = [sim([1.0] + [0.0] * (len(d[country]) - 1), d[country]) for d in have]
    print(country, "questions:", len(have), "uniform mean Sim:", repr(float(np.mean(uni))), "first-option mean Sim:", repr(float(np.mean(first))))
# natural-log base, scipy's default, for the first pair
i, d = both[0]
print("first pair base e distance:", repr(float(jensenshannon(np.array(d[INDIA]), np.array(d[US])))))
