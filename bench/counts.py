#!/usr/bin/env python3
"""Findings per corpus project before and after a change, from two bench/snap.sh outputs.

    python3 bench/counts.py BEFORE_DIR AFTER_DIR

Prints each project's count before and after (and after's by severity), and checks that
the blocking calls that matter (loop re-entry, network, sleeps and waits, processes,
databases, and helper chains into them) shown before are still shown, listing those
that are not (by file, line and code). CORPUS=DIR names another corpus.
"""
import json,os,sys
base=sys.argv[1]; new=sys.argv[2]
corpus=os.environ.get('CORPUS', os.path.join(os.path.dirname(os.path.abspath(__file__)), '.work', 'corpus'))
projs=sorted(d for d in os.listdir(corpus) if os.path.isdir(os.path.join(corpus, d)) and d!='wheels')
tot_b=tot_a=0; lost=[]; checked=0
for p in projs:
    b=json.load(open(f'{base}/{p}.json')); a=json.load(open(f'{new}/{p}.json'))
    tot_b+=len(b); tot_a+=len(a)
    sev={}
    for d in a: sev[d.get('severity')]=sev.get(d.get('severity'),0)+1
    print(f"{p:20} {len(b):5} -> {len(a):5}  {sev}")
    akeys={(d['filename'],d['location']['row'],d['code']) for d in a}
    for d in b:
        api=d.get('api') or ''; code=d['code']
        matters = code[:3] in ('LS1','LS2','LS3','LS4','LS6') or (code=='LS901' and any(k in api for k in ('requests','httpx','redis','sqlalchemy','psycopg','pymongo','subprocess','time.sleep','socket','urllib','Lock','boto3','smtplib','Popen','Future','Queue','Event','Thread')))
        if matters:
            checked+=1
            if (d['filename'],d['location']['row'],code) not in akeys:
                lost.append((p,code,d['filename'],d['location']['row'],api,d['message'][:150]))
print('total',tot_b,'->',tot_a)
print('blocking calls that matter shown before:',checked,'not shown now:',len(lost))
from collections import Counter
print(Counter((x[0],x[1]) for x in lost).most_common(40))
for x in lost: print(x)
