name: a  I: 1 0 1  T: (out) 1 0  (out2) 0 1;
name: b  I: 0 1 1  T: (out) 0 1  (out2) 1 0;
