# four inputs; targets for two output groups (out: 3 units, out2: 2 units, '-' = no target)
name: q0  I: 0.81 0.32 0.55 0.27  T: (out) 1 -1 0  (out2) 0.7 -0.6;
name: q1  I: 0.24 0.93 0.41 0.66  T: (out) -1 1 0  (out2) -0.2 0.9;
name: q2  I: 0.47 0.38 0.89 0.73  T: (out) 0 0 1  (out2) 0.35 -;
name: q3  I: 0.92 0.71 0.26 0.35  T: (out) 1 0 -1  (out2) -0.8 0.1;
name: q4  I: 0.33 0.52 0.68 0.95  T: (out) 0 -1 1  (out2) 0.05 -0.45;
