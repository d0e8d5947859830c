# four inputs; targets for two output groups (output: 2 units, side: 2 units)
name: a  freq: 2  I: 1 0 0 1  T: (output) 1 0  (side) 0.9 0.1;
name: b  freq: 1  I: 0 1 1 0  T: (output) 0 1  (side) 0.1 0.9;
name: c  freq: 3  I: 1 1 0 0  T: (output) 1 1  (side) -   0.5;
name: d  freq: 1  I: 0 0 1 1  T: (output) 0 0  (side) 0.5 -;
name: e  freq: 1  I: 0.5 0.25 0 1  T: (output) 0 1  (side) 0.2 0.2;
