# 4-3-4 encoder, sparse patterns
name: e0  i: 0  t: 0;
name: e1  i: 1  t: 1;
name: e2  i: 2  t: 2;
name: e3  i: 3  t: 3;
