# four positive inputs (no 0: PRODUCT divides by each a w going back), three targets
name: p0  I: 0.81 0.32 0.55 0.27  T: 1 0 0;
name: p1  I: 0.24 0.93 0.41 0.66  T: 0 1 0;
name: p2  I: 0.47 0.38 0.89 0.73  T: 0 0 1;
name: p3  I: 0.92 0.71 0.26 0.35  T: 1 0 0;
name: p4  I: 0.33 0.52 0.68 0.95  T: 0 0 1;
name: p5  I: 0.58 0.87 0.44 0.21  T: 0 1 0;
