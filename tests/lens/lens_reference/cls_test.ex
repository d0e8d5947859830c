# three classes from four noisy features (t)
name: t0  I: 0.95 0.04 0.05 0.09  T: 1 0 0;
name: t1  I: 0.39 0.77 0.25 0.12  T: 0 1 0;
name: t2  I: 0.2 0.15 0.74 0.53  T: 0 0 1;
name: t3  I: 0.83 0.36 0.27 0.37  T: 1 0 0;
name: t4  I: 0.34 1.0 0.27 0.07  T: 0 1 0;
name: t5  I: 0.34 0.39 0.96 0.53  T: 0 0 1;
