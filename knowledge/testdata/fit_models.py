# Fits the section model (which passage answers) and the confidence model
# (answer or abstain) offline. Write the features first:
#   go run ./knowledge/cmd/kbfeatures -o /tmp/f.jsonl
# then (the sections and errand modes need numpy; Debian: python3-numpy):
#   python3 knowledge/testdata/fit_models.py /tmp/f.jsonl sections   # section model, leave one base out
#   python3 knowledge/testdata/fit_models.py /tmp/f.jsonl confidence # confidence model, leave one base out
#   python3 knowledge/testdata/fit_models.py /tmp/f.jsonl errand     # the errand direction and the confidence model in use
# Every fit leaves one knowledge base out at a time and scores it: that is
# the honest figure for a base the model has never seen. The models in use
# are then fitted on every training set. fresh_d, fresh_f and sections_i
# are never fitted on; sections_h, sections_p to sections_s and sections_aa to sections_aj (HONEST)
# are the untouched sets, never fitted on nor read question by question.
import json, math, sys

rows = [json.loads(l) for l in open(sys.argv[1])]
MODE = sys.argv[2] if len(sys.argv) > 2 else "sections"

# Sets that share a knowledge base leave together.
GROUPS = {
    "starter": ["starter", "holdout", "sections_starter"], "evalkb": ["evalkb"], "shared": ["shared", "shared_more"],
    "generalise": ["generalise"], "fresh_a": ["fresh_a", "sec_fresh_a"], "fresh_b": ["fresh_b", "sec_fresh_b"],
    "fresh_c": ["fresh_c", "sec_fresh_c"], "fresh_e": ["fresh_e", "sec_fresh_e"], "g": ["sections_g"],
    "j": ["sections_j"], "k": ["sections_k"], "l": ["sections_l"], "m": ["sections_m"], "n": ["sections_n"], "o": ["sections_o"],
    "t": ["sections_t"], "u": ["sections_u"], "v": ["sections_v"], "w": ["sections_w"], "x": ["sections_x"], "y": ["sections_y"],
    "z": ["sections_z"],
}
UNSEEN = ["fresh_d", "fresh_f", "sections_i"]
HONEST = ["sections_h", "sections_p", "sections_q", "sections_r", "sections_s", "sections_aa", "sections_ab", "sections_ac", "sections_ad",
          "sections_ae", "sections_af", "sections_ag", "sections_ah", "sections_ai", "sections_aj", "sections_starter_b"]
TRAIN = [s for g in GROUPS.values() for s in g]
assert not set(TRAIN) & set(UNSEEN + HONEST), "a never-fitted set is in a training group"
present = {r["set"] for r in rows}

# The section model in use (knowledge/retrieval/sectionmodel.go secModel).
SEC_FEATS = ["Own", "Head", "Dis", "Lead", "Ask", "Len", "Sim", "BM25", "Doc", "Top", "Conf", "NeedSim", "VecCos", "NumAsk"]


def norm(s):
    return " ".join(s.lower().split()).rstrip("?.:!")


def sig(z):
    return 1 / (1 + math.exp(-max(-30, min(30, z))))


def sec_data(sets, feats):
    out = []
    for r in rows:
        if r["set"] not in sets or not r["expect"] or not r.get("section"):
            continue
        secs = r.get("secs") or []
        X = [[s["F"].get(f, 0) for f in feats] for s in secs]
        y = [s["Doc"] in r["expect"] and norm(s["Section"]) == norm(r["section"]) for s in secs]
        out.append((r, X, y))
    return out


def fit_clogit(data, d, l2=0.003, it=100):
    """Conditional logit: one softmax over a question's sections, fitted by
    Newton's method (numpy; Debian: python3-numpy)."""
    import numpy as np
    tr = [(np.array(X, float), np.array(y, float)) for _, X, y in data if any(y)]
    X = np.concatenate([x for x, _ in tr])
    y = np.concatenate([t for _, t in tr])
    gid = np.concatenate([np.full(len(x), i) for i, (x, _) in enumerate(tr)])
    n, w = len(tr), np.zeros(d)
    for _ in range(it):
        s = X @ w
        m = np.full(n, -np.inf)
        np.maximum.at(m, gid, s)
        e = np.exp(s - m[gid])
        z = np.zeros(n)
        np.add.at(z, gid, e)
        p = e / z[gid]
        ys = np.zeros(n)
        np.add.at(ys, gid, y)
        g = X.T @ (p - y / ys[gid]) / n + l2 * w
        px = np.zeros((n, d))
        np.add.at(px, gid, p[:, None] * X)
        H = (X * p[:, None]).T @ X / n - px.T @ px / n + l2 * np.eye(d)
        w = w - np.linalg.solve(H, g)
        if np.abs(g).max() < 1e-9:
            break
    return [float(v) for v in w]


def sec_ranks(w, data):
    """Section at 1 and within 3 (distinct sections) per question."""
    s1 = s3 = 0
    for r, X, y in data:
        sc = [sum(a * b for a, b in zip(w, x)) for x in X]
        order = sorted(range(len(X)), key=lambda i: -sc[i])
        seen, at = [], 0
        for i in order:
            key = (r["secs"][i]["Doc"], norm(r["secs"][i]["Section"]))
            if key in seen:
                continue
            seen.append(key)
            if y[i]:
                at = len(seen)
                break
        s1 += at == 1
        s3 += 1 <= at <= 3
    n = max(1, len(data))
    return s1 / n, s3 / n


def sections(feats):
    print("section model, features:", feats)
    for name, held in GROUPS.items():
        test = sec_data(held, feats)
        if not test:
            continue
        w = fit_clogit(sec_data([s for s in TRAIN if s not in held], feats), len(feats))
        print("  leave out %-10s section@1 %.3f section@3 %.3f (%d questions)" % ((name,) + sec_ranks(w, test) + (len(test),)))
    w = fit_clogit(sec_data(TRAIN, feats), len(feats))
    print("  fitted on all:", ", ".join("%s: %.2f" % (f, v) for f, v in zip(feats, w)))
    for s in UNSEEN:
        d = sec_data([s], feats)
        if d:
            print("  unseen %-12s section@1 %.3f section@3 %.3f" % ((s,) + sec_ranks(w, d)))
    return w


if MODE == "sections":
    extra = sys.argv[3].split(",") if len(sys.argv) > 3 else []
    sections(SEC_FEATS + extra)


# The confidence model: a logistic regression, balanced between answering
# and abstaining, over the best document's features (its ranking features,
# the question's own, and its best passage's).
CONF_FEATS = ["Cov", "DocCov", "TitleTags", "Unknown", "Org", "Personal", "Long"]


def conf_x(r, feats):
    hs = r["hits"] or []
    if not hs:
        return None
    h = hs[0]["F"]
    p = (r.get("secs") or [{"F": {}}])[0]["F"]
    x = []
    for f in feats:
        if f in h:
            x.append(h[f])
        elif f in r["qf"]:
            x.append(r["qf"][f])
        elif f.startswith("P1"):
            x.append(p.get(f[2:], 0))
        else:
            raise KeyError(f)
    return x


def conf_data(sets, feats):
    return [(conf_x(r, feats), 1 if r["expect"] else 0, r["set"]) for r in rows if r["set"] in sets]


def fit_bal(data, d, l2=0.01, it=1200, lr=0.5):
    w = [0.0] * (d + 1)
    tr = [(x, y) for x, y, _ in data if x is not None]
    npos = sum(y for _, y in tr)
    nneg = len(tr) - npos
    for _ in range(it):
        g = [0.0] * (d + 1)
        for x, y in tr:
            cw = len(tr) / (2 * npos) if y else len(tr) / (2 * nneg)
            e = (sig(w[0] + sum(a * b for a, b in zip(w[1:], x))) - y) * cw
            g[0] += e
            for i in range(d):
                g[i + 1] += e * x[i]
        for i in range(d + 1):
            w[i] -= lr * (g[i] / len(tr) + (l2 * w[i] if i else 0))
    return w


def conf_rates(w, data, thr):
    a = ab = ni = no = 0
    for x, y, _ in data:
        p = 0 if x is None else sig(w[0] + sum(c * v for c, v in zip(w[1:], x)))
        if y:
            ni += 1
            a += p >= thr
        else:
            no += 1
            ab += p < thr
    return a / max(1, ni), (ab / no if no else 1.0)


THRS = [0.4, 0.45, 0.5, 0.55, 0.6]


def confidence(feats):
    print("confidence model, features:", feats)
    mean = {t: [] for t in THRS}
    for name, held in GROUPS.items():
        w = fit_bal(conf_data([s for s in TRAIN if s not in held], feats), len(feats))
        for s in held:
            if s not in present:
                continue
            d = conf_data([s], feats)
            res = {t: conf_rates(w, d, t) for t in THRS}
            for t in THRS:
                mean[t].append(sum(res[t]) / 2)
            print("  leave out %-16s " % s + "  ".join("%.2f: %.2f/%.2f" % (t, *res[t]) for t in THRS))
    for t in THRS:
        print("  threshold %.2f: mean balanced %.3f" % (t, sum(mean[t]) / len(mean[t])))
    w = fit_bal(conf_data(TRAIN, feats), len(feats), it=2000)
    print("  fitted on all:", ", ".join("%s: %.2f" % (f, v) for f, v in zip(["bias"] + feats, w)))
    for s in UNSEEN:
        if s in present:
            d = conf_data([s], feats)
            print("  unseen %-12s " % s + "  ".join("%.2f: %.2f/%.2f" % (t, *conf_rates(w, d, t)) for t in THRS))
    return w


if MODE == "confidence":
    extra = sys.argv[3].split(",") if len(sys.argv) > 3 else []
    drop = sys.argv[4].split(",") if len(sys.argv) > 4 else []
    confidence([f for f in CONF_FEATS if f not in drop] + extra)


# The errand direction (knowledge/retrieval/errand_model.go) and the
# confidence model with it. A balanced, lightly regularised logistic
# regression learns, from the direction of each question's word vectors
# ("qvec", as kbfeatures writes it), whether it is off-topic; the feature
# is the question's projection less the best document's ("docvec"), in
# standard deviations of the questions', times the share of the question
# the best passage leaves uncovered (1 - Cov). To fit the confidence model
# honestly, each base's questions get the projection learnt without that
# base (out of fold). Needs numpy (Debian: python3-numpy).
def errand_dir(idx, np):
    X = np.array([rows[i]["qvec"] for i in idx], float)
    y = np.array([0.0 if rows[i]["expect"] else 1.0 for i in idx])
    A = np.hstack([X, np.ones((len(X), 1))])
    cw = np.where(y == 1, len(y) / (2 * y.sum()), len(y) / (2 * (len(y) - y.sum())))
    w = np.zeros(A.shape[1])
    for _ in range(1500):
        p = 1 / (1 + np.exp(-A @ w))
        g = A.T @ ((p - y) * cw) / len(y)
        g[:-1] += 0.01 * w[:-1]
        w -= 0.5 * g
    d = w[:-1]
    return d / (X @ d).std()


def errand():
    import numpy as np
    usable = [i for i, r in enumerate(rows) if r.get("qvec")]
    group = {s: name for name, held in GROUPS.items() for s in held}
    train = [i for i in usable if rows[i]["set"] in TRAIN]
    for name in set(group.values()) | {"__" + s for s in UNSEEN + HONEST}:
        d = errand_dir([i for i in train if group.get(rows[i]["set"]) != name], np)
        for i in usable:
            r = rows[i]
            if group.get(r["set"], "__" + r["set"]) == name:
                if not r["hits"]:
                    continue
                f = r["hits"][0]["F"]
                e = float(np.array(r["qvec"]) @ d - np.array(r["docvec"]) @ d) if r.get("docvec") else 0.0
                f["Errand"] = e * (1 - f["Cov"])
    w = confidence(CONF_FEATS + ["Errand"])
    d = errand_dir(train, np)
    print("errandDir (knowledge/retrieval/errand_model.go):")
    print("var errandDir = [%d]float32{" % len(d))
    for k in range(0, len(d), 8):
        print("\t" + " ".join("%.4f," % v for v in d[k:k + 8]))
    print("}")
    return w


if MODE == "errand":
    errand()
