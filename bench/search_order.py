#!/usr/bin/env python3
# Search orders on a synthetic store: the schema's FTS5 table, ~1 KB item rows, 20% matching
# "gia vang". Usage: bench/search_order.py ITEMS DB_PATH (the file is replaced).
import os, random, sqlite3, sys, time

N = int(sys.argv[1])
path = sys.argv[2]
if os.path.exists(path):
    os.remove(path)
random.seed(1)
db=sqlite3.connect(path)
db.executescript("""
PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;
CREATE TABLE items(id INTEGER PRIMARY KEY, cluster_id INTEGER, published INTEGER, title TEXT, summary TEXT);
CREATE VIRTUAL TABLE items_fts USING fts5(title, body, content='', columnsize=0, tokenize='unicode61 remove_diacritics 2');
""")
words=["tin","moi","nhat","thu","tuong","hoi","nghi","kinh","te","xa","hoi","doanh","nghiep","thi","truong","lao","dong","bao","lu","mua"]+["w%d"%i for i in range(3000)]
rows=[]
for i in range(1,N+1):
    t=" ".join(random.choice(words) for _ in range(12))
    s=" ".join(random.choice(words) for _ in range(150))
    if random.random()<0.2: t="gia vang "+t
    pub=1700000000+i*30+random.randint(-86400*3,0)
    rows.append((i,i,pub,t,s))
db.executemany("INSERT INTO items VALUES(?,?,?,?,?)",rows)
db.executemany("INSERT INTO items_fts(rowid,title,body) VALUES(?,?,?)",[(r[0],r[3],r[4][:600]) for r in rows])
db.commit()
def bench(name,sql,args,n=11):
    ts=[]
    for _ in range(n):
        t=time.perf_counter(); db.execute(sql,args).fetchall(); ts.append(time.perf_counter()-t)
    ts.sort(); print("%-28s %8.2f ms"%(name,ts[n//2]*1000))
big=(2**62,2**62)
for q in ['"gia" "vang"','"w17"']:
  print(q, db.execute("SELECT count(*) FROM items_fts WHERE items_fts MATCH ?",(q,)).fetchone())
  bench("old rowid walk","SELECT i.cluster_id,i.published,i.id FROM items_fts f JOIN items i ON i.id=f.rowid WHERE items_fts MATCH ? AND f.rowid < ? ORDER BY f.rowid DESC LIMIT 401",(q,2**62))
  bench("new by date","SELECT i.cluster_id,i.published,i.id FROM items_fts f JOIN items i ON i.id=f.rowid WHERE items_fts MATCH ? AND (i.published,i.id) < (?,?) ORDER BY i.published DESC, i.id DESC LIMIT 401",(q,)+big)
  bench("relevance","SELECT i.cluster_id,i.published,i.id,f.rank FROM items_fts f JOIN items i ON i.id=f.rowid WHERE items_fts MATCH ? AND (f.rank > ? OR (f.rank = ? AND f.rowid < ?)) ORDER BY f.rank, f.rowid DESC LIMIT 401",(q,-1e300,-1e300,2**62))
