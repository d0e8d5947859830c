# three classes from four noisy features (c)
name: c0  I: 0.7 0.22 0.15 0.24  T: 1 0 0;
name: c1  I: 0.25 0.63 0.01 0.33  T: 0 1 0;
name: c2  I: 0.1 0.09 1.0 0.49  T: 0 0 1;
name: c3  I: 0.93 0.19 0.26 0.06  T: 1 0 0;
name: c4  I: 0.25 0.95 0.21 0.3  T: 0 1 0;
name: c5  I: 0.27 0.03 0.9 0.54  T: 0 0 1;
name: c6  I: 0.72 0.01 0.35 0.19  T: 1 0 0;
name: c7  I: 0.29 0.95 0.29 0.37  T: 0 1 0;
name: c8  I: 0.16 0.32 0.78 0.67  T: 0 0 1;
