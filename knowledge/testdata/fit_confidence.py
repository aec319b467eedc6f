# Fits the ranking weights and the confidence model offline (pure Python, no
# dependencies). Dump features first, from the repository root (the shared
# sample is read from ../shared/eval, or give -shared DIR):
#   go run ./knowledge/cmd/kbfeatures -o /tmp/f.jsonl
# then: python3 knowledge/testdata/fit_confidence.py /tmp/f.jsonl lrbal RANKWEIGHTS_JSON
#   (variants | grid: ranking weights; lrbal: balanced logistic fits; sweep RANK FEATS COEFS: thresholds;
#    final: the model in use, with leave-one-base-out figures; unseen: it and the model without
#    the long-question feature scored on fresh_d and fresh_f, which no fit has seen)
# The ranking weights were first fitted on the starter and evalkb sets
# (TRAIN); the BM25 weight was later raised from 0.3 to 0.5 by the "grid"
# mode, which scores recall@1 and MRR over every set. The
# confidence model in use comes from the "final" mode: fitted on every set,
# with the threshold chosen by leaving one knowledge base out at a time
# (LOKO), which is the honest estimate for an unseen knowledge base.
import json, math, sys, itertools, random
rows=[json.loads(l) for l in open(sys.argv[1])]
FEATS=["Cov","DocCov","TitleTags","Heads","BM25"]
TRAIN={"starter","evalkb"}
def rank_score(h,w):
    return sum(w.get(k,0)*h["F"].get(k,0) for k in FEATS)
def evalrank(w, sets):
    res={}
    for s in sets:
        r1=r3=mrr=n=0
        for r in rows:
            if r["set"]!=s or not r["expect"]: continue
            n+=1
            hs=sorted(r["hits"] or [], key=lambda h:-rank_score(h,w))
            rk=0
            for i,h in enumerate(hs):
                if h["ID"] in r["expect"]: rk=i+1;break
            r1+= rk==1; r3+= 1<=rk<=3; mrr+= 1/rk if rk else 0
        res[s]=(r1/n,r3/n,mrr/n)
    return res
SETS=["starter","evalkb","holdout","shared","shared_more","generalise","fresh_a","fresh_b","fresh_c","fresh_e"]
cur={"Cov":1,"TitleTags":0.3,"Heads":0.1,"BM25":0.5,"DocCov":0.15}
def show(w):
    for s,v in evalrank(w,SETS).items(): print("  %-10s r1 %.3f r3 %.3f mrr %.3f"%((s,)+v))
print("current"); show(cur)
if len(sys.argv)>2 and sys.argv[2]=="search":
    def obj(w):
        e=evalrank(w,["starter","evalkb"]); return sum(v[2]+0.5*v[0] for v in e.values())
    w=dict(cur); best=obj(w)
    grid=[0,0.05,0.1,0.15,0.2,0.3,0.5,0.75,1.0]
    for it in range(3):
        for k in FEATS:
            for g in grid:
                w2=dict(w); w2[k]=g
                o=obj(w2)
                if o>best+1e-9: best,w=o,w2
        print("iter",it,best,w)
    show(w)
if len(sys.argv)>2 and sys.argv[2]=="variants":
    V={
     "cur":cur,
     "docidf":{"CovD":1,"TitleTags":0.3,"Heads":0.1,"BM25":0.15,"DocCovD":0.15},
     "bm.3":{"Cov":1,"TitleTags":0.3,"Heads":0.1,"BM25":0.3,"DocCov":0.15},
     "bm.5":{"Cov":1,"TitleTags":0.3,"Heads":0.1,"BM25":0.5,"DocCov":0.15},
     "bmdoc.3":{"Cov":1,"TitleTags":0.3,"Heads":0.1,"BM25":0.15,"BM25Doc":0.3,"DocCov":0.15},
     "docidf+bm.3":{"CovD":1,"TitleTags":0.3,"Heads":0.1,"BM25":0.3,"DocCovD":0.15},
     "mix":{"Cov":0.5,"CovD":0.5,"TitleTags":0.3,"Heads":0.1,"BM25":0.3,"DocCov":0.1,"DocCovD":0.1},
     "docidf.dc.3":{"CovD":1,"TitleTags":0.3,"Heads":0.1,"BM25":0.15,"DocCovD":0.3},
     "docidf.dc.3bm.3":{"CovD":1,"TitleTags":0.3,"Heads":0.1,"BM25":0.3,"DocCovD":0.3},
     "bmonly":{"BM25":1},
     "bmdoconly":{"BM25Doc":1},
    }
    for name,w in V.items():
        e=evalrank(w,SETS)
        print("%-16s"%name+"  ".join("%s %.3f/%.3f/%.3f"%(s[:4],*e[s]) for s in SETS))
if len(sys.argv)>2 and sys.argv[2]=="grid":
    out=[]
    for cv in ["Cov","CovD"]:
      for bm in [0.15,0.3,0.5]:
        for bd in [0,0.15,0.3]:
          for tt in [0.2,0.3,0.5]:
            for dc in [0.1,0.15,0.3]:
              w={cv:1,"TitleTags":tt,"Heads":0.1,"BM25":bm,"BM25Doc":bd,("DocCov" if cv=="Cov" else "DocCovD"):dc}
              e=evalrank(w,SETS)
              tr=sum(e[s][0]+e[s][2] for s in SETS)/(2*len(SETS))
              out.append((tr,w,e))
    out.sort(key=lambda x:-x[0])
    for tr,w,e in out[:15]:
        print("%.4f"%tr, w, "  ".join("%s %.3f/%.3f/%.3f"%(s[:4],*e[s]) for s in SETS))
def conf_rows(w, sets, feats):
    X=[];Y=[];S=[]
    for r in rows:
        if r["set"] not in sets: continue
        hs=sorted(r["hits"] or [], key=lambda h:-rank_score(h,w))
        if hs:
            h=hs[0]["F"];
            x=[h[k] if k in h else r["qf"][k] if k in r["qf"] else None for k in feats]
            if "Margin" in feats:
                s0=rank_score(hs[0],w); s1=rank_score(hs[1],w) if len(hs)>1 else 0
                x[feats.index("Margin")]=(s0-s1)/s0 if s0>0 else 0
            if "N" in feats: x[feats.index("N")]=math.log(r["n"])
            for k in ("OrgCov","PersCov"):
                if k in feats: x[feats.index(k)]=(r["qf"]["Org"] if k=="OrgCov" else r["qf"]["Personal"])*h["Cov"]
            if "OrgUnk" in feats: x[feats.index("OrgUnk")]=r["qf"]["Org"]*(1-r["qf"]["Unknown"])
        else:
            x=None
        X.append(x);Y.append(1 if r["expect"] else 0);S.append(r["set"])
    return X,Y,S
def sig(z): return 1/(1+math.exp(-max(-30,min(30,z))))
def fitlr(X,Y,l2=0.01,it=4000,lr=0.5):
    d=len(X[0]); w=[0.0]*(d+1)
    data=[(x,y) for x,y in zip(X,Y) if x is not None]
    for _ in range(it):
        g=[0.0]*(d+1)
        for x,y in data:
            p=sig(w[0]+sum(a*b for a,b in zip(w[1:],x)))
            e=p-y; g[0]+=e
            for i in range(d): g[i+1]+=e*x[i]
        for i in range(d+1): w[i]-=lr*(g[i]/len(data)+(l2*w[i] if i else 0))
    return w
def rates(wc, wr, feats, thr, s):
    """Answered (in scope) and abstained (out of scope) rates on set s."""
    X,Y,_=conf_rows(wr,[s],feats)
    a=ab=ni=no=0
    for x,y in zip(X,Y):
        p=0 if x is None else sig(wc[0]+sum(c*v for c,v in zip(wc[1:],x)))
        if y: ni+=1; a+= p>=thr
        else: no+=1; ab+= p<thr
    return (a/ni, ab/no if no else 1)
def evalconf(wc, wr, feats, thr=0.5):
    for s in SETS:
        print("   %-10s answered %.3f abstain %.3f"%((s,)+rates(wc,wr,feats,thr,s)))
if len(sys.argv)>2 and sys.argv[2]=="conf":
    wr=json.loads(sys.argv[3]) if len(sys.argv)>3 else cur
    for feats in [["Cov","DocCov","TitleTags","Unknown","Org","Personal"],["Cov","DocCov","TitleTags","Heads","Unknown","Org","Personal"],["Cov","DocCov","TitleTags","Unknown","Org","Personal","Margin"],["Cov","DocCov","TitleTags","Unknown","Margin","N"]]:
        X,Y,_=conf_rows(wr,TRAIN,feats)
        wc=fitlr(X,Y)
        print(feats, ["%.2f"%v for v in wc]); evalconf(wc,wr,feats)
def fitbal(X,Y,l2=0.01,it=3000,lr=0.5):
    """Logistic regression with balanced class weights and light L2."""
    d=len(X[0]); w=[0.0]*(d+1)
    data=[(x,y) for x,y in zip(X,Y) if x is not None]
    npos=sum(y for _,y in data); nneg=len(data)-npos
    for _ in range(it):
        g=[0.0]*(d+1)
        for x,y in data:
            cw = len(data)/(2*npos) if y else len(data)/(2*nneg)
            p=sig(w[0]+sum(a*b for a,b in zip(w[1:],x)))
            e=(p-y)*cw; g[0]+=e
            for i in range(d): g[i+1]+=e*x[i]
        for i in range(d+1): w[i]-=lr*(g[i]/len(data)+(l2*w[i] if i else 0))
    return w

if len(sys.argv)>2 and sys.argv[2]=="lrbal":
    wr=json.loads(sys.argv[3]) if len(sys.argv)>3 else cur
    for feats in [["Cov","DocCov","TitleTags","Unknown","Org","Personal"],["Cov","DocCov","TitleTags","Heads","Unknown","Org","Personal"],["Cov","DocCov","TitleTags","Unknown","Org","Personal","Margin"]]:
        X,Y,_=conf_rows(wr,TRAIN,feats)
        wc=fitbal(X,Y)
        print(feats, ["%.2f"%v for v in wc]); evalconf(wc,wr,feats)
if len(sys.argv)>2 and sys.argv[2]=="sweep":
    wr=json.loads(sys.argv[3]); feats=json.loads(sys.argv[4]); wc=json.loads(sys.argv[5])
    for thr in [0.3,0.35,0.4,0.45,0.5,0.55]:
        print("thr",thr); evalconf(wc,wr,feats,thr)

if len(sys.argv)>2 and sys.argv[2]=="final":
    # python3 fit_confidence.py FEATURES.jsonl final
    wr=cur
    feats=["Cov","DocCov","TitleTags","Unknown","Org","Personal","Long"]
    # Question sets that share a knowledge base leave together.
    groups=[["starter","holdout"],["evalkb"],["shared","shared_more"],["generalise"],["fresh_a"],["fresh_b"],["fresh_c"],["fresh_e"]]
    thrs=[0.4,0.42,0.44,0.45,0.46]
    print("leave one knowledge base out (answered/abstained):")
    mean={t:[] for t in thrs}
    for held in groups:
        X,Y,_=conf_rows(wr,set(SETS)-set(held),feats); wc=fitbal(X,Y,it=800)
        for t in thrs:
            r=[rates(wc,wr,feats,t,s) for s in held]
            mean[t]+=[sum(x)/2 for x in r]
            print("  thr %.2f "%t+"  ".join("%s %.2f/%.2f"%(s,*x) for s,x in zip(held,r)))
    for t in thrs: print("  thr %.2f mean balanced %.3f"%(t,sum(mean[t])/len(mean[t])))
    X,Y,_=conf_rows(wr,set(SETS),feats); wc=fitbal(X,Y,it=1500)
    print("fitted on all sets:", dict(zip(["bias"]+feats,["%.2f"%v for v in wc])))
    for t in thrs:
        print("  thr %.2f "%t+"  ".join("%s %.2f/%.2f"%(s,*rates(wc,wr,feats,t,s)) for s in SETS+["fresh_d","fresh_f"]))
if len(sys.argv)>2 and sys.argv[2]=="unseen":
    # python3 fit_confidence.py FEATURES.jsonl unseen
    # The model in use, and the one before the long-question feature
    # (refitted on the same sets), scored on fresh_d and fresh_f, which no
    # fit has seen.
    wr=cur
    feats=["Cov","DocCov","TitleTags","Unknown","Org","Personal","Long"]
    inuse=[-2.07,1.59,1.57,1.44,-1.13,0.92,-0.76,1.01]
    X,Y,_=conf_rows(wr,set(SETS),feats[:-1]); short=fitbal(X,Y,it=1500)
    for name,f,wc in [("in use",feats,inuse),("without Long",feats[:-1],short)]:
        print(name, ["%.2f"%v for v in wc])
        for t in [0.4,0.44,0.45,0.5]:
            print("  thr %.2f "%t+"  ".join("%s %.2f/%.2f"%(s,*rates(wc,wr,f,t,s)) for s in ["fresh_d","fresh_f"]+SETS))
