# 8-3-8 encoder
name: p0  B: 1 0 0 0 0 0 0 0;
name: p1  B: 0 1 0 0 0 0 0 0;
name: p2  B: 0 0 1 0 0 0 0 0;
name: p3  B: 0 0 0 1 0 0 0 0;
name: p4  B: 0 0 0 0 1 0 0 0;
name: p5  B: 0 0 0 0 0 1 0 0;
name: p6  B: 0 0 0 0 0 0 1 0;
name: p7  B: 0 0 0 0 0 0 0 1;
